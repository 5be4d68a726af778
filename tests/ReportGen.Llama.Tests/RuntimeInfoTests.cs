using ReportGen.Llama.Native;

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
