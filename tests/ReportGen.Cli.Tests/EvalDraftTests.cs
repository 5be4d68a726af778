using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.Eval.Suites;
using ReportGen.Pipelines.Drafting;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>The drafting eval suite on eval/data/drafting-pairs.jsonl (shared images, synthetic reference texts).</summary>
public class EvalDraftTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string Pairs => RepoFiles.Path("eval", "data", "drafting-pairs.jsonl");

    [Fact]
    public async Task Eval_draft_runs_the_pipeline_and_writes_results_json_and_report_html()
    {
        SharedData.Data("images", "00000001_000.png");
        using var dir = new TempDir();
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = await EvalDraftCommand.RunAsync(Pairs, dir.Path, "stories260k-mobilenet", grounded: false, maxTokens: 24, threads: 1,
            DraftingEndToEndTests.Resolver(), stdout, stderr, Ct);
        code.ShouldBe(0, stderr.ToString());
        stderr.ToString().ShouldContain("3/3 drafted");

        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.Path, "results.json"), Ct));
        var metrics = results.RootElement.GetProperty("metrics");
        foreach (var name in new[] { "bleu_4", "rouge_l", "cider_d", "chexpert14_micro_f1_u_pos", "chexpert5_macro_f1_u_neg", "radgraph_partial", "rules_judge_score", "latency_draft_p50_ms" })
            metrics.GetProperty(name).ValueKind.ShouldBe(JsonValueKind.Number, name);
        metrics.GetProperty("pairs").GetDouble().ShouldBe(3);
        metrics.GetProperty("empty_drafts").GetDouble().ShouldBe(0);
        var models = results.RootElement.GetProperty("provenance").GetProperty("models").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        models.ShouldBe(["stories260k", "mobilenetv2-int8", "projector-mobilenet-64"]);
        var html = await File.ReadAllTextAsync(Path.Combine(dir.Path, "report.html"), Ct);
        html.ShouldContain("<svg");
        html.ShouldContain("nih-00027426_000");
    }

    [Fact]
    public async Task The_suite_scores_a_perfect_draft_as_perfect_and_an_unrelated_one_low()
    {
        SharedData.Data("images", "00000001_000.png");
        var pairs = DraftingSuite.LoadPairs(Pairs);
        pairs.Count.ShouldBe(3);
        Task<DraftResult> Echo(DraftingPair p, CancellationToken _) => Task.FromResult(DraftingService.Parse(p.Findings, null));
        Task<DraftResult> Story(DraftingPair p, CancellationToken _) => Task.FromResult(DraftingService.Parse("Once upon a time there was a little dog.", null));

        using var perfect = new TempDir();
        await DraftingSuite.RunAsync(Pairs, perfect.Path, Echo, null, null, Ct);
        using var unrelated = new TempDir();
        await DraftingSuite.RunAsync(Pairs, unrelated.Path, Story, null, null, Ct);

        var p = Metrics(perfect.Path);
        p["bleu_4"].ShouldBe(1.0, 1e-6);
        p["rouge_l"].ShouldBe(1.0, 1e-6);
        p["radgraph_partial"].ShouldBe(1.0, 1e-6);
        p["chexpert14_micro_f1_u_pos"].ShouldBe(1.0, 1e-6);
        p["rules_judge_score"].ShouldBe(1.0, 1e-6);
        var u = Metrics(unrelated.Path);
        u["rouge_l"].ShouldBeLessThan(0.2);
        u["chexpert14_micro_f1_u_pos"].ShouldBe(0);
        u["rules_judge_score"].ShouldBe(0);
    }

    [Fact]
    public async Task Empty_and_broken_drafts_are_scored_not_refused()
    {
        SharedData.Data("images", "00000001_000.png");
        DraftingSuite.ScoringText("Heart \uFFFD normal.\u0001 ").ShouldBe("Heart normal.");
        Task<DraftResult> Empty(DraftingPair p, CancellationToken _) => Task.FromResult(DraftingService.Parse(p.Id == "siim-cxr-sample" ? "" : "\uFFFD\u0002 Lungs clear.", null));
        using var dir = new TempDir();
        await DraftingSuite.RunAsync(Pairs, dir.Path, Empty, null, null, Ct);
        var m = Metrics(dir.Path);
        m["empty_drafts"].ShouldBe(1);
        m["rules_judge_score"].ShouldBeLessThan(1);
    }

    [Fact]
    public async Task Bad_pairs_files_exit_2_naming_the_line()
    {
        using var dir = new TempDir();
        var bad = Path.Combine(dir.Path, "pairs.jsonl");
        await File.WriteAllTextAsync(bad, "{\"image\": \"missing.png\", \"findings\": \"x\"}\n", Ct);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        (await EvalDraftCommand.RunAsync(bad, dir.Path, null, false, 10, 1, null, stdout, stderr, Ct)).ShouldBe(2);
        stderr.ToString().ShouldContain("line 1: \"image\" not found");
        await File.WriteAllTextAsync(bad, "{\"image\": \"x.png\"}\n", Ct);
        (await EvalDraftCommand.RunAsync(bad, dir.Path, null, false, 10, 1, null, stdout, stderr, Ct)).ShouldBe(2);
        stderr.ToString().ShouldContain("no \"findings\"");
    }

    private static Dictionary<string, double> Metrics(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        return doc.RootElement.GetProperty("metrics").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
    }
}
