using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.Imaging;
using ReportGen.Onnx;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>Retrieval grounding with real MobileNetV2 embeddings of the shared images.</summary>
public class DraftRetrievalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Three stored studies (the shared images, with our own synthetic findings) in a JSONL next to copies of the images.</summary>
    private static string Studies(TempDir dir)
    {
        foreach (var f in new[] { "00000001_000.png", "00027426_000.png", "siim-cxr-sample.dcm" })
            File.Copy(SharedData.Data("images", f), Path.Combine(dir.Path, f));
        var path = Path.Combine(dir.Path, "studies.jsonl");
        File.WriteAllLines(path,
        [
            """{"id": "nih-1", "image": "00000001_000.png", "findings": "Synthetic: mild cardiomegaly. No effusion."}""",
            """{"id": "nih-2", "image": "00027426_000.png", "findings": "Synthetic: small right pleural effusion."}""",
            """{"id": "siim", "image": "siim-cxr-sample.dcm", "findings": "Synthetic: lungs are clear."}""",
        ]);
        return path;
    }

    [Fact]
    public void Index_builds_from_jsonl_finds_the_same_image_first_and_survives_save_and_load()
    {
        using var dir = new TempDir();
        using var set = VisionLanguageModelSet.Load(DraftingEndToEndTests.Resolver(), "stories260k-mobilenet");
        var index = StudyIndex.Build(Studies(dir), set.Encoder.Entry.Id, set.EncodePooled);
        index.Count.ShouldBe(3);
        index.Dimension.ShouldBe(1000);

        var query = set.EncodePooled(ImageDecoder.Decode(File.ReadAllBytes(SharedData.Data("images", "00027426_000.png"))));
        var hits = index.Search(query, 3);
        hits[0].Study.Id.ShouldBe("nih-2");
        hits[0].Similarity.ShouldBe(1.0, 1e-5);
        hits[1].Similarity.ShouldBeLessThan(0.9999);
        hits.Select(h => h.Similarity).ShouldBeInOrder(SortDirection.Descending);

        var saved = Path.Combine(dir.Path, "index.json");
        index.Save(saved);
        var loaded = StudyIndex.Load(saved);
        loaded.EncoderId.ShouldBe("mobilenetv2-int8");
        loaded.Search(query, 3).Select(h => (h.Study.Id, h.Study.Findings, Math.Round(h.Similarity, 5)))
            .ShouldBe(hits.Select(h => (h.Study.Id, h.Study.Findings, Math.Round(h.Similarity, 5))));
    }

    [Fact]
    public async Task Cli_retrieve_offers_the_k_nearest_findings_and_returns_them_as_evidence()
    {
        using var dir = new TempDir();
        var studies = Studies(dir);
        var saved = Path.Combine(dir.Path, "index.json");
        var options = new DraftCliOptions
        {
            Image = SharedData.Data("images", "00000001_000.png"), Model = "stories260k-mobilenet", MaxTokens = 24, Threads = 1,
            Retrieve = studies, K = 2, SaveIndex = saved,
        };
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        (await DraftCommand.RunAsync(options, stdout, stderr, DraftingEndToEndTests.Resolver(), Ct)).ShouldBe(0, stderr.ToString());
        using var doc = JsonDocument.Parse(stdout.ToString());
        var evidence = doc.RootElement.GetProperty("evidence");
        evidence.GetArrayLength().ShouldBe(2);
        evidence[0].GetProperty("study_id").GetString().ShouldBe("nih-1");
        evidence[0].GetProperty("similarity").GetDouble().ShouldBe(1.0, 1e-4);
        evidence[0].GetProperty("findings").GetString().ShouldBe("Synthetic: mild cardiomegaly. No effusion.");
        File.Exists(saved).ShouldBeTrue();

        // The saved index gives the same evidence, and the evidence is in the prompt (more prompt tokens than without).
        var (again, without) = (new StringWriter(), new StringWriter());
        (await DraftCommand.RunAsync(options with { Retrieve = saved, SaveIndex = null }, again, new StringWriter(), DraftingEndToEndTests.Resolver(), Ct)).ShouldBe(0);
        (await DraftCommand.RunAsync(options with { Retrieve = null, SaveIndex = null }, without, new StringWriter(), DraftingEndToEndTests.Resolver(), Ct)).ShouldBe(0);
        using var againDoc = JsonDocument.Parse(again.ToString());
        againDoc.RootElement.GetProperty("evidence").ToString().ShouldBe(evidence.ToString());
        using var withoutDoc = JsonDocument.Parse(without.ToString());
        withoutDoc.RootElement.TryGetProperty("evidence", out _).ShouldBeFalse();
        PromptTokens(doc).ShouldBeGreaterThan(PromptTokens(withoutDoc) + 10);
    }

    private static int PromptTokens(JsonDocument d) => d.RootElement.GetProperty("provenance").GetProperty("prompt_tokens").GetInt32();
}
