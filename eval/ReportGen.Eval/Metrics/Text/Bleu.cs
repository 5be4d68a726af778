namespace ReportGen.Eval.Metrics.Text;

/// <summary>Corpus BLEU-1..N and the lengths behind the brevity penalty.</summary>
/// <param name="Scores">Scores[k] is BLEU-(k+1).</param>
/// <param name="TestLength">Total candidate words.</param>
/// <param name="ReferenceLength">Total effective reference words ("closest" length per item).</param>
public sealed record BleuResult(IReadOnlyList<double> Scores, int TestLength, int ReferenceLength)
{
    /// <summary>testlen / reflen, as pycocoevalcap prints it.</summary>
    public double Ratio => (TestLength + Bleu.Tiny) / (ReferenceLength + Bleu.Small);
}

/// <summary>
/// Corpus-level BLEU exactly as pycocoevalcap's <c>Bleu(4)</c> (bleu/bleu_scorer.py, option "closest") computes it:
/// clipped n-gram matches and candidate n-gram counts summed over the corpus; per item the effective
/// reference length is the reference length closest to the candidate's (ties to the shorter);
/// BLEU-n = (prod_{k&lt;=n} (correct_k + 1e-15)/(guess_k + 1e-9))^(1/n), times exp(1 - 1/ratio) when
/// ratio = (testlen + 1e-15)/(reflen + 1e-9) &lt; 1. Inputs are already tokenised (see <see cref="CocoTokenizer"/>).
/// </summary>
public static class Bleu
{
    internal const double Tiny = 1e-15;
    internal const double Small = 1e-9;

    /// <summary>Scores the corpus; candidates and references are space-separated token strings.</summary>
    public static BleuResult Compute(IReadOnlyList<CaptionExample> corpus, int maxN = 4)
    {
        CaptionCorpus.Validate(corpus);
        if (maxN < 1) throw new ArgumentOutOfRangeException(nameof(maxN), "maxN must be at least 1");

        var guess = new long[maxN];
        var correct = new long[maxN];
        var testLength = 0;
        var referenceLength = 0;

        foreach (var item in corpus)
        {
            var testWords = NGrams.Words(item.Candidate);
            var testCounts = NGrams.Count(testWords, maxN);

            // The maximum count of each n-gram over the references ("cook_refs").
            var maxRefCounts = new Dictionary<NGram, int>();
            var refLengths = new List<int>(item.References.Count);
            foreach (var reference in item.References)
            {
                var refWords = NGrams.Words(reference);
                refLengths.Add(refWords.Length);
                foreach (var (gram, count) in NGrams.Count(refWords, maxN))
                {
                    maxRefCounts[gram] = Math.Max(maxRefCounts.GetValueOrDefault(gram), count);
                }
            }

            testLength += testWords.Length;
            referenceLength += ClosestLength(refLengths, testWords.Length);
            for (var k = 0; k < maxN; k++) guess[k] += Math.Max(0, testWords.Length - k);
            foreach (var (gram, count) in testCounts)
            {
                correct[gram.Order - 1] += Math.Min(maxRefCounts.GetValueOrDefault(gram), count);
            }
        }

        var scores = new double[maxN];
        var ratio = (testLength + Tiny) / (referenceLength + Small);
        for (var n = 1; n <= maxN; n++)
        {
            var product = 1.0;
            for (var k = 0; k < n; k++) product *= (correct[k] + Tiny) / (guess[k] + Small);
            scores[n - 1] = Math.Pow(product, 1.0 / n);
            if (ratio < 1) scores[n - 1] *= Math.Exp(1 - 1 / ratio);
        }
        return new BleuResult(scores, testLength, referenceLength);
    }

    /// <summary>
    /// Smoothed sentence BLEU of one tokenised candidate against one tokenised reference: add-one on every order's
    /// matches and counts (so a sentence with no 4-gram match still ranks by its shorter matches), times the brevity
    /// penalty exp(1 - r/c) when the candidate is shorter. For choosing between candidates, not for reporting: the
    /// reported figures are corpus BLEU (<see cref="Compute"/>).
    /// </summary>
    public static double SmoothedSentence(string candidate, string reference, int maxN = 4)
    {
        if (maxN < 1) throw new ArgumentOutOfRangeException(nameof(maxN), "maxN must be at least 1");
        var testWords = NGrams.Words(candidate);
        if (testWords.Length == 0) return 0;
        var refWords = NGrams.Words(reference);
        var refCounts = NGrams.Count(refWords, maxN);
        var correct = new int[maxN];
        foreach (var (gram, count) in NGrams.Count(testWords, maxN))
        {
            correct[gram.Order - 1] += Math.Min(refCounts.GetValueOrDefault(gram), count);
        }
        var logPrecision = 0.0;
        for (var k = 0; k < maxN; k++) logPrecision += Math.Log((correct[k] + 1.0) / (Math.Max(0, testWords.Length - k) + 1.0));
        var brevity = testWords.Length >= refWords.Length ? 0 : 1 - (double)refWords.Length / testWords.Length;
        return Math.Exp(brevity + logPrecision / maxN);
    }

    // min((abs(l - testlen), l)): the closest length, the shorter one on a tie.
    private static int ClosestLength(List<int> lengths, int testLength)
    {
        var best = lengths[0];
        foreach (var length in lengths)
        {
            var d = Math.Abs(length - testLength);
            var bestD = Math.Abs(best - testLength);
            if (d < bestD || (d == bestD && length < best)) best = length;
        }
        return best;
    }
}
