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
        text.ShouldContain("llama.cpp     release v0.5.0 (CPU build from npm)");
        text.ShouldContain("CPU variant loaded: ");
        text.ShouldNotContain("CPU variant loaded: none");
        text.ShouldContain("ONNX Runtime  1.30.0");
        text.ShouldContain("stories260k");
        text.ShouldContain("set stories260k-mobilenet");   // vision-language sets and whether their three files resolve
        text.ShouldContain("doctor: ok");
    }

    [Fact]
    public async Task Doctor_names_a_remote_endpoint_that_does_not_answer()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now: connections are refused
        var output = new StringWriter();
        var ok = await DoctorCommand.CheckRemoteAsync(output, $"http://127.0.0.1:{port}/v1", TestContext.Current.CancellationToken);
        ok.ShouldBeFalse();
        output.ToString().ShouldStartWith($"remote        http://127.0.0.1:{port}: UNHEALTHY (");
    }
}
