using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Cli.Commands;
using ReportGen.Core.Models;
using ReportGen.Imaging;
using ReportGen.Llama;
using ReportGen.Onnx;
using ReportGen.Pipelines.Drafting;
using ReportGen.Pipelines.Prompts;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>
/// Drafting for real: MobileNetV2 (int8) → the generated 64-d projector → stories260K (Threads = 1), on the NIH PNGs
/// and the SIIM DICOM. The text is not medical; these tests check the mechanics: injection, parsing, coordinates, streaming.
/// </summary>
public class DraftingEndToEndTests
{
    private const string SetId = "stories260k-mobilenet";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The repo manifest resolving projectors from tests/fixtures/onnx and the rest from ../shared/models.</summary>
    internal static ModelResolver Resolver() =>
        new(ModelManifest.Load(RepoFiles.Path("models", "models.json")), [RepoFiles.Path("tests", "fixtures", "onnx"), SharedData.Require("models")]);

    internal static StudyImage Study(string file)
    {
        var bytes = File.ReadAllBytes(SharedData.Data("images", file));
        return new StudyImage(bytes, StudyImageDecoder.MediaTypeOf(bytes));
    }

    private static DraftRequest Request(string file, bool grounded = false) =>
        new() { Frontal = Study(file), Indication = "cough", Grounded = grounded, MaxOutputTokens = 48 };

    private sealed class Drafter : IDisposable
    {
        public Drafter(bool attachImages = true)
        {
            Set = VisionLanguageModelSet.Load(Resolver(), SetId);
            Images = new CountingProvider(Set);
            Chat = CliChatClients.Local(LlamaModel.Load(Set.Llm.Path!), Set.Llm.Entry.Id, Images, threads: 1);
            Service = new DraftingService(Chat, PromptLibrary.LoadDefault(), attachImages);
        }

        public VisionLanguageModelSet Set { get; }
        public CountingProvider Images { get; }
        public IChatClient Chat { get; }
        public DraftingService Service { get; }

        public void Dispose()
        {
            Chat.Dispose();
            Set.Dispose();
        }
    }

    [Fact]
    public async Task Images_are_injected_different_images_give_different_drafts_and_the_same_image_the_same()
    {
        using var d = new Drafter();
        var first = await d.Service.DraftAsync(Request("00000001_000.png"), Ct);
        var again = await d.Service.DraftAsync(Request("00000001_000.png"), Ct);
        var other = await d.Service.DraftAsync(Request("00027426_000.png"), Ct);
        var dicom = await d.Service.DraftAsync(Request("siim-cxr-sample.dcm"), Ct);

        first.Findings.ShouldNotBeEmpty();
        again.RawText.ShouldBe(first.RawText);               // greedy + same embeddings: deterministic
        other.RawText.ShouldNotBe(first.RawText);            // the image changes the prompt the model reads
        dicom.RawText.ShouldNotBe(first.RawText);
        dicom.RawText.ShouldNotBe(other.RawText);

        // Each image became 4 rows of 64 floats in the prompt (the set's projector), and the prompt grew by them
        // (not exactly 4 positions: the text either side of the image is tokenised as two pieces).
        d.Images.Calls.ShouldBe(4);
        d.Images.Rows.ShouldBe(16);
        using var textOnly = new Drafter(attachImages: false);
        var plain = await textOnly.Service.DraftAsync(Request("00000001_000.png"), Ct);
        textOnly.Images.Calls.ShouldBe(0);
        first.PromptTokens!.Value.ShouldBeGreaterThan(plain.PromptTokens!.Value);
        plain.RawText.ShouldNotBe(first.RawText);
    }

    [Fact]
    public async Task Streamed_findings_are_the_findings_of_the_whole_draft()
    {
        using var d = new Drafter();
        foreach (var file in new[] { "00000001_000.png", "siim-cxr-sample.dcm" })
        {
            var whole = await d.Service.DraftAsync(Request(file), Ct);
            DraftResult? completed = null;
            var streamed = new List<string>();
            await foreach (var f in d.Service.StreamFindingsAsync(Request(file), Ct, r => completed = r)) streamed.Add(f.Text);
            streamed.ShouldNotBeEmpty();
            streamed.ShouldBe(whole.Findings.Select(f => f.Text).ToList());
            completed!.RawText.ShouldBe(whole.RawText);
        }
    }

    [Fact]
    public async Task Grounded_output_is_parsed_into_boxes_in_the_real_frontal_pixels()
    {
        using var d = new Drafter();
        // The tiny model cannot write MAIRA-2 boxes: append a grounded sentence to its real output, through the same parse.
        var service = new DraftingService(new AppendingChatClient(d.Chat,
            " <obj>Left basal opacity<box><x10><y60><x40><y90></box></obj> <obj>Broken<box><x50><y9"), PromptLibrary.LoadDefault());
        var bytes = File.ReadAllBytes(SharedData.Data("images", "siim-cxr-sample.dcm"));
        var pixels = ImageDecoder.Decode(bytes);
        var geometry = CropGeometry.For(d.Set.EncoderPreprocessing, pixels.Width, pixels.Height);
        var request = Request("siim-cxr-sample.dcm", grounded: true) with { FrontalGeometry = geometry };

        var result = await service.DraftAsync(request, Ct);
        var grounded = result.Findings.Single(f => f.Boxes.Count > 0);
        grounded.Text.ShouldBe("Left basal opacity");
        // 1024² DICOM, MobileNet: resize to 256, centre crop 224 → the view is 896 px from (64, 64); bin b → (b + 0.5)/100.
        (pixels.Width, pixels.Height).ShouldBe((1024, 1024));
        var px = grounded.Boxes[0].Pixels!.Value;
        px.XMin.ShouldBe(64 + 0.105 * 896, 1e-6);
        px.YMin.ShouldBe(64 + 0.605 * 896, 1e-6);
        px.XMax.ShouldBe(64 + 0.405 * 896, 1e-6);
        px.YMax.ShouldBe(64 + 0.905 * 896, 1e-6);
        grounded.Boxes[0].Normalized.XMin.ShouldBe(px.XMin / 1024, 1e-9);
        result.MalformedObjects.ShouldBe(1);                   // the truncated second object...
        result.MalformedBoxes.ShouldBe(1);                     // ...and its unclosed box: counted, not fatal
        result.Findings.Count(f => f.Boxes.Count == 0).ShouldBeGreaterThan(0); // the model's own sentences stay plain findings
    }

    [Fact]
    public async Task Cli_draft_prints_the_contract_json_with_provenance()
    {
        using var dir = new TempDir();
        var priorReport = Path.Combine(dir.Path, "prior.txt");
        await File.WriteAllTextAsync(priorReport, "FINDINGS: Lungs are clear. IMPRESSION: Normal.", Ct);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var options = new DraftCliOptions
        {
            Image = SharedData.Data("images", "00000001_000.png"), Lateral = SharedData.Data("images", "00027426_000.png"),
            Prior = SharedData.Data("images", "siim-cxr-sample.dcm"), PriorReport = priorReport,
            Model = SetId, Grounded = true, Indication = "dyspnoea", MaxTokens = 40, Threads = 1,
        };
        (await DraftCommand.RunAsync(options, stdout, stderr, Resolver(), Ct)).ShouldBe(0, stderr.ToString());
        using var doc = JsonDocument.Parse(stdout.ToString());
        var root = doc.RootElement;
        root.GetProperty("findings").GetArrayLength().ShouldBeGreaterThan(0);
        root.GetProperty("findings")[0].GetProperty("boxes").ValueKind.ShouldBe(JsonValueKind.Array);
        root.GetProperty("impression").ValueKind.ShouldBe(JsonValueKind.Null);
        root.GetProperty("malformed_boxes").GetInt32().ShouldBeGreaterThanOrEqualTo(0);
        var provenance = root.GetProperty("provenance");
        provenance.GetProperty("model_set").GetString().ShouldBe(SetId);
        provenance.GetProperty("images_injected").GetInt32().ShouldBe(3);   // frontal, lateral, prior frontal
        provenance.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ShouldBe(["stories260k", "mobilenetv2-int8", "projector-mobilenet-64"]);
        provenance.GetProperty("prompt").GetProperty("sha256").GetString()!.Length.ShouldBe(64);
        root.GetProperty("image").GetProperty("width").GetInt32().ShouldBe(512);

        // --stream: one NDJSON line per finding, then "done"; the same findings as the non-streamed run.
        var streamed = new StringWriter();
        (await DraftCommand.RunAsync(options with { Stream = true }, streamed, new StringWriter(), Resolver(), Ct)).ShouldBe(0);
        var lines = streamed.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        lines[^1].GetProperty("type").GetString().ShouldBe("done");
        lines[^1].GetProperty("text").GetString().ShouldBe(root.GetProperty("text").GetString());
        lines[^1].GetProperty("provenance").GetProperty("prompt_tokens").GetInt32().ShouldBe(provenance.GetProperty("prompt_tokens").GetInt32());
        lines[..^1].Select(l => l.GetProperty("text").GetString())
            .ShouldBe(root.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("text").GetString()).ToList());
    }

    [Fact]
    public async Task Bad_input_is_one_line_on_stderr_and_a_non_zero_exit()
    {
        using var dir = new TempDir();
        var corrupt = Path.Combine(dir.Path, "corrupt.png");
        await File.WriteAllBytesAsync(corrupt, [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 0, 0, 0, 13, 1, 2, 3], Ct);
        var png = SharedData.Data("images", "00000001_000.png");
        var cases = new (DraftCliOptions Options, string Message)[]
        {
            (new() { Image = corrupt, Model = SetId }, "--image: cannot decode corrupt.png"),
            (new() { Image = Path.Combine(dir.Path, "missing.png"), Model = SetId }, "--image: file not found"),
            (new() { Image = png, Modality = "ct" }, "needs a series"),
            (new() { Image = png, Modality = "mri" }, "--modality"),
            (new() { Image = png, Model = "stories260k-mobilenet-ct" }, "is for ct, not cxr"),
            (new() { Image = png, Model = "mobilenetv2-int8" }, "not an llm or a model set"),
            (new() { Image = png, Model = SetId, Lateral = corrupt }, "--lateral: cannot decode"),
        };
        foreach (var (options, message) in cases)
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            (await DraftCommand.RunAsync(options, stdout, stderr, Resolver(), Ct)).ShouldBe(2, stderr.ToString());
            stdout.ToString().ShouldBeEmpty();
            var error = stderr.ToString().TrimEnd();
            error.ShouldStartWith("reportgen draft: ");
            error.ShouldContain(message);
            error.ShouldNotContain("\n");                     // one line, no stack trace
        }
    }

    [Fact]
    public async Task As_a_process_stdout_is_one_json_document_and_logs_stay_on_stderr()
    {
        var png = SharedData.Data("images", "00000001_000.png");
        var dll = Path.Combine(AppContext.BaseDirectory, "reportgen.dll");
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { dll, "draft", "--image", png, "--model", SetId, "--max-tokens", "20" }) psi.ArgumentList.Add(a);
        psi.Environment["REPORTGEN_MODELS"] = string.Join(Path.PathSeparator, RepoFiles.Path("tests", "fixtures", "onnx"), SharedData.Require("models"));
        psi.Environment["REPORTGEN_LLM_THREADS"] = "1";
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdoutTask = process.StandardOutput.ReadToEndAsync(Ct);
        var stderrTask = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        var (stdout, stderr) = (await stdoutTask, await stderrTask);
        process.ExitCode.ShouldBe(0, stderr);
        stderr.ShouldContain("llama.cpp: ");                  // native load warnings: stderr only
        using var doc = JsonDocument.Parse(stdout);           // stdout: exactly one JSON document
        doc.RootElement.GetProperty("provenance").GetProperty("model_set").GetString().ShouldBe(SetId);
        stdout.Trim().Split('\n').Length.ShouldBe(1);
    }

    /// <summary>The set, counting what it embeds.</summary>
    internal sealed class CountingProvider(Core.Imaging.IImageEmbeddingProvider inner) : Core.Imaging.IImageEmbeddingProvider
    {
        public int Calls;
        public int Rows;

        public int Dimension => inner.Dimension;

        public async Task<Core.Imaging.ImageEmbeddings> EmbedAsync(ReadOnlyMemory<byte> image, string? mediaType, CancellationToken cancellationToken)
        {
            var e = await inner.EmbedAsync(image, mediaType, cancellationToken);
            Interlocked.Increment(ref Calls);
            Interlocked.Add(ref Rows, e.Tokens);
            return e;
        }
    }

    /// <summary>Passes the real model's answer on with a fixed suffix (grounded text a tiny model cannot write).</summary>
    private sealed class AppendingChatClient(IChatClient inner, string suffix) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, response.Text + suffix)) { Usage = response.Usage };
        }

        // The wrapper is borrowed: the drafter disposes the real client.
        protected override void Dispose(bool disposing)
        {
        }
    }
}
