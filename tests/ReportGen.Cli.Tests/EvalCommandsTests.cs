using System.Text.Json.Nodes;
using ReportGen.Cli.Commands;
using ReportGen.TestSupport;
using Spectre.Console;

namespace ReportGen.Cli.Tests;

public sealed class EvalJudgeCommandTests
{
    [Fact]
    public async Task Writes_results_and_report_and_prints_the_metrics()
    {
        var data = SharedData.Data("radfact", "test_examples.json");
        using var dir = new TempDir();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var rc = await EvalJudgeCommand.RunAsync(data, dir.Path, null, null, stdout, stderr, TestContext.Current.CancellationToken);

        rc.ShouldBe(0, stderr.ToString());
        var summary = JsonNode.Parse(stdout.ToString())!;
        summary["metrics"]!["radfact_logical_f1"]!.GetValue<double>().ShouldBe(0.2962989993350525, 1e-12);
        File.Exists(Path.Combine(dir.Path, "results.json")).ShouldBeTrue();
        File.Exists(Path.Combine(dir.Path, "report.html")).ShouldBeTrue();
    }

    [Fact]
    public async Task Grounded_examples_without_a_model_run_the_named_oracle_and_report_box_scores()
    {
        var data = SharedData.Data("radfact", "grounded_reporting_examples.json");
        using var dir = new TempDir();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var rc = await EvalJudgeCommand.RunAsync(data, dir.Path, null, null, stdout, stderr, TestContext.Current.CancellationToken);

        rc.ShouldBe(0, stderr.ToString());
        var metrics = JsonNode.Parse(stdout.ToString())!["metrics"]!;
        foreach (var key in new[] { "logical", "grounding", "spatial" })
            foreach (var part in new[] { "precision", "recall", "f1" })
                metrics[$"radfact_{key}_{part}"].ShouldNotBeNull($"{key} {part}");
        metrics["radfact_spatial_precision"]!.GetValue<double>().ShouldBe(1.0 / 28, 1e-12);
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(dir.Path, "results.json")))!;
        results["provenance"]!["settings"]!["judge"]!.GetValue<string>().ShouldBe("oracle-normalised-phrase-match");
        File.ReadAllText(Path.Combine(dir.Path, "report.html")).ShouldContain("spatial precision");
    }

    [Fact]
    public async Task Bad_input_exits_2_and_a_missing_judge_runtime_exits_1()
    {
        using var dir = new TempDir();
        var stderr = new StringWriter();
        (await EvalJudgeCommand.RunAsync(Path.Combine(dir.Path, "none.json"), dir.Path, null, null, TextWriter.Null, stderr, TestContext.Current.CancellationToken)).ShouldBe(2);
        stderr.ToString().ShouldContain("does not exist");

        var notExamples = Path.Combine(dir.Path, "bad.json");
        File.WriteAllText(notExamples, "{\"a\": 1}");
        (await EvalJudgeCommand.RunAsync(notExamples, Path.Combine(dir.Path, "o"), null, null, TextWriter.Null, TextWriter.Null, TestContext.Current.CancellationToken)).ShouldBe(2);

        var data = SharedData.Data("radfact", "test_examples.json");
        var err = new StringWriter();
        (await EvalJudgeCommand.RunAsync(data, dir.Path, null, "no-such-model", TextWriter.Null, err, TestContext.Current.CancellationToken)).ShouldBe(1);
        err.ToString().ShouldContain("no LLM judge");
        var zero = new StringWriter();
        (await EvalJudgeCommand.RunAsync(data, dir.Path, null, "stories260k", TextWriter.Null, zero, TestContext.Current.CancellationToken, maxTokens: 0)).ShouldBe(2);
        zero.ToString().ShouldContain("--max-tokens");
    }
}

public sealed class EvalCompareCommandTests
{
    [Fact]
    public void Prints_the_metric_differences_and_exits_0()
    {
        using var dir = new TempDir();
        Write(Path.Combine(dir.Path, "a"), 0.5);
        Write(Path.Combine(dir.Path, "b"), 0.75);
        var output = new StringWriter();
        var rc = EvalCompareCommand.Run(Path.Combine(dir.Path, "a"), Path.Combine(dir.Path, "b", "results.json"), PlainConsole(output), TextWriter.Null);
        rc.ShouldBe(0);
        var text = output.ToString();
        text.ShouldContain("logical_f1");
        text.ShouldContain("+0.25");
        text.ShouldContain("+50.0%");
    }

    [Fact]
    public void A_missing_run_exits_2()
    {
        using var dir = new TempDir();
        var stderr = new StringWriter();
        EvalCompareCommand.Run(Path.Combine(dir.Path, "x"), Path.Combine(dir.Path, "y"), PlainConsole(new StringWriter()), stderr).ShouldBe(2);
        stderr.ToString().ShouldContain("no results.json");
    }

    private static IAnsiConsole PlainConsole(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Out = new AnsiConsoleOutput(writer),
    });

    private static void Write(string dir, double f1)
        => ReportGen.Eval.Reporting.ResultsWriter.Write(dir, new ReportGen.Eval.Reporting.EvalReport("judge").AddMetric("logical_f1", f1), new ReportGen.Eval.Reporting.RunProvenance());
}
