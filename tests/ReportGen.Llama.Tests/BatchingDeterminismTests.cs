namespace ReportGen.Llama.Tests;

/// <summary>
/// Eight concurrent greedy requests against each run alone. Batched steps use other kernels and summation orders than
/// single-sequence ones (and the KV cache is F16), so logits differ by about 1e-3; where the single-sequence run meets a
/// near-tie, the batched one can take the other token, and from there the texts part. Seen in about 1 full-project run
/// in 7: prompt 3 at generated token 32, tokens 415 vs 423, whose single-sequence log-probs differ by 1.85e-3 nats.
/// So the test demands identical tokens, except that at a first difference the two tokens must be a near-tie
/// (under 0.01 nats apart) and at most 2 of 8 outputs may differ. It runs alone, after the parallel tests.
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
        var alone = new List<GenerationResult>();
        await using (var single = TestModels.Scheduler(sequences: 1))
        {
            foreach (var p in prompts) alone.Add(await single.GenerateAsync(p, options, Ct));
        }

        await using var scheduler = TestModels.Scheduler(sequences: 8, contextSize: 1024);
        var together = await Task.WhenAll(prompts.Select(p => scheduler.GenerateAsync(p, options, Ct)));
        // Most runs are identical; where one is not, say where and by how much (see the class comment).
        var differing = 0;
        for (var i = 0; i < prompts.Length; i++)
        {
            if (together[i].Tokens.SequenceEqual(alone[i].Tokens)) { together[i].Text.ShouldBe(alone[i].Text); continue; }
            differing++;
            var (a, t) = (alone[i].Tokens, together[i].Tokens);
            var j = 0;
            while (j < a.Count && j < t.Count && a[j] == t[j]) j++;
            (j < a.Count && j < t.Count).ShouldBeTrue($"prompt {i}: one output is a prefix of the other");
            // The single-sequence distribution at the first differing step: both choices must be (within float noise) equally likely.
            var gap = LogProbGap(prompts[i], a.Take(j).ToArray(), a[j], t[j]);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"prompt {i}: batched output differs at generated token {j}: {a[j]} alone vs {t[j]} batched, single-sequence log-prob gap {gap:E2}");
            gap.ShouldBeLessThan(1e-2, $"prompt {i}: tokens {a[j]} and {t[j]} are not a near-tie; batching changed the numbers");
        }
        differing.ShouldBeLessThanOrEqualTo(2, "more than a rare near-tie: batching changes the numbers");
        var stats = scheduler.Stats;
        // Batched: far fewer decodes than the 8 × 49 a one-at-a-time run needs.
        stats.DecodeCalls.ShouldBeLessThan(8 * 49 / 2);
        stats.Active.ShouldBe(0);
        stats.ReservedTokens.ShouldBe(0);
    }

    /// <summary>|log p(first) − log p(second)| after the prompt and <paramref name="generated"/>, decoded as one sequence.</summary>
    internal static double LogProbGap(string prompt, int[] generated, int first, int second)
    {
        var model = TestModels.Stories();
        using var context = model.CreateContext(new LlamaContextOptions { ContextSize = 1024, Sequences = 1, Threads = 1 });
        var tokens = model.Tokenize(prompt).Concat(generated).ToArray();
        using var batch = new NativeBatch(tokens.Length);
        for (var p = 0; p < tokens.Length; p++) batch.AddToken(tokens[p], p, 0, logits: p == tokens.Length - 1);
        context.Decode(batch).ShouldBe(0);
        var logits = context.Logits(tokens.Length - 1);
        var max = logits.ToArray().Max();
        var logSum = Math.Log(logits.ToArray().Sum(v => Math.Exp(v - max))) + max;
        return Math.Abs((logits[first] - logSum) - (logits[second] - logSum));
    }
}
