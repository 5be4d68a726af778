namespace ReportGen.Eval.Metrics.Text;

/// <summary>
/// The pycocoevalcap bundle as report-generation papers run it: tokenise candidates and references
/// with <see cref="CocoTokenizer"/>, then BLEU-1..4, ROUGE-L and CIDEr-D on the same corpus.
/// </summary>
public static class TextMetrics
{
    /// <summary>Metric names in results.json.</summary>
    public static readonly IReadOnlyList<string> Names = ["bleu_1", "bleu_2", "bleu_3", "bleu_4", "rouge_l", "cider_d"];

    /// <summary>Tokenises (unless told the inputs already are) and computes all six metrics.</summary>
    public static TextMetricsResult Evaluate(IReadOnlyList<CaptionExample> corpus, bool tokenize = true)
    {
        CaptionCorpus.Validate(corpus);
        var prepared = tokenize
            ? corpus.Select(c => new CaptionExample(CocoTokenizer.Tokenize(c.Candidate), c.References.Select(CocoTokenizer.Tokenize).ToArray())).ToArray()
            : corpus;
        var bleu = Bleu.Compute(prepared);
        var rouge = RougeL.Compute(prepared);
        var cider = CiderD.Compute(prepared);
        return new TextMetricsResult(bleu, rouge, cider);
    }
}

/// <summary>The three scorers' results together.</summary>
public sealed record TextMetricsResult(BleuResult Bleu, RougeLResult RougeL, CiderResult Cider)
{
    /// <summary>name → value, the keys of <see cref="TextMetrics.Names"/>.</summary>
    public IReadOnlyDictionary<string, double> ToDictionary() => new Dictionary<string, double>
    {
        ["bleu_1"] = Bleu.Scores[0],
        ["bleu_2"] = Bleu.Scores[1],
        ["bleu_3"] = Bleu.Scores[2],
        ["bleu_4"] = Bleu.Scores[3],
        ["rouge_l"] = RougeL.Score,
        ["cider_d"] = Cider.Score,
    };
}
