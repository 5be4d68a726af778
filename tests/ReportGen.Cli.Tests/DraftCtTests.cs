using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.Eval.Bench;
using ReportGen.Llama;
using ReportGen.Onnx;
using ReportGen.Pipelines.Drafting;
using ReportGen.Pipelines.Prompts;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>CT drafting on synthetic series (SyntheticDicom.CreateCtSeries): slice sampling per the set, organ-system grouping.</summary>
public class DraftCtTests
{
    private const string CtSet = "stories260k-mobilenet-ct";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_series_is_sampled_per_the_manifest_and_the_findings_are_grouped_per_organ_system()
    {
        using var set = VisionLanguageModelSet.Load(DraftingEndToEndTests.Resolver(), CtSet);
        set.Definition.Ct!.Slices.ShouldBe(4);
        var images = new DraftingEndToEndTests.CountingProvider(set);
        using var chat = CliChatClients.Local(LlamaModel.Load(set.Llm.Path!), set.Llm.Entry.Id, images, threads: 1);
        var service = new DraftingService(chat, PromptLibrary.LoadDefault());
        DraftRequest Request(byte[] zip) => new()
        {
            Frontal = new StudyImage(zip, VisionLanguageModelSet.CtSeriesMediaType), Modality = "ct", MaxOutputTokens = 40, Indication = "staging",
        };
        var plain = SyntheticDicom.Zip(SyntheticDicom.CreateCtSeries());
        var nodule = SyntheticDicom.Zip(SyntheticDicom.CreateCtSeries(noduleRadius: 0.15));

        var first = await service.DraftAsync(Request(plain), Ct);
        images.Rows.ShouldBe(4 * 4);                           // 4 sampled slices x 4 image tokens each, one prompt
        var again = await service.DraftAsync(Request(plain), Ct);
        var other = await service.DraftAsync(Request(nodule), Ct);
        again.RawText.ShouldBe(first.RawText);
        other.RawText.ShouldNotBe(first.RawText);             // the nodule slices change the injected tokens

        first.ByOrganSystem.ShouldNotBeNull();
        first.ByOrganSystem.Keys.ShouldBe(OrganSystems.Order);
        first.ByOrganSystem.Values.Sum(v => v.Count).ShouldBe(first.Findings.Count);
    }

    [Fact]
    public async Task Cli_takes_a_series_folder_or_zip_and_prints_organ_systems()
    {
        using var dir = new TempDir();
        var folder = Directory.CreateDirectory(Path.Combine(dir.Path, "series")).FullName;
        var files = SyntheticDicom.CreateCtSeries();
        for (var i = 0; i < files.Count; i++) await File.WriteAllBytesAsync(Path.Combine(folder, $"IM{i:D4}"), files[i], Ct);
        var zip = Path.Combine(dir.Path, "series.zip");
        await File.WriteAllBytesAsync(zip, SyntheticDicom.Zip(files), Ct);

        var outputs = new List<string>();
        foreach (var input in new[] { folder, zip })
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            var options = new DraftCliOptions { Image = input, Modality = "ct", MaxTokens = 30, Threads = 1 };
            (await DraftCommand.RunAsync(options, stdout, stderr, DraftingEndToEndTests.Resolver(), Ct)).ShouldBe(0, stderr.ToString());
            using var doc = JsonDocument.Parse(stdout.ToString());
            doc.RootElement.GetProperty("modality").GetString().ShouldBe("ct");
            doc.RootElement.GetProperty("provenance").GetProperty("model_set").GetString().ShouldBe(CtSet);
            doc.RootElement.GetProperty("organ_systems").EnumerateObject().Select(p => p.Name)
                .ShouldBe(["pleura", "airways", "heart/mediastinum", "bones", "upper abdomen", "lungs", "other"]);
            outputs.Add(doc.RootElement.GetProperty("text").GetString()!);
        }
        outputs[1].ShouldBe(outputs[0]);                      // folder and zip are the same series

        // A single slice, or a CT series with a CXR set, is bad input.
        var (o, e) = (new StringWriter(), new StringWriter());
        (await DraftCommand.RunAsync(new DraftCliOptions { Image = Path.Combine(folder, "IM0000"), Model = "stories260k-mobilenet" }, o, e, DraftingEndToEndTests.Resolver(), Ct)).ShouldBe(2);
        e.ToString().ShouldContain("CT slice");
        (o, e) = (new StringWriter(), new StringWriter());
        (await DraftCommand.RunAsync(new DraftCliOptions { Image = zip, Model = "stories260k-mobilenet" }, o, e, DraftingEndToEndTests.Resolver(), Ct)).ShouldBe(2);
        e.ToString().ShouldContain("is a CT series; use --modality ct");
    }
}

/// <summary>The 3-D encoder path: encoder3d.onnx takes the whole (resampled) volume; one projection, 4 image tokens.</summary>
public class DraftCt3dTests
{
    [Fact]
    public async Task A_three_d_encoder_set_embeds_the_volume_once_and_drafts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var set = VisionLanguageModelSet.Load(DraftingEndToEndTests.Resolver(), "stories260k-encoder3d-ct");
        var plain = SyntheticDicom.Zip(SyntheticDicom.CreateCtSeries());
        var nodule = SyntheticDicom.Zip(SyntheticDicom.CreateCtSeries(noduleRadius: 0.2));
        var e = await set.EmbedAsync(plain, VisionLanguageModelSet.CtSeriesMediaType, ct);
        (e.Tokens, e.Dimension).ShouldBe((4, 64));
        (await set.EmbedAsync(plain, VisionLanguageModelSet.CtSeriesMediaType, ct)).Values.ShouldBe(e.Values);
        (await set.EmbedAsync(nodule, VisionLanguageModelSet.CtSeriesMediaType, ct)).Values.ShouldNotBe(e.Values);

        using var chat = CliChatClients.Local(LlamaModel.Load(set.Llm.Path!), set.Llm.Entry.Id, set, threads: 1);
        var result = await new DraftingService(chat, PromptLibrary.LoadDefault()).DraftAsync(new DraftRequest
        {
            Frontal = new StudyImage(plain, VisionLanguageModelSet.CtSeriesMediaType), Modality = "ct", MaxOutputTokens = 24,
        }, ct);
        result.ByOrganSystem.ShouldNotBeNull();
        result.Findings.ShouldNotBeEmpty();
    }
}
