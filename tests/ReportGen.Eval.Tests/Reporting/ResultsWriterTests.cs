using System.Text.Json.Nodes;
using System.Xml.Linq;
using ReportGen.Eval.Reporting;
using ReportGen.TestSupport;

namespace ReportGen.Eval.Tests.Reporting;

[Fast]
public sealed class ResultsWriterTests
{
    private static EvalReport SampleReport() => new EvalReport("classify", "Classification <dev>")
        .AddMetric("macro_f1", 0.75, "macro F1 over labels")
        .AddMetric("undefined_metric", double.NaN)
        .AddBarChart("Per-label F1", [("Cardiomegaly", 0.9), ("Edema & <b>", 0.4), ("Fracture", double.NaN)])
        .AddConfusionMatrix("Confusion", ["positive", "negative", "uncertain"], new[,] { { 5, 1, 0 }, { 2, 7, 1 }, { 0, 0, 3 } })
        .AddHistogram("Latency", [10, 12, 13, 15, 40, 11, 12], bins: 5)
        .AddTable("Rows", ["id", "score"], [["a", "0.5"], ["b", "1"]])
        .AddNote("Protocol", "line one\nline <two>")
        .AddItem(new { Id = "a", Score = 0.5 });

    [Fact]
    public void Results_json_has_the_metrics_contract_and_provenance()
    {
        using var dir = new TempDir();
        var provenance = new RunProvenance();
        var data = Path.Combine(dir.Path, "data.jsonl");
        File.WriteAllText(data, "{}\n");
        var prompts = Directory.CreateDirectory(Path.Combine(dir.Path, "prompts")).FullName;
        File.WriteAllText(Path.Combine(prompts, "a.yaml"), "name: a\n");
        var model = Path.Combine(dir.Path, "m.gguf");
        File.WriteAllBytes(model, [1, 2, 3]);
        provenance.SetData(data).SetPrompts(prompts).AddModel("tiny", model).AddModel("absent", null);

        var written = ResultsWriter.Write(Path.Combine(dir.Path, "out"), SampleReport(), provenance);

        var json = JsonNode.Parse(File.ReadAllText(written.ResultsJson))!.AsObject();
        json["suite"]!.GetValue<string>().ShouldBe("classify");
        var metrics = json["metrics"]!.AsObject();
        metrics["macro_f1"]!.GetValue<double>().ShouldBe(0.75);
        metrics.ContainsKey("undefined_metric").ShouldBeFalse();      // name -> number only
        json["undefined_metrics"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe(["undefined_metric"]);
        var p = json["provenance"]!.AsObject();
        p["data"]!["sha256"]!.GetValue<string>().ShouldBe(Hashing.FileSha256(data));
        p["prompts"]!["files"]!.GetValue<int>().ShouldBe(1);
        p["models"]![0]!["sha256"]!.GetValue<string>().ShouldBe("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"); // sha256 of 01 02 03
        p["models"]![1]!["sha256"].ShouldBeNull();
        p["machine"]!["processor_count"]!.GetValue<int>().ShouldBe(Environment.ProcessorCount);
        p["started_utc"].ShouldNotBeNull();
        json["items"]!.AsArray().Count.ShouldBe(1);
        json["tables"]![0]!["rows"]!.AsArray().Count.ShouldBe(2);
    }

    [Fact]
    public void Git_commit_is_recorded_from_this_checkout()
    {
        // A worktree has a .git file, a clone a .git folder; a copied tree has neither and git cannot answer.
        var dotGit = Path.Combine(RepoFiles.Root, ".git");
        if (!File.Exists(dotGit) && !Directory.Exists(dotGit)) Assert.Skip("this tree is not a git checkout");
        var commit = new RunProvenance().GitCommit;
        commit.ShouldNotBeNull();
        commit.Length.ShouldBe(40);
    }

    [Fact]
    public void Report_html_is_self_contained_escaped_and_its_svgs_are_well_formed()
    {
        using var dir = new TempDir();
        var written = ResultsWriter.Write(dir.Path, SampleReport(), new RunProvenance());
        var html = File.ReadAllText(written.ReportHtml);

        html.ShouldStartWith("<!DOCTYPE html>");
        html.ShouldNotContain("<script");
        html.ShouldNotContain("src=\"http");
        html.ShouldNotContain("href=\"http");
        html.ShouldContain("Classification &lt;dev&gt;");
        html.ShouldContain("Edema &amp; &lt;b&gt;");
        html.ShouldContain("line &lt;two&gt;");
        html.ShouldContain("undefined");

        var svgs = System.Text.RegularExpressions.Regex.Matches(html, "<svg.*?</svg>", System.Text.RegularExpressions.RegexOptions.Singleline);
        svgs.Count.ShouldBe(3);
        foreach (System.Text.RegularExpressions.Match svg in svgs)
        {
            Should.NotThrow(() => XElement.Parse(svg.Value.Replace("&nbsp;", " ", StringComparison.Ordinal)));
        }
        // Confusion matrix cells carry the counts; the histogram marks p50 and p95.
        svgs[1].Value.ShouldContain(">7</text>");
        svgs[2].Value.ShouldContain("p95");
    }

    [Fact]
    public void Confusion_matrix_shape_is_checked()
        => Should.Throw<ArgumentException>(() => new EvalReport("x").AddConfusionMatrix("c", ["a", "b"], new int[3, 3]));

    [Fact]
    public void Prompts_hash_changes_with_content_and_not_with_enumeration_order()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "b.yaml"), "b");
        File.WriteAllText(Path.Combine(dir.Path, "a.yaml"), "a");
        var first = Hashing.FolderSha256(dir.Path, out var n);
        n.ShouldBe(2);
        Hashing.FolderSha256(dir.Path, out _).ShouldBe(first);
        File.WriteAllText(Path.Combine(dir.Path, "a.yaml"), "a2");
        Hashing.FolderSha256(dir.Path, out _).ShouldNotBe(first);
    }
}

[Fast]
public sealed class LatencyStatsTests
{
    [Fact]
    public void Percentiles_interpolate_linearly_like_numpy()
    {
        // numpy.percentile([1..10], 50) = 5.5, 95 -> 9.55
        var stats = LatencyStats.From(Enumerable.Range(1, 10).Select(i => (double)i));
        stats.P50Ms.ShouldBe(5.5, 1e-12);
        stats.P95Ms.ShouldBe(9.55, 1e-12);
        stats.MeanMs.ShouldBe(5.5);
        stats.Count.ShouldBe(10);
        LatencyStats.From(Array.Empty<double>()).Count.ShouldBe(0);
    }

    [Fact]
    public void Adds_latency_metrics_to_a_report()
    {
        var report = new EvalReport("bench");
        LatencyStats.From([TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(30)]).AddTo(report, "token");
        report.Metrics["latency_token_p50_ms"].ShouldBe(20, 1e-9);
    }
}

[Fast]
public sealed class EvalComparisonTests
{
    [Fact]
    public void Lines_up_metrics_and_provenance_differences()
    {
        using var dir = new TempDir();
        var a = ResultsWriter.Write(Path.Combine(dir.Path, "a"), new EvalReport("s").AddMetric("f1", 0.5).AddMetric("only_a", 1), new RunProvenance());
        var b = ResultsWriter.Write(Path.Combine(dir.Path, "b"), new EvalReport("s").AddMetric("f1", 0.6).AddMetric("only_b", 2), new RunProvenance().AddModel("m", null));

        var comparison = EvalComparison.Compare(Path.Combine(dir.Path, "a"), b.ResultsJson);
        var f1 = comparison.Metrics.Single(m => m.Name == "f1");
        f1.Delta!.Value.ShouldBe(0.1, 1e-12);
        f1.RelativeDelta!.Value.ShouldBe(0.2, 1e-12);
        comparison.Metrics.Single(m => m.Name == "only_a").B.ShouldBeNull();
        comparison.Metrics.Single(m => m.Name == "only_b").A.ShouldBeNull();
        comparison.ProvenanceDifferences.ShouldContain(d => d.What == "models");
    }

    [Fact]
    public void A_file_without_metrics_is_a_clear_error()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "results.json");
        File.WriteAllText(path, "{\"x\": 1}");
        Should.Throw<InvalidDataException>(() => EvalComparison.Load(path)).Message.ShouldContain("metrics");
    }
}
