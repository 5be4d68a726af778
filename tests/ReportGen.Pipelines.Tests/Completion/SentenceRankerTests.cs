using ReportGen.Core.Completion;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Completion;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Completion;

[Fast]
public sealed class SentenceRankerTests
{
    private static List<string> Texts(SentenceIndex index, List<RankedSentence> ranked) =>
        [.. ranked.Select(r => index.Sentences[r.Id].Text)];

    private static SentenceIndex WithImpressions()
    {
        var builder = new SentenceIndexBuilder("sections");
        for (var i = 0; i < 3; i++) builder.AddReport(new CorpusReport($"f{i}", "Heart size is normal. Lungs are clear. No pneumothorax. No pleural effusion.", null, null));
        builder.AddReport(new CorpusReport("i1", "Heart size is normal. Lungs are clear.", "No acute disease. Lungs are clear.", null));
        builder.AddReport(new CorpusReport("i2", "Heart size is normal.", "Normal chest. No acute disease.", null));
        return builder.Build();
    }

    [Fact]
    public void The_section_being_written_prefers_its_own_sentences()
    {
        var index = WithImpressions();
        var ranker = new SentenceRanker(index);
        string[] context = ["Heart size is normal.", "Lungs are clear."];
        // Without a section the findings sentences, three times as frequent, win; in the impression only its sentence fits.
        Texts(index, ranker.Rank(context, "No", null, 1))[0].ShouldBe("No pneumothorax.");
        Texts(index, ranker.Rank(context, "No", null, 1, ReportSectionKind.Findings))[0].ShouldBe("No pneumothorax.");
        Texts(index, ranker.Rank(context, "No", null, 1, ReportSectionKind.Impression))[0].ShouldBe("No acute disease.");
        // A sentence the corpus has only elsewhere is still suggested when nothing of the section fits the prefix.
        Texts(index, ranker.Rank(context, "Heart", null, 1, ReportSectionKind.Impression)).ShouldBe([]);
        Texts(index, ranker.Rank(["Heart size is normal."], "Lungs", null, 1, ReportSectionKind.Impression)).ShouldBe(["Lungs are clear."]);
    }

    [Fact]
    public void The_position_prior_counts_sentences_within_the_section()
    {
        var builder = new SentenceIndexBuilder("positions");
        builder.AddReport(new CorpusReport("r1", "Heart size is normal. Lungs are clear. No pneumothorax.", "Stable. Improved.", null));
        builder.AddReport(new CorpusReport("r2", "Heart size is normal.", "Improved. Stable.", null));
        builder.AddReport(new CorpusReport("r3", "Heart size is normal.", "Improved. Stable.", null));
        var index = builder.Build();
        var ranker = new SentenceRanker(index, new RankingWeights { SimilarReports = 0, Transition = 0, SharedSentences = 0, Consensus = 0 });
        string[] findings = ["Heart size is normal.", "Lungs are clear.", "No pneumothorax."];
        // As the 4th sentence of the report, "Stable." is what came 4th before; as the impression's first, "Improved." is.
        Texts(index, ranker.Rank(findings, "", null, 1))[0].ShouldBe("Stable.");
        Texts(index, ranker.Rank(findings, "", null, 1, ReportSectionKind.Impression))[0].ShouldBe("Improved.");
        // After an impression sentence the writer is at the impression's second sentence.
        Texts(index, ranker.Rank([.. findings, "Improved."], "", null, 1, ReportSectionKind.Impression))[0].ShouldBe("Stable.");
    }

    [Fact]
    public void Suggestions_continue_the_prefix()
    {
        var index = SentenceIndexTests.Small();
        var ranked = new SentenceRanker(index).Rank(["The heart is normal in size."], "the lungs a", null, 3);
        Texts(index, ranked).ShouldAllBe(t => t.StartsWith("The lungs a", StringComparison.OrdinalIgnoreCase));
        Texts(index, ranked)[0].ShouldBe("The lungs are clear.");
    }

    [Fact]
    public void Sentences_already_in_the_report_are_not_suggested()
    {
        var index = SentenceIndexTests.Small();
        var ranked = new SentenceRanker(index).Rank(["The lungs are clear."], "The lungs", null, 5);
        Texts(index, ranked).ShouldNotContain("The lungs are clear.");
    }

    [Fact]
    public void Contradicting_sentences_are_not_suggested()
    {
        var index = SentenceIndexTests.Small();
        var ranker = new SentenceRanker(index);
        Texts(index, ranker.Rank(["Small left pleural effusion."], "No", null, 10)).ShouldNotContain("No pleural effusion.");
        Texts(index, ranker.Rank(["The heart is enlarged."], "", null, 20)).ShouldNotContain("Heart size is normal.");
        // Without the contradicting context the same sentences are suggested.
        Texts(index, ranker.Rank([], "No", null, 10)).ShouldContain("No pleural effusion.");
    }

    [Fact]
    public void Anchor_words_pull_matching_sentences_up()
    {
        var index = SentenceIndexTests.Small();
        var ranker = new SentenceRanker(index);
        Texts(index, ranker.Rank(["Heart size is normal."], "No", ["pneumothorax"], 1))[0].ShouldContain("pneumothorax");
        Texts(index, ranker.Rank(["Heart size is normal."], "No", ["effusion"], 1))[0].ShouldContain("effusion");
        Texts(index, ranker.Rank(["Heart size is normal."], "No", ["consolidation"], 1))[0].ShouldBe("No focal consolidation.");
    }

    [Fact]
    public void Position_prior_prefers_opening_sentences_first()
    {
        var index = SentenceIndexTests.Small();
        // The consensus term would mix in how alike the openings read; this test is about the prior.
        var ranker = new SentenceRanker(index, new RankingWeights { Consensus = 0 });
        // Both occur twice, both as first sentences; "The lungs are clear." occurs three times but later.
        Texts(index, ranker.Rank([], "", null, 2)).ShouldBe(["The heart is normal in size.", "Heart size is normal."], ignoreOrder: true);
        Texts(index, ranker.Rank(["The heart is normal in size."], "", null, 1)).ShouldBe(["The lungs are clear."]);
    }

    // Only the position/frequency prior and the feature under test, so each test isolates one ranking term.
    private static readonly RankingWeights PriorOnly = new()
    {
        SimilarReports = 0, Transition = 0, ConceptRepeat = 0, SharedSentences = 0, Consensus = 0,
    };

    private static SentenceIndex Templates()
    {
        var builder = new SentenceIndexBuilder("templates");
        for (var i = 0; i < 3; i++) builder.AddReport("Heart size is normal. Lungs are clear. No pneumothorax.");
        builder.AddReport("Cardiomediastinal silhouette is unremarkable. Lungs are clear. No pleural effusion seen.");
        builder.AddReport("No pleural effusion or pneumothorax. Lungs are clear. No pleural effusion.");
        return builder.Build();
    }

    [Fact]
    public void Reports_sharing_the_context_sentences_suggest_their_next_sentence()
    {
        var index = Templates();
        string[] context = ["Cardiomediastinal silhouette is unremarkable.", "Lungs are clear."];
        // The frequent sentence wins on the prior alone; the one report that shares the rare opening sentence wins with the term.
        Texts(index, new SentenceRanker(index, PriorOnly).Rank(context, "No", null, 1)).ShouldBe(["No pneumothorax."]);
        Texts(index, new SentenceRanker(index, PriorOnly with { SharedSentences = 12 }).Rank(context, "No", null, 1)).ShouldBe(["No pleural effusion seen."]);
        // A context sentence that every report shares says nothing about the template.
        Texts(index, new SentenceRanker(index, PriorOnly with { SharedSentences = 12 }).Rank(["Lungs are clear."], "No", null, 1)).ShouldBe(["No pneumothorax."]);
    }

    [Fact]
    public void Consensus_prefers_the_candidate_that_agrees_with_the_other_likely_sentences()
    {
        var index = Templates();
        var prior = Texts(index, new SentenceRanker(index, PriorOnly).Rank(["Lungs are clear."], "No", null, 4));
        prior[0].ShouldBe("No pneumothorax.");
        // "No pleural effusion." shares its words with two of the other three candidates; "No pneumothorax." with one.
        var consensus = Texts(index, new SentenceRanker(index, PriorOnly with { Consensus = 2 }).Rank(["Lungs are clear."], "No", null, 4));
        consensus[0].ShouldBe("No pleural effusion.");
        consensus.ShouldBe(prior, ignoreOrder: true);
        // k below the pool still sees the whole pool.
        Texts(index, new SentenceRanker(index, PriorOnly with { Consensus = 2 }).Rank(["Lungs are clear."], "No", null, 1)).ShouldBe(["No pleural effusion."]);
    }

    [Fact]
    public async Task Engine_returns_k_suggestions_with_sources_and_counts()
    {
        using var dir = new TempDir();
        var corpus = Path.Combine(dir.Path, "c.jsonl");
        File.WriteAllLines(corpus, [
            "{\"findings\": \"The heart is normal in size. The lungs are clear. No pleural effusion.\"}",
            "{\"findings\": \"The heart is normal in size. The lungs are clear. No pneumothorax.\"}",
        ]);
        var registry = new CorpusRegistry(dir.Path).Register(new CorpusDefinition("site-a", corpus));
        var engine = new CompletionEngine(registry);
        var result = await engine.CompleteAsync(new CompletionRequest("The heart is normal in size. The lungs are clear.", "no", K: 2), TestContext.Current.CancellationToken);
        result.Corpus.ShouldBe("site-a");
        result.Suggestions.Count.ShouldBe(2);
        result.Suggestions.ShouldAllBe(s => s.Text.StartsWith("no ", StringComparison.Ordinal) && s.Source.StartsWith("site-a:", StringComparison.Ordinal) && s.Count == 1);
        File.Exists(Path.Combine(dir.Path, "site-a.rgsi")).ShouldBeTrue();
        // A second registry loads the saved index instead of rebuilding.
        var again = new CompletionEngine(new CorpusRegistry(dir.Path).Register(new CorpusDefinition("site-a", corpus)));
        (await again.CompleteAsync(new CompletionRequest("", "The h"), TestContext.Current.CancellationToken)).Suggestions[0].Text.ShouldBe("The heart is normal in size.");
    }

    [Theory]
    [InlineData(0, null, "k")]
    [InlineData(21, null, "k")]
    [InlineData(3, "nope", "corpus")]
    public async Task Bad_requests_name_the_field(int k, string? corpus, string field)
    {
        using var dir = new TempDir();
        var corpusFile = Path.Combine(dir.Path, "c.jsonl");
        File.WriteAllText(corpusFile, "{\"findings\": \"The lungs are clear.\"}");
        var engine = new CompletionEngine(new CorpusRegistry(dir.Path).Register(new CorpusDefinition("a", corpusFile)));
        var ex = await Should.ThrowAsync<CompletionInputException>(() => engine.CompleteAsync(new CompletionRequest("", K: k, Corpus: corpus), TestContext.Current.CancellationToken));
        ex.Field.ShouldBe(field);
    }
}
