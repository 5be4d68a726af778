using System.Diagnostics;
using System.Globalization;
using ReportGen.Cli.Commands;
using ReportGen.Eval.Bench;
using ReportGen.TestSupport;

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
        output.ToString().ShouldContain("remote vision no family declared: drafting from images does not go to the remote engine");
    }

    [Fact]
    public async Task Doctor_shows_the_declared_vision_family_and_whether_the_remote_engine_takes_images()
    {
        if (LlamaServer.FindBuilt() is not { } binary) { Assert.Skip("llama-server is not built: run build/native/provision.sh llama-tools (or set REPORTGEN_LLAMA_SERVER)"); return; }
        var ct = TestContext.Current.CancellationToken;
        string Fixture(string file) => RepoFiles.Path("tests", "fixtures", "gguf", file);
        async Task<(bool Ok, string Text)> Doctor(string? family, params string[] mmproj)
        {
            var port = BenchServerProcess.FreePort();
            var psi = new ProcessStartInfo(binary) { ArgumentList = { "-m", Fixture("tiny-gemma3.gguf") } };
            foreach (var a in (string[])[.. mmproj, "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "-c", "512", "-np", "1", "-t", "1", "--no-webui"])
                psi.ArgumentList.Add(a);
            await using var server = await BenchServerProcess.StartAsync("llama-server", psi, port, "/health", TimeSpan.FromSeconds(60), ct);
            var output = new StringWriter();
            var ok = await DoctorCommand.CheckRemoteAsync(output, $"http://127.0.0.1:{port}", ct, family);
            return (ok, output.ToString());
        }

        var (ok, text) = await Doctor("Gemma3", "--mmproj", Fixture("tiny-gemma3-mmproj.gguf"));
        ok.ShouldBeTrue(text);
        text.ShouldContain("remote vision family gemma3 (prompt draft-findings-gemma3): drafting from images on the remote engine is available");

        // The same model without --mmproj: llama-server's /props says it takes no images.
        (ok, text) = await Doctor("gemma3");
        ok.ShouldBeFalse(text);
        text.ShouldContain(", healthy");
        text.ShouldContain("remote vision family gemma3 declared, but the model at ");
        text.ShouldContain("takes no images (its /props says modalities.vision is false)");
        text.ShouldContain("drafting from images on the remote engine is NOT available");

        (ok, text) = await Doctor("paligemma", "--mmproj", Fixture("tiny-gemma3-mmproj.gguf"));
        ok.ShouldBeFalse(text);
        text.ShouldContain("remote vision family 'paligemma' is not one of llava, gemma3, qwen2vl, other: drafting from images on the remote engine is NOT available");
    }
}
