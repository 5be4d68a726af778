using ReportGen.Pipelines.Judging;

namespace ReportGen.Eval.Metrics.Judging;

/// <summary>
/// Corpus summaries of GREEN and CheXprompt judgements (the pipeline's records and parsers: GreenJudge.Parse/ParseNative,
/// CheXpromptJudge.Parse/ParseNative) with results.json names. Unparseable and failed items are counted
/// (<c>*_unparseable</c>) and left out of the means: they are never averaged in as 0.
/// </summary>
public static class JudgeSummaries
{
    /// <summary>green_mean, green_std (population, as numpy), green_parsed, green_unparseable, and per kind
    /// green_significant_{kind} / green_insignificant_{kind} (mean count per parsed item), green_matched_findings.</summary>
    public static IReadOnlyDictionary<string, double> Green(IReadOnlyCollection<GreenJudgement> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var parsed = results.Where(r => r.Parsed).ToArray();
        var scores = parsed.Select(r => r.Score!.Value).ToArray();
        var metrics = new Dictionary<string, double>
        {
            ["green_mean"] = scores.Length > 0 ? scores.Average() : double.NaN,
            ["green_std"] = scores.Length > 0 ? Math.Sqrt(scores.Select(s => (s - scores.Average()) * (s - scores.Average())).Average()) : double.NaN,
            ["green_parsed"] = parsed.Length,
            ["green_unparseable"] = results.Count - parsed.Length,
            ["green_matched_findings"] = parsed.Length > 0 ? parsed.Average(r => r.MatchedFindings) : double.NaN,
        };
        AddKinds(metrics, "green_significant_", parsed.Select(r => r.Significant).ToArray());
        AddKinds(metrics, "green_insignificant_", parsed.Select(r => r.Insignificant).ToArray());
        return metrics;
    }

    /// <summary>chexprompt_significant_errors / _insignificant_errors (mean total per parsed item), per-kind means,
    /// chexprompt_parsed, chexprompt_unparseable.</summary>
    public static IReadOnlyDictionary<string, double> CheXprompt(IReadOnlyCollection<CheXpromptJudgement> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var parsed = results.Where(r => r.Parsed).ToArray();
        var metrics = new Dictionary<string, double>
        {
            ["chexprompt_significant_errors"] = parsed.Length > 0 ? parsed.Average(r => r.SignificantTotal!.Value) : double.NaN,
            ["chexprompt_insignificant_errors"] = parsed.Length > 0 ? parsed.Average(r => r.InsignificantTotal!.Value) : double.NaN,
            ["chexprompt_parsed"] = parsed.Length,
            ["chexprompt_unparseable"] = results.Count - parsed.Length,
        };
        AddKinds(metrics, "chexprompt_significant_", parsed.Select(r => r.Significant).ToArray());
        AddKinds(metrics, "chexprompt_insignificant_", parsed.Select(r => r.Insignificant).ToArray());
        return metrics;
    }

    private static void AddKinds(Dictionary<string, double> metrics, string prefix, IReadOnlyList<IReadOnlyList<int>> counts)
    {
        foreach (var kind in Enum.GetValues<ReportErrorKind>())
        {
            metrics[prefix + kind.Key()] = counts.Count > 0 ? counts.Average(c => c[(int)kind]) : double.NaN;
        }
    }
}
