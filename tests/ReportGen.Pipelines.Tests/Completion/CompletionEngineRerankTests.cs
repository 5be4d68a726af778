using ReportGen.Core.Completion;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Completion;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Completion;

/// <summary>The re-ranking path with deterministic scorers (the llama-backed ones live in ReportGen.Llama).</summary>
[Fast]
public sealed class CompletionEngineRerankTests
{
    // Prefers continuations that mention a given word: a stand-in for a model that "knows" the study.
    private sealed class WordScorer(string word) : ISequenceScorer, IContinuationGenerator
    {
        public string ModelId => "word-scorer";
        public List<string> Contexts { get; } = [];

        public Task<IReadOnlyList<double>> ScoreAsync(string context, IReadOnlyList<string> continuations, CancellationToken cancellationToken)
        {
            Contexts.Add(context);
            return Task.FromResult<IReadOnlyList<double>>([.. continuations.Select(c => c.Contains(word, StringComparison.OrdinalIgnoreCase) ? -0.1 : -3.0)]);
        }

        public Task<string?> GenerateAsync(string context, string prefix, int maxTokens, CancellationToken cancellationToken) =>
            Task.FromResult<string?>(prefix + "visible " + word + " today.");
    }

    private static CorpusRegistry Registry(TempDir dir)
    {
        var corpus = Path.Combine(dir.Path, "c.jsonl");
        File.WriteAllLines(corpus, [
            "{\"findings\": \"The heart is normal in size. No pleural effusion. No pneumothorax.\"}",
            "{\"findings\": \"The heart is normal in size. No pleural effusion. No focal consolidation.\"}",
            "{\"findings\": \"The heart is normal in size. No pleural effusion. No pneumothorax.\"}",
        ]);
        return new CorpusRegistry(dir.Path).Register(new CorpusDefinition("c", corpus));
    }

    [Fact]
    public async Task The_model_reorders_retrieved_candidates_and_streams_both_lists()
    {
        using var dir = new TempDir();
        var scorer = new WordScorer("consolidation");
        var engine = new CompletionEngine(Registry(dir), scorer, options: new CompletionEngineOptions { Generate = false, ModelWeight = 3 });
        var request = new CompletionRequest("The heart is normal in size. No pleural effusion.", "No ", K: 2);
        var events = new List<CompletionResult>();
        await foreach (var e in engine.StreamAsync(request, TestContext.Current.CancellationToken)) events.Add(e);
        events.Count.ShouldBe(2);
        events[0].Reranked.ShouldBeFalse();
        events[0].Suggestions[0].Text.ShouldBe("No pneumothorax.");
        events[1].Reranked.ShouldBeTrue();
        events[1].Suggestions[0].Text.ShouldBe("No focal consolidation.");
        scorer.Contexts.Single().ShouldBe("The heart is normal in size. No pleural effusion.");
    }

    [Fact]
    public async Task The_impression_has_its_own_model_weight_and_weight_0_skips_the_model()
    {
        using var dir = new TempDir();
        var scorer = new WordScorer("consolidation");
        var engine = new CompletionEngine(Registry(dir), scorer, options: new CompletionEngineOptions { Generate = false, ModelWeight = 3, ImpressionModelWeight = 0 });
        var context = "The heart is normal in size. No pleural effusion.";
        var impression = await engine.CompleteAsync(new CompletionRequest(context, "No ", K: 1, Section: ReportSectionKind.Impression), TestContext.Current.CancellationToken);
        impression.Reranked.ShouldBeFalse();
        impression.Suggestions[0].Text.ShouldBe("No pneumothorax.");
        scorer.Contexts.ShouldBeEmpty();
        var findings = await engine.CompleteAsync(new CompletionRequest(context, "No ", K: 1, Section: ReportSectionKind.Findings), TestContext.Current.CancellationToken);
        findings.Reranked.ShouldBeTrue();
        findings.Suggestions[0].Text.ShouldBe("No focal consolidation.");
    }

    [Fact]
    public async Task A_generated_continuation_joins_the_candidates_with_a_model_source()
    {
        using var dir = new TempDir();
        var model = new WordScorer("calcification");
        var engine = new CompletionEngine(Registry(dir), model, model, new CompletionEngineOptions { ModelWeight = 3 });
        var result = await engine.CompleteAsync(new CompletionRequest("The heart is normal in size.", "No ", K: 3), TestContext.Current.CancellationToken);
        result.Suggestions[0].Text.ShouldBe("No visible calcification today.");
        result.Suggestions[0].Source.ShouldBe("model:word-scorer");
        result.Suggestions[0].Count.ShouldBe(0);
    }
}
