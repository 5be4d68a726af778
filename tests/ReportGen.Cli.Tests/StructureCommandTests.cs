using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

public class StructureCommandTests
{
    private static async Task<(int Exit, string Out, string Err)> Structure(string input, string engine = "rules", string stdin = "", bool jsonl = false, string? model = null)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var exit = await StructureCommand.RunAsync(input, engine, model, jsonl, new StringReader(stdin), o, e, TestContext.Current.CancellationToken);
        return (exit, o.ToString(), e.ToString());
    }

    [Fact]
    public async Task A_single_report_prints_the_radgraph_layout_under_key_0()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "report.txt");
        await File.WriteAllTextAsync(path, "FINDINGS: Small left pleural effusion. No pneumothorax.", TestContext.Current.CancellationToken);
        var (exit, output, _) = await Structure(path);
        exit.ShouldBe(0);
        using var json = JsonDocument.Parse(output);
        var doc = json.RootElement.GetProperty("0");
        doc.GetProperty("text").GetString().ShouldBe("FINDINGS : Small left pleural effusion . No pneumothorax .");
        var labels = doc.GetProperty("entities").EnumerateObject().Select(p => p.Value.GetProperty("tokens").GetString() + ":" + p.Value.GetProperty("label").GetString()).ToList();
        labels.ShouldBe(["Small:OBS-DP", "left:ANAT-DP", "pleural:ANAT-DP", "effusion:OBS-DP", "pneumothorax:OBS-DA"]);
        doc.GetProperty("entities").GetProperty("4").GetProperty("relations")[0].EnumerateArray().Select(x => x.GetString()).ShouldBe(["located_at", "3"]);
    }

    [Fact]
    public async Task Jsonl_input_prints_one_line_per_report_with_the_id_and_flags_bad_lines()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "reports.jsonl");
        await File.WriteAllLinesAsync(path, ["""{"id":"a","text":"No effusion."}""", """{"id":7,"text":"Mild cardiomegaly."}""", """{"id":"c","text":""}""", "not json"], TestContext.Current.CancellationToken);
        var (exit, output, err) = await Structure(path);
        exit.ShouldBe(2);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2);
        using (var first = JsonDocument.Parse(lines[0])) first.RootElement.GetProperty("id").GetString().ShouldBe("a");
        using (var second = JsonDocument.Parse(lines[1])) second.RootElement.GetProperty("id").GetInt32().ShouldBe(7);
        err.ShouldContain("line 3: bad input (empty_text)");
        err.ShouldContain("line 4:");
    }

    [Fact]
    public async Task Bad_input_and_usage_exit_2_and_a_missing_model_runtime_exits_1()
    {
        (await Structure("-", stdin: "")).Exit.ShouldBe(2);
        var binary = await Structure("-", stdin: "abc\0def");
        binary.Exit.ShouldBe(2);
        binary.Err.ShouldContain("binary");
        (await Structure("/nonexistent/report.txt")).Exit.ShouldBe(2);
        (await Structure("-", engine: "magic", stdin: "No effusion.")).Exit.ShouldBe(2);
        (await Structure("-", engine: "llm", stdin: "No effusion.", model: "no-such-model")).Exit.ShouldBe(1);
        using var dir = new TempDir();
        var big = Path.Combine(dir.Path, "big.txt");
        await File.WriteAllTextAsync(big, new string('a', 1024 * 1024 + 1), TestContext.Current.CancellationToken);
        var tooLarge = await Structure(big);
        tooLarge.Exit.ShouldBe(2);
        tooLarge.Err.ShouldContain("larger than the limit");
    }

    [Fact]
    public async Task Eval_structure_scores_the_dev_set_and_bench_prints_a_table()
    {
        SharedData.Data("iu-xray", "val.jsonl"); // the dev set's IU X-ray texts are joined from there
        using var dir = new TempDir();
        var o = new StringWriter();
        var exit = await EvalStructureCommand.RunAsync(RepoFiles.Path("eval", "data", "radgraph-dev.jsonl"), dir.Path, "rules", null, o, new StringWriter(), TestContext.Current.CancellationToken);
        exit.ShouldBe(0, o.ToString());
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.Path, "results.json"), TestContext.Current.CancellationToken));
        results.RootElement.GetProperty("reports").GetInt32().ShouldBe(119);
        var metrics = results.RootElement.GetProperty("metrics");
        metrics.GetProperty("radgraph_simple").GetDouble().ShouldBeInRange(0.5, 1.0);
        metrics.GetProperty("section_accuracy").GetDouble().ShouldBe(1.0);
        // The rules must keep what they reached on reports nobody tuned them on (eval/structuring.md).
        var holdout = results.RootElement.GetProperty("metrics_by_split").GetProperty("holdout");
        holdout.GetProperty("reports").GetInt32().ShouldBe(34);
        holdout.GetProperty("radgraph_simple").GetDouble().ShouldBeGreaterThanOrEqualTo(0.98);
        holdout.GetProperty("radgraph_partial").GetDouble().ShouldBeGreaterThanOrEqualTo(0.96);
        // Reports annotated from the RadGraph schema before the engine first ran on them.
        var unseen = results.RootElement.GetProperty("metrics_by_split").GetProperty("unseen");
        unseen.GetProperty("reports").GetInt32().ShouldBe(15);
        unseen.GetProperty("radgraph_partial").GetDouble().ShouldBeGreaterThanOrEqualTo(0.95);
        metrics.GetProperty("radgraph_relation_micro_f1").GetDouble().ShouldBeInRange(0.5, 1.0);
        File.ReadAllLines(Path.Combine(dir.Path, "predictions.jsonl")).Length.ShouldBe(119);

        var data = SharedData.Data("iu-xray", "train.jsonl");
        var bench = new StringWriter();
        BenchStructureCommand.Run(data, 0.05, bench, new StringWriter()).ShouldBe(0);
        bench.ToString().ShouldContain("reports/s");
    }

    [Fact]
    public async Task The_llm_engine_runs_on_the_real_llama_runtime_and_reports_what_it_kept()
    {
        SharedData.Model("stories260K.gguf");
        var (exit, output, err) = await Structure("-", engine: "llm", stdin: "No pneumothorax.", model: "stories260k");
        exit.ShouldBe(0, err);
        using var json = JsonDocument.Parse(output);
        json.RootElement.GetProperty("0").GetProperty("text").GetString().ShouldBe("No pneumothorax .");
        json.RootElement.GetProperty("prompt").GetProperty("name").GetString().ShouldBe("structure-radgraph");
        json.RootElement.GetProperty("prompt").GetProperty("sha256").GetString().ShouldBe(ReportGen.Pipelines.Prompts.PromptLibrary.LoadDefault()["structure-radgraph"].ContentHash);
        err.ShouldContain("structure: model entities ");
    }
}
