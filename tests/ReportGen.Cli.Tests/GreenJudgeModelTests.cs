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
