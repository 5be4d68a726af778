using ReportGen.Cli.Commands;

namespace ReportGen.Cli.Tests;

public class DoctorCommandTests
{
    [Fact]
    public void Doctor_reports_both_runtimes_and_the_models()
    {
        var output = new StringWriter();
        var exit = DoctorCommand.Run(output);
        var text = output.ToString();
        exit.ShouldBe(0, text);
        text.ShouldContain("llama.cpp     release v0.5.0 (CPU build)");
        text.ShouldContain("CPU variant loaded: ");
        text.ShouldNotContain("CPU variant loaded: none");
        text.ShouldContain("ONNX Runtime  1.30.0");
        text.ShouldContain("stories260k");
        text.ShouldContain("set stories260k-mobilenet");   // vision-language sets and whether their three files resolve
        text.ShouldContain("doctor: ok");
    }
}
