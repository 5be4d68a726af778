namespace ReportGen.Eval.Metrics.Text;

/// <summary>ROUGE-L per item and its corpus mean.</summary>
public sealed record RougeLResult(double Score, IReadOnlyList<double> PerItem);

/// <summary>
/// ROUGE-L as pycocoevalcap's rouge/rouge.py computes it: per item, the LCS of candidate and each
/// reference (words from <c>split(" ")</c>), P = max over references of LCS/|cand|, R = max of LCS/|ref|,
/// F = (1+β²)PR/(R+β²P) with β = 1.2 (0 when P or R is 0); the corpus score is the mean over items.
/// </summary>
public static class RougeL
{
    /// <summary>β of the F-measure (vrama91's value in pycocoevalcap).</summary>
    public const double Beta = 1.2;

    /// <summary>Scores the corpus; candidates and references are space-separated token strings.</summary>
    public static RougeLResult Compute(IReadOnlyList<CaptionExample> corpus)
    {
        CaptionCorpus.Validate(corpus);
        var perItem = corpus.Select(item => Score(item.Candidate, item.References)).ToArray();
        return new RougeLResult(perItem.Average(), perItem);
    }

    /// <summary>One item's ROUGE-L.</summary>
    public static double Score(string candidate, IReadOnlyList<string> references)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(references);
        if (references.Count == 0) throw new ArgumentException("at least one reference is needed", nameof(references));

        // Python's split(" ") keeps empty strings, so "" is one (empty) word: kept for fidelity.
        var cand = candidate.Split(' ');
        double precision = 0, recall = 0;
        foreach (var reference in references)
        {
            var refWords = reference.Split(' ');
            var lcs = LongestCommonSubsequence(refWords, cand);
            precision = Math.Max(precision, lcs / (double)cand.Length);
            recall = Math.Max(recall, lcs / (double)refWords.Length);
        }
        if (precision == 0 || recall == 0) return 0;
        var b2 = Beta * Beta;
        return (1 + b2) * precision * recall / (recall + b2 * precision);
    }

    /// <summary>Length of the longest common subsequence of two word sequences.</summary>
    public static int LongestCommonSubsequence(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (var i = 1; i <= a.Count; i++)
        {
            for (var j = 1; j <= b.Count; j++)
            {
                current[j] = string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal)
                    ? previous[j - 1] + 1
                    : Math.Max(previous[j], current[j - 1]);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Count];
    }
}
