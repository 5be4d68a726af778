namespace ReportGen.Eval.Metrics.Text;

/// <summary>One generated text and its reference texts (pycocoevalcap's <c>res[id]</c> / <c>gts[id]</c>).</summary>
public sealed record CaptionExample(string Candidate, IReadOnlyList<string> References)
{
    /// <summary>One candidate against one reference (the usual report-generation setting).</summary>
    public CaptionExample(string candidate, string reference) : this(candidate, [reference]) { }
}

/// <summary>Shared checks on corpus inputs.</summary>
internal static class CaptionCorpus
{
    public static void Validate(IReadOnlyList<CaptionExample> corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (corpus.Count == 0) throw new ArgumentException("the corpus is empty", nameof(corpus));
        for (var i = 0; i < corpus.Count; i++)
        {
            if (corpus[i].References.Count == 0)
                throw new ArgumentException($"item {i} has no reference text", nameof(corpus));
        }
    }
}
