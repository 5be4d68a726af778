using System.Text.Json.Nodes;
using ReportGen.Eval.Metrics.Judging;
using ReportGen.Eval.Suites;
using ReportGen.TestSupport;

namespace ReportGen.Eval.Tests.Reporting;

public sealed class JudgingSuiteTests
{
    [Fact]
    public async Task Stored_labels_run_writes_the_fidelity_numbers()
    {
        var data = SharedData.Data("radfact", "test_examples.json");
        using var dir = new TempDir();
        var written = await JudgingSuite.RunAsync(data, dir.Path, judge: null, new JudgingSuiteOptions { BootstrapResamples = 50 }, TestContext.Current.CancellationToken);

        var metrics = JsonNode.Parse(File.ReadAllText(written.ResultsJson))!["metrics"]!.AsObject();
        metrics["radfact_logical_f1"]!.GetValue<double>().ShouldBe(0.2962989993350525, 1e-12);
        metrics["radfact_num_samples"]!.GetValue<double>().ShouldBe(34);
        File.ReadAllText(written.ReportHtml).ShouldContain("RadFact logical scores");
    }

    [Fact]
    public async Task A_judge_is_scored_its_failures_counted_and_its_agreement_reported()
    {
        var data = SharedData.Data("radfact", "test_examples.json");
        using var dir = new TempDir();
        var calls = 0;
        // A judge that returns the stored labels but fails on every fifth example.
        RadFactJudge judge = (example, ct) =>
        {
            var n = Interlocked.Increment(ref calls);
            if (n % 5 == 0) throw new InvalidOperationException("model returned no JSON");
            return Task.FromResult(example.Labels);
        };
        var written = await JudgingSuite.RunAsync(data, dir.Path, judge, new JudgingSuiteOptions { BootstrapResamples = 20, JudgeName = "fake" }, TestContext.Current.CancellationToken);

        var json = JsonNode.Parse(File.ReadAllText(written.ResultsJson))!;
        var metrics = json["metrics"]!.AsObject();
        metrics["radfact_num_invalid_samples"]!.GetValue<double>().ShouldBe(6);   // examples 5,10,...,30
        metrics["radfact_num_samples"]!.GetValue<double>().ShouldBe(28);
        metrics["judge_status_accuracy"]!.GetValue<double>().ShouldBe(1.0);
        metrics.ContainsKey("latency_judge_example_p95_ms").ShouldBeTrue();
        json["items"]!.AsArray().Count(i => i!["status"]!.GetValue<string>() == "judge_failed").ShouldBe(6);
        var html = File.ReadAllText(written.ReportHtml);
        html.ShouldContain("Judge status vs stored label");
        html.ShouldContain("Judge latency per example");
    }
}
