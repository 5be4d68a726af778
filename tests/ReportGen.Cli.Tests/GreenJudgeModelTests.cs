using Microsoft.Extensions.AI;
using ReportGen.Llama;
using ReportGen.Pipelines.Judging;
using ReportGen.Pipelines.Prompts;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>GREEN mechanics through real llama.cpp (stories260K: meaningless answers, real constrained JSON).</summary>
public class GreenJudgeModelTests
{
    [Fact]
    public async Task Green_through_llama_gives_schema_json_that_parses_or_is_reported_unparseable()
    {
        var path = SharedData.Model("stories260K.gguf");
        using var model = LlamaModel.Load(path);
        await using var scheduler = new SequenceScheduler(model, new SchedulerOptions
        {
            Context = new LlamaContextOptions { ContextSize = 4096, Sequences = 1, BatchSize = 256, Threads = 1 },
        });
        using IChatClient chat = new LlamaChatClient(scheduler);
        var judge = new GreenJudge(chat, PromptLibrary.LoadDefault(), maxOutputTokens: 400);
        var g = await judge.JudgeAsync("Small left pleural effusion.", "Left pleural effusion. Mild cardiomegaly.", TestContext.Current.CancellationToken);
        // Either the grammar-constrained answer completed and parsed (a score in [0, 1]) or it was cut off and is
        // reported unparseable with no score: never a silent 0.
        if (g.Parsed)
        {
            g.Score!.Value.ShouldBeInRange(0.0, 1.0);
            g.Problem.ShouldBeNull();
        }
        else
        {
            g.Score.ShouldBeNull();
            g.Problem.ShouldNotBeNullOrWhiteSpace();
            g.Problem.ShouldNotContain("failed");   // the model ran; only the answer was unreadable
        }
    }
}

/// <summary>CheXprompt and RadFact mechanics through real llama.cpp (stories260K).</summary>
public class OtherJudgesModelTests
{
    [Fact]
    public async Task Chexprompt_and_radfact_through_llama_parse_or_count_failures()
    {
        using var model = LlamaModel.Load(SharedData.Model("stories260K.gguf"));
        await using var scheduler = new SequenceScheduler(model, new SchedulerOptions
        {
            Context = new LlamaContextOptions { ContextSize = 4096, Sequences = 1, BatchSize = 256, Threads = 1 },
        });
        using IChatClient chat = new LlamaChatClient(scheduler);
        var ct = TestContext.Current.CancellationToken;

        // CheXprompt's counts are schema enums (0-20): the constrained answer is bounded and parses.
        var c = await new CheXpromptJudge(chat, PromptLibrary.LoadDefault()).JudgeAsync("Small effusion.", "Effusion.", ct);
        c.Status.ShouldBeOneOf(JudgeStatus.Parsed, JudgeStatus.Truncated);   // a cut-off answer is said to be one, never read
        if (c.Status == JudgeStatus.Parsed) c.SignificantTotal!.Value.ShouldBeInRange(0, 120);

        var r = await new RadFactJudge(chat, PromptLibrary.LoadDefault(), maxOutputTokens: 120).JudgeAsync("Small effusion. No pneumothorax.", "Effusion.", ct);
        r.CandidateVerdicts.Count.ShouldBe(2);
        r.ReferenceVerdicts.Count.ShouldBe(1);
        var judged = r.CandidateVerdicts.Concat(r.ReferenceVerdicts).Count(v => v.Status is not null);
        (judged + r.Failures).ShouldBe(3);
        r.FailedCalls.ShouldBe(0);   // the model ran every time; only answers cut off at 120 tokens can be unreadable
        (r.UnparseableVerdicts + r.TruncatedVerdicts).ShouldBe(r.Failures);
        r.CandidateVerdicts.ShouldAllBe(v => v.Status == null || v.Status == "entailment" || v.Status == "neutral" || v.Status == "contradiction");
        if (r.CandidateVerdicts.All(v => v.Status is null)) r.LogicalPrecision.ShouldBeNull();
        else r.LogicalPrecision!.Value.ShouldBeInRange(0.0, 1.0);
    }
}
