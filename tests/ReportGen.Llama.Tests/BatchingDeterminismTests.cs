namespace ReportGen.Llama.Tests;

/// <summary>
/// Runs alone, after the parallel tests, so that batch composition depends on the scheduler rather than on the load.
/// Batched matrix products sum in a different order than single-sequence ones, so a greedy near-tie can go the other
/// way; once the token paths part, the texts part for good. Seen: prompt 3 leaves its single-sequence text at token 40
/// of the retokenised text in some full-suite runs (never when this test runs alone). The log-prob gap printed there
/// is measured on the retokenised text, not on the generated token ids, so it does not yet prove a near-tie: checking
/// that needs the generated ids (next step, see the session note). The test fails when batching changes more than a
/// rare output.
/// </summary>
[CollectionDefinition(nameof(BatchingDeterminismCollection), DisableParallelization = true)]
public sealed class BatchingDeterminismCollection;

[Collection(nameof(BatchingDeterminismCollection))]
public class BatchingDeterminismTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Eight_concurrent_greedy_requests_give_what_each_gives_alone()
    {
        string[] prompts =
        [
            "Once upon a time", "The little dog", "Tom and Sue went to the park", "One day, a bird",
            "Lily wanted to play", "The sun was hot", "There was a big tree", "Mom said",
        ];
        var options = new GenerationOptions { MaxTokens = 48 };
        var alone = new List<string>();
        await using (var single = TestModels.Scheduler(sequences: 1))
        {
            foreach (var p in prompts) alone.Add((await single.GenerateAsync(p, options, Ct)).Text);
        }

        await using var scheduler = TestModels.Scheduler(sequences: 8, contextSize: 1024);
        var together = await Task.WhenAll(prompts.Select(p => scheduler.GenerateAsync(p, options, Ct)));
        // Most runs are identical; where one is not, say where and by how much (see the class comment).
        using var scorer = new Completion.LlamaCompletionSession(TestModels.Stories(), new Completion.LlamaCompletionOptions { Threads = 1 });
        var differing = 0;
        for (var i = 0; i < prompts.Length; i++)
        {
            if (together[i].Text == alone[i]) continue;
            differing++;
            var model = scorer.Model;
            var a = model.Tokenize(prompts[i] + alone[i]);
            var t = model.Tokenize(prompts[i] + together[i].Text);
            var j = 0;
            while (j < a.Length && j < t.Length && a[j] == t[j]) j++;
            (j < a.Length && j < t.Length).ShouldBeTrue($"prompt {i}: one output is a prefix of the other");
            var context = model.Detokenize(a.AsSpan(0, j), removeSpecial: true);
            string[] choices = [model.Detokenize(a.AsSpan(j, 1)), model.Detokenize(t.AsSpan(j, 1))];
            var logProbs = await scorer.ScoreAsync(context, choices, Ct);
            var gap = Math.Abs(logProbs[0] - logProbs[1]);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"prompt {i}: batched output differs at token {j}: '{choices[0]}' alone vs '{choices[1]}' batched, log-prob gap {gap:E2}");
        }
        differing.ShouldBeLessThanOrEqualTo(2, "more than a rare near-tie: batching changes the numbers");
        var stats = scheduler.Stats;
        // Batched: far fewer decodes than the 8 × 49 a one-at-a-time run needs.
        stats.DecodeCalls.ShouldBeLessThan(8 * 49 / 2);
        stats.Active.ShouldBe(0);
        stats.ReservedTokens.ShouldBe(0);
    }
}
