using ReportGen.Llama.Native;
using ReportGen.TestSupport;

namespace ReportGen.Llama.Tests;

public class RuntimeInfoTests
{
    [Fact]
    public void Loads_the_npm_provisioned_build_and_a_cpu_backend()
    {
        var info = LlamaRuntimeInfo.Read();
        info.Build.Release.ShouldBe("v0.5.0");
        info.Build.FromSource.ShouldBeFalse();
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

public class LlamaBuildTests
{
    [Fact, Fast]
    public void A_source_build_is_named_by_the_release_and_commit_in_its_record_and_a_folder_without_one_says_so()
    {
        using var dir = new TempDir();
        var none = LlamaBuild.Read(dir.Path);
        none.ShouldBe(new LlamaBuild("unknown", null, Gpu: false, FromSource: false));
        none.ToString().ShouldBe("release unknown (no readable _nlcBuildMetadata.json or llama-build.json beside the libraries)");

        // What provision.sh llama-native writes beside its libraries.
        var record = Path.Combine(dir.Path, LlamaBuild.SourceBuildFileName);
        File.WriteAllText(record, """{ "source": "node-llama-cpp@3.22.1", "release": "v0.5.0", "commit": "de3ff815ea7d559ee917f063901b8986f038abc6", "cmakeFlags": "-DGGML_NATIVE=ON" }""");
        var build = LlamaBuild.Read(dir.Path);
        build.ShouldBe(new LlamaBuild("v0.5.0", "de3ff815ea7d559ee917f063901b8986f038abc6", Gpu: false, FromSource: true));
        build.ToString().ShouldBe("release v0.5.0, commit de3ff815ea7d (CPU build from source for this CPU: provision.sh llama-native)");

        File.WriteAllText(record, "{ truncated");
        LlamaBuild.Read(dir.Path).Release.ShouldBe("unknown");
    }

    [Fact, Fast]
    public void The_npm_build_is_named_by_its_metadata_release()
    {
        var build = LlamaBuild.Read(LlamaLibrary.Directory);
        build.ShouldBe(new LlamaBuild("v0.5.0", null, Gpu: false, FromSource: false));
        build.ToString().ShouldBe("release v0.5.0 (CPU build from npm)");
    }
}
