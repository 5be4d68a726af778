using ReportGen.Llama.Native;
using ReportGen.TestSupport;

namespace ReportGen.Llama.Tests;

public class RuntimeInfoTests
{
    [Fact]
    public void Loads_the_npm_provisioned_build_and_a_cpu_backend()
    {
        var info = LlamaRuntimeInfo.Read();
        info.Release.ShouldBe("v0.5.0");
        info.LibraryDirectory.ShouldEndWith(Path.Combine("native", "llama"));
        info.Backends.ShouldContain("CPU");
        info.CpuVariant.ShouldNotBeNullOrEmpty();
        info.SystemInfo.ShouldContain("CPU");
    }
}

public class LibraryLookupTests
{
    [Theory, Fast]
    [InlineData("")] // CPU build: libllama.v0.5.0.so
    [InlineData("cuda.")] // CUDA build: libllama.cuda.v0.5.0.so, which the GPU check publishes
    public void The_resolver_finds_the_versioned_libraries_of_either_npm_build_and_not_their_neighbours(string backend)
    {
        using var dir = new TempDir();
        string[] files = [$"libllama.{backend}v0.5.0.so", $"libggml.{backend}v0.5.0.so", "libggml-base.so", "libllama-common.so",
            "libggml-cpu-haswell.so", "libggml-cuda.so", "llama-addon.node"];
        foreach (var f in files) File.WriteAllText(Path.Combine(dir.Path, f), "");

        Path.GetFileName(LlamaLibrary.Find(dir.Path, LlamaLibrary.Llama)).ShouldBe(files[0]);
        Path.GetFileName(LlamaLibrary.Find(dir.Path, LlamaLibrary.Ggml)).ShouldBe(files[1]);
        Path.GetFileName(LlamaLibrary.Find(dir.Path, LlamaLibrary.GgmlBase)).ShouldBe("libggml-base.so");
        LlamaLibrary.Find(dir.Path, LlamaLibrary.Mtmd).ShouldBeNull();
        LlamaLibrary.Find(Path.Combine(dir.Path, "absent"), LlamaLibrary.Llama).ShouldBeNull();
    }

    [Fact, Fast]
    public void The_resolver_finds_the_plain_names_of_a_source_build()
    {
        // provision.sh llama-native: libllama.so -> libllama.so.0 -> libllama.so.0.5.0, one CPU backend inside libggml.so.
        using var dir = new TempDir();
        string[] files = ["libllama.so", "libllama.so.0", "libggml.so", "libggml.so.0", "libggml-base.so", "libggml-cpu.so", "libmtmd.so", "libmtmd.so.0"];
        foreach (var f in files) File.WriteAllText(Path.Combine(dir.Path, f), "");

        Path.GetFileName(LlamaLibrary.Find(dir.Path, LlamaLibrary.Llama)).ShouldBe("libllama.so");
        Path.GetFileName(LlamaLibrary.Find(dir.Path, LlamaLibrary.Ggml)).ShouldBe("libggml.so");
        Path.GetFileName(LlamaLibrary.Find(dir.Path, LlamaLibrary.Mtmd)).ShouldBe("libmtmd.so");
    }
}
