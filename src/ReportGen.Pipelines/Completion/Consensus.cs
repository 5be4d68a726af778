namespace ReportGen.Pipelines.Completion;

/// <summary>
/// The consensus (minimum-Bayes-risk) term of completion ranking: with one suggestion to show, the safest is the
/// candidate that shares most words and phrases with what the likely candidates say (<see cref="SentenceRanker"/>).
/// </summary>
internal static class Consensus
{
    private const int MaxOrder = 4;

    /// <summary>
    /// For each candidate, its expected overlap (smoothed sentence BLEU-4) with the candidates, each weighted by
    /// softmax(score / <paramref name="temperature"/>); a candidate's overlap with itself is 1. Values lie in 0..1.
    /// </summary>
    public static double[] ExpectedOverlap(IReadOnlyList<double> scores, IReadOnlyList<IReadOnlyList<string>> tokens, double temperature)
    {
        var n = scores.Count;
        var best = scores.Max();
        var p = scores.Select(s => Math.Exp((s - best) / temperature)).ToArray();
        var total = p.Sum();
        var grams = tokens.Select(NGrams).ToArray();
        var gains = new double[n];
        for (var i = 0; i < n; i++)
        {
            var gain = 0.0;
            for (var j = 0; j < n; j++)
            {
                gain += p[j] * (i == j ? 1.0 : Overlap(grams[i], tokens[i].Count, grams[j], tokens[j].Count));
            }
            gains[i] = gain / total;
        }
        return gains;
    }

    /// <summary>Counts of the 1..4-grams of a token sequence.</summary>
    private static Dictionary<string, int> NGrams(IReadOnlyList<string> tokens)
    {
        var grams = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var n = 1; n <= MaxOrder; n++)
        {
            for (var i = 0; i + n <= tokens.Count; i++)
            {
                // The order is part of the key by the number of spaces; tokens never contain spaces.
                var key = string.Join(' ', tokens.Skip(i).Take(n));
                grams[key] = grams.GetValueOrDefault(key) + 1;
            }
        }
        return grams;
    }

    /// <summary>Smoothed sentence BLEU-4 of a hypothesis against one reference (add-one per order, brevity penalty).</summary>
    private static double Overlap(Dictionary<string, int> hyp, int hypLength, Dictionary<string, int> reference, int refLength)
    {
        if (hypLength == 0) return 0;
        var matches = new int[MaxOrder + 1];
        foreach (var (gram, count) in hyp)
        {
            if (reference.TryGetValue(gram, out var c)) matches[gram.Count(ch => ch == ' ') + 1] += Math.Min(count, c);
        }
        var logPrecision = 0.0;
        for (var n = 1; n <= MaxOrder; n++)
        {
            logPrecision += Math.Log((matches[n] + 1.0) / (Math.Max(0, hypLength - n + 1) + 1.0));
        }
        var brevity = hypLength >= refLength ? 0 : 1 - (double)refLength / hypLength;
        return Math.Exp(brevity + logPrecision / MaxOrder);
    }
}
