using ReportGen.Onnx.Native;

namespace ReportGen.Onnx.Tests;

public class OrtLibraryTests
{
    [Fact]
    public void Loads_the_pinned_onnx_runtime()
    {
        OrtLibrary.Version().ShouldBe("1.30.0");
        OrtLibrary.Api().ShouldNotBe(IntPtr.Zero);
    }
}
