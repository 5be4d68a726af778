namespace ReportGen.Eval.Metrics.Text;

/// <summary>CIDEr-D corpus mean and per-item scores.</summary>
public sealed record CiderResult(double Score, IReadOnlyList<double> PerItem);

/// <summary>
/// CIDEr-D as pycocoevalcap's cider/cider_scorer.py computes it (the "CIDEr" that COCO and report
/// generation papers print): n = 1..4 tf-idf vectors with idf = log(#items) - log(max(1, df)) where df
/// counts items whose references contain the n-gram (the reference corpus being scored), per n the
/// clipped cosine Σ min(h,r)·r / (|h||r|) (skipped when a norm is 0) times the length penalty
/// exp(-δ²/2σ²), σ = 6, δ = difference of the bigram counts (pycocoevalcap's "length"); mean over n,
/// mean over references, ×10; the corpus score is the mean over items.
/// </summary>
public static class CiderD
{
    /// <summary>σ of the Gaussian length penalty.</summary>
    public const double Sigma = 6.0;
    private const int N = 4;

    /// <summary>Scores the corpus; candidates and references are space-separated token strings.</summary>
    public static CiderResult Compute(IReadOnlyList<CaptionExample> corpus)
    {
        CaptionCorpus.Validate(corpus);
        var tests = corpus.Select(item => NGrams.Count(NGrams.Words(item.Candidate), N)).ToArray();
        var refs = corpus.Select(item => item.References.Select(r => NGrams.Count(NGrams.Words(r), N)).ToArray()).ToArray();

        // Document frequency: in how many items' reference sets each n-gram occurs.
        var documentFrequency = new Dictionary<NGram, int>();
        foreach (var itemRefs in refs)
        {
            var seen = new HashSet<NGram>();
            foreach (var counts in itemRefs) seen.UnionWith(counts.Keys);
            foreach (var gram in seen) documentFrequency[gram] = documentFrequency.GetValueOrDefault(gram) + 1;
        }
        var logItems = Math.Log(corpus.Count);

        var perItem = new double[corpus.Count];
        for (var i = 0; i < corpus.Count; i++)
        {
            var hyp = TfIdf.From(tests[i], documentFrequency, logItems);
            var sum = new double[N];
            foreach (var refCounts in refs[i])
            {
                var reference = TfIdf.From(refCounts, documentFrequency, logItems);
                var similarity = Similarity(hyp, reference);
                for (var n = 0; n < N; n++) sum[n] += similarity[n];
            }
            perItem[i] = sum.Average() / refs[i].Length * 10.0;
        }
        return new CiderResult(perItem.Average(), perItem);
    }

    private static double[] Similarity(TfIdf hyp, TfIdf reference)
    {
        double delta = hyp.Length - reference.Length;
        var penalty = Math.Exp(-(delta * delta) / (2 * Sigma * Sigma));
        var values = new double[N];
        for (var n = 0; n < N; n++)
        {
            var value = 0.0;
            foreach (var (gram, weight) in hyp.Vectors[n])
            {
                var refWeight = reference.Vectors[n].GetValueOrDefault(gram);
                value += Math.Min(weight, refWeight) * refWeight;   // clipping (the "-D")
            }
            if (hyp.Norms[n] != 0 && reference.Norms[n] != 0) value /= hyp.Norms[n] * reference.Norms[n];
            values[n] = value * penalty;
        }
        return values;
    }

    private sealed record TfIdf(Dictionary<NGram, double>[] Vectors, double[] Norms, int Length)
    {
        public static TfIdf From(Dictionary<NGram, int> counts, Dictionary<NGram, int> documentFrequency, double logItems)
        {
            var vectors = Enumerable.Range(0, N).Select(_ => new Dictionary<NGram, double>()).ToArray();
            var squared = new double[N];
            var length = 0;
            foreach (var (gram, termFrequency) in counts)
            {
                var df = Math.Log(Math.Max(1.0, documentFrequency.GetValueOrDefault(gram)));
                var n = gram.Order - 1;
                var weight = termFrequency * (logItems - df);
                vectors[n][gram] = weight;
                squared[n] += weight * weight;
                // pycocoevalcap counts bigrams here (index n == 1), so "length" is words - 1.
                if (n == 1) length += termFrequency;
            }
            return new TfIdf(vectors, squared.Select(Math.Sqrt).ToArray(), length);
        }
    }
}
