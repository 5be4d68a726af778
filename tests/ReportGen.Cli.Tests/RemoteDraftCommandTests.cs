using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ReportGen.Eval.Bench;
using ReportGen.Llama.Native;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>
/// <c>reportgen draft</c> as a process with the model on the real llama-server (cached build) serving the tiny Gemma 3
/// fixture with <c>--mmproj</c>: REPORTGEN_LLM_URL + REPORTGEN_LLM_VISION_FAMILY draft the DICOM as the local mmproj set does.
/// </summary>
public class RemoteDraftCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Fixture(string file) => RepoFiles.Path("tests", "fixtures", "gguf", file);

    private static Task<(int Exit, string Out, string Err)> Draft(IDictionary<string, string> environment, params string[] args) =>
        ReportGenProcess.RunAsync(new Dictionary<string, string>(environment) { ["REPORTGEN_LLM_THREADS"] = "1" }, ["draft", "--max-tokens", "16", .. args], Ct);

    [Fact]
    public async Task With_a_remote_vision_engine_the_process_drafts_a_dicom_as_the_local_mmproj_set_does()
    {
        var binary = LlamaServer.FindBuilt();
        if (binary is null) Assert.Skip("llama-server is not built: run build/native/provision.sh llama-tools (or set REPORTGEN_LLAMA_SERVER)");
        var dicom = SharedData.Data("images", "siim-cxr-sample.dcm");
        var port = BenchServerProcess.FreePort();
        var psi = new ProcessStartInfo(binary!)
        {
            ArgumentList = { "-m", Fixture("tiny-gemma3.gguf"), "--mmproj", Fixture("tiny-gemma3-mmproj.gguf"), "--host", "127.0.0.1",
                "--port", port.ToString(CultureInfo.InvariantCulture), "-c", "2048", "-np", "1", "-t", "1", "--no-webui" },
        };
        await using var server = await BenchServerProcess.StartAsync("llama-server", psi, port, "/health", TimeSpan.FromSeconds(60), Ct);
        var url = $"http://127.0.0.1:{port}";

        var (exit, stdout, stderr) = await Draft(new Dictionary<string, string> { ["REPORTGEN_LLM_URL"] = url, ["REPORTGEN_LLM_VISION_FAMILY"] = "gemma3" }, "--image", dicom);
        exit.ShouldBe(0, stderr);
        using var remote = JsonDocument.Parse(stdout);
        var provenance = remote.RootElement.GetProperty("provenance");
        provenance.GetProperty("model_set").GetString().ShouldBe("remote:gemma3");
        provenance.GetProperty("prompt").GetProperty("name").GetString().ShouldBe("draft-findings-gemma3");
        provenance.GetProperty("models")[0].GetProperty("sha256").GetString().ShouldBe("remote:" + url);

        // A CT series goes as its sampled slices, with the modality-neutral prompt (the gemma3 one asks about a chest X-ray).
        using (var dir = new TempDir())
        {
            var zip = Path.Combine(dir.Path, "series.zip");
            await File.WriteAllBytesAsync(zip, SyntheticDicom.Zip(SyntheticDicom.CreateCtSeries()), Ct);
            var (ctExit, ctOut, ctErr) = await Draft(new Dictionary<string, string> { ["REPORTGEN_LLM_URL"] = url, ["REPORTGEN_LLM_VISION_FAMILY"] = "gemma3" }, "--image", zip, "--modality", "ct");
            ctExit.ShouldBe(0, ctErr);
            using var ct = JsonDocument.Parse(ctOut);
            ct.RootElement.GetProperty("modality").GetString().ShouldBe("ct");
            ct.RootElement.GetProperty("organ_systems").ValueKind.ShouldBe(JsonValueKind.Object);
            ct.RootElement.GetProperty("provenance").GetProperty("prompt").GetProperty("name").GetString().ShouldBe("draft-findings");
        }

        // Without the family: one line naming the variable, exit 2.
        (exit, stdout, stderr) = await Draft(new Dictionary<string, string> { ["REPORTGEN_LLM_URL"] = url }, "--image", dicom);
        exit.ShouldBe(2);
        stdout.ShouldBeEmpty();
        stderr.Trim().ShouldStartWith("reportgen draft: REPORTGEN_LLM_URL is set but REPORTGEN_LLM_VISION_FAMILY is not");

        LlamaLibrary.EnsureInitialised();
        if (LlamaLibrary.MtmdPath is null) Assert.Skip($"libmtmd is not provisioned in {LlamaLibrary.Directory}: the local comparison needs build/native/provision.sh mtmd");
        (exit, stdout, stderr) = await Draft(new Dictionary<string, string> { ["REPORTGEN_MODELS"] = RepoFiles.Path("tests", "fixtures", "gguf") }, "--image", dicom, "--model", "tiny-gemma3-vlm");
        exit.ShouldBe(0, stderr);
        using var local = JsonDocument.Parse(stdout);
        local.RootElement.GetProperty("text").GetString().ShouldBe(remote.RootElement.GetProperty("text").GetString());
    }
}
