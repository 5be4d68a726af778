using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ReportGen.Pipelines.Judging;
using ReportGen.Pipelines.Prompts;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Judging;

/// <summary>A failed model call is a "failed" judgement that leaves a trace: a log line (type, message, stack; never report text) and a count.</summary>
[Fast]
public class JudgeFailureLoggingTests
{
    private const string Candidate = "Small left pleural effusion in Mr Zebrafinch.";
    private const string Reference = "No pleural effusion. Heart size normal.";

    [Fact]
    public async Task Every_llm_judge_logs_and_counts_a_failed_call_without_the_report_text()
    {
        var counted = new List<(string Stage, string Exception)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PipelineFailures.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var t = tags.ToArray().ToDictionary(kv => kv.Key, kv => kv.Value as string);
            lock (counted) counted.Add((t["stage"]!, t["exception"]!));
        });
        listener.Start();

        // The server's error quotes the prompt: the message is withheld, the type and the stack are kept.
        var echo = new HttpRequestException($"the chat server answered 400: prompt too long: '{Candidate}'");
        var plain = new HttpRequestException("the chat server answered 503: overloaded");
        var logger = new CapturingLogger();
        var prompts = PromptLibrary.LoadDefault();
        foreach (var method in new[] { JudgeMethod.Green, JudgeMethod.CheXprompt, JudgeMethod.RadFact })
        {
            var run = await new JudgeSettings(method).JudgeAsync(new GroundedReport([], Candidate), new GroundedReport([], Reference), null,
                new ThrowingChatClient(echo), prompts, logger, TestContext.Current.CancellationToken);
            run.Status.ShouldBe(JudgeStatus.Failed, method.ToString());
        }
        await new GreenJudge(new ThrowingChatClient(plain), prompts, logger: logger).JudgeAsync(Candidate, Reference, TestContext.Current.CancellationToken);

        logger.Lines.ShouldNotBeEmpty();
        logger.Lines.ShouldAllBe(l => l.Level == LogLevel.Warning && l.Exception == null);
        logger.Lines.ShouldNotContain(l => l.Text.Contains("Zebrafinch", StringComparison.OrdinalIgnoreCase) || l.Text.Contains("pleural", StringComparison.OrdinalIgnoreCase));
        logger.Lines.Select(l => l.Text.Split(' ')[0]).Distinct().ShouldBe(["judge-green", "judge-chexprompt", "judge-radfact"], ignoreOrder: true);
        logger.Lines.ShouldAllBe(l => l.Text.Contains("System.Net.Http.HttpRequestException") && l.Text.Contains(nameof(ThrowingChatClient)));   // type and stack (where it was thrown)
        logger.Lines[^1].Text.ShouldContain("overloaded");                                                                       // a message that quotes nothing is kept
        lock (counted)
        {
            counted.ShouldContain(("judge-green", nameof(HttpRequestException)));
            counted.ShouldContain(("judge-chexprompt", nameof(HttpRequestException)));
            counted.ShouldContain(("judge-radfact", nameof(HttpRequestException)));
        }
    }
}
