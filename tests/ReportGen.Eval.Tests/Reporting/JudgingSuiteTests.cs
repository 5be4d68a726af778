using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ReportGen.Eval.Metrics.Judging;
using ReportGen.Eval.Suites;
using ReportGen.Llama;
using ReportGen.Pipelines.Prompts;
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

    [Fact]
    public async Task The_pipeline_judge_labels_examples_with_the_real_model_and_cut_off_answers_make_invalid_samples()
    {
        // Two one-phrase examples in RadFact's file format, judged by the pipeline's RadFactJudge over stories260K
        // (Threads = 1): with room to finish the constrained verdicts parse and the sample is scored; cut off at 40 tokens
        // they are unreadable and the sample is invalid (counted, never scored as "not entailed").
        using var dir = new TempDir();
        var data = Path.Combine(dir.Path, "examples.json");
        await File.WriteAllTextAsync(data, """
            [{"example_id": "e1", "input": {"phrases_A": ["Left pleural effusion."], "phrases_B": ["Small left pleural effusion."]},
              "output": {"phrases_A_evidenced": [{"phrase": "Left pleural effusion.", "status": "entailment", "evidence": ["Small left pleural effusion."]}],
                         "phrases_B_evidenced": [{"phrase": "Small left pleural effusion.", "status": "entailment", "evidence": ["Left pleural effusion."]}]}}]
            """, TestContext.Current.CancellationToken);
        using var model = LlamaModel.Load(SharedData.Model("stories260K.gguf"));
        await using var scheduler = new SequenceScheduler(model, new SchedulerOptions
        {
            Context = new LlamaContextOptions { ContextSize = 4096, Sequences = 1, BatchSize = 256, Threads = 1 },
        });
        using IChatClient chat = new LlamaChatClient(scheduler);

        var roomy = JudgingSuite.FromPipeline(new Pipelines.Judging.RadFactJudge(chat, PromptLibrary.LoadDefault(), maxOutputTokens: 1100));
        var written = await JudgingSuite.RunAsync(data, Path.Combine(dir.Path, "roomy"), roomy, new JudgingSuiteOptions { BootstrapResamples = 10, JudgeName = "stories260K" }, TestContext.Current.CancellationToken);
        var metrics = JsonNode.Parse(File.ReadAllText(written.ResultsJson))!["metrics"]!.AsObject();
        metrics["radfact_num_samples"]!.GetValue<double>().ShouldBe(1);
        metrics["radfact_num_invalid_samples"]!.GetValue<double>().ShouldBe(0);
        metrics["radfact_logical_precision"]!.GetValue<double>().ShouldBeOneOf(0.0, 1.0);
        metrics["judge_phrases_compared"]!.GetValue<double>().ShouldBe(2);

        var cramped = JudgingSuite.FromPipeline(new Pipelines.Judging.RadFactJudge(chat, PromptLibrary.LoadDefault(), maxOutputTokens: 40));
        written = await JudgingSuite.RunAsync(data, Path.Combine(dir.Path, "cramped"), cramped, new JudgingSuiteOptions { BootstrapResamples = 10, JudgeName = "stories260K" }, TestContext.Current.CancellationToken);
        metrics = JsonNode.Parse(File.ReadAllText(written.ResultsJson))!["metrics"]!.AsObject();
        metrics["radfact_num_invalid_samples"]!.GetValue<double>().ShouldBe(1);
        metrics["radfact_num_samples"]!.GetValue<double>().ShouldBe(0);
    }
}
