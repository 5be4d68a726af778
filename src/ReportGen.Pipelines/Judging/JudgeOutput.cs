namespace ReportGen.Pipelines.Judging;

/// <summary>
/// The judges' output contract as one flat object per judgement: <c>{"method", "score" (number or null), "status",
/// ...per-category counts}</c> (the caller adds <c>provenance</c>). <c>reportgen judge</c> prints it; any other host can
/// return it so that every surface reads the same. Keys are snake_case; GREEN/CheXprompt counts are objects keyed
/// <c>a_false_finding</c> … <c>f_omitted_comparison</c>. Serialise with <c>JsonNamingPolicy.SnakeCaseLower</c> so the
/// nested verdict records read snake_case too. eval/judging.md documents every field.
/// </summary>
public static class JudgeOutput
{
    /// <summary>The rules judge's output: GREEN-like score and counts (score higher is better; null only for a text not in English).</summary>
    public static Dictionary<string, object?> Rules(RulesJudgement j) => j is null ? throw new ArgumentNullException(nameof(j)) : new()
    {
        ["method"] = "rules", ["score"] = j.Problem is null ? j.Score : null, ["status"] = j.Problem is null ? JudgeStatus.Parsed : JudgeStatus.UnsupportedLanguage,
        ["problem"] = j.Problem,
        ["matched_findings"] = j.MatchedFindings, ["false_findings"] = j.FalseFindings, ["missed_findings"] = j.MissedFindings,
        ["location_mismatches"] = j.LocationMismatches, ["severity_mismatches"] = j.SeverityMismatches,
        ["extra_comparisons"] = j.ExtraComparisons, ["omitted_comparisons"] = j.OmittedComparisons,
        ["certainty_mismatches"] = j.CertaintyMismatches, ["errors"] = j.Errors,
        ["false_labels"] = j.FalseLabels, ["missed_labels"] = j.MissedLabels,
    };

    /// <summary>GREEN's output: score = matched / (matched + Σ significant), null unless parsed.</summary>
    public static Dictionary<string, object?> Green(GreenJudgement g) => g is null ? throw new ArgumentNullException(nameof(g)) : new()
    {
        ["method"] = "green", ["score"] = g.Score, ["status"] = g.Status, ["problem"] = g.Problem,
        ["matched_findings"] = g.MatchedFindings,
        ["significant_errors"] = Kinds(g.Significant), ["insignificant_errors"] = Kinds(g.Insignificant),
        ["significant_total"] = g.SignificantTotal, ["insignificant_total"] = g.InsignificantTotal,
    };

    /// <summary>CheXprompt's output: score = Σ clinically significant errors (lower is better), null unless parsed.</summary>
    public static Dictionary<string, object?> CheXprompt(CheXpromptJudgement c) => c is null ? throw new ArgumentNullException(nameof(c)) : new()
    {
        ["method"] = "chexprompt", ["score"] = c.SignificantTotal, ["score_meaning"] = "clinically significant errors (lower is better)",
        ["status"] = c.Status, ["problem"] = c.Problem,
        ["significant_errors"] = Kinds(c.Significant), ["insignificant_errors"] = Kinds(c.Insignificant),
        ["significant_total"] = c.SignificantTotal, ["insignificant_total"] = c.InsignificantTotal,
    };

    /// <summary>RadFact's output: score = logical F1 (null when a side has no judged phrase), P/R, grounding and spatial P/R, failures;
    /// status "partial" when some phrases have no verdict but both sides still score.</summary>
    public static Dictionary<string, object?> RadFact(RadFactJudgement r, bool candidateGrounded, bool referenceGrounded)
    {
        ArgumentNullException.ThrowIfNull(r);
        var total = r.CandidateVerdicts.Count + r.ReferenceVerdicts.Count;
        var status = r.Failures == 0 ? JudgeStatus.Parsed
            : r.Failures < total && r.LogicalF1 is not null ? JudgeStatus.Partial
            : r.FailedCalls > 0 ? JudgeStatus.Failed
            : r.TruncatedVerdicts > 0 ? JudgeStatus.Truncated : JudgeStatus.Unparseable;
        return new()
        {
            ["method"] = "radfact", ["score"] = r.LogicalF1, ["status"] = status,
            ["logical_precision"] = r.LogicalPrecision, ["logical_recall"] = r.LogicalRecall, ["logical_f1"] = r.LogicalF1,
            ["grounding_precision"] = r.GroundingPrecision, ["grounding_recall"] = r.GroundingRecall, ["grounding_f1"] = r.GroundingF1,
            ["spatial_precision"] = r.SpatialPrecision, ["spatial_recall"] = r.SpatialRecall, ["spatial_f1"] = r.SpatialF1,
            ["candidate_phrases"] = r.CandidateVerdicts.Count, ["reference_phrases"] = r.ReferenceVerdicts.Count,
            ["candidate_phrases_with_boxes"] = r.CandidatePhrasesWithBoxes, ["reference_phrases_with_boxes"] = r.ReferencePhrasesWithBoxes,
            ["candidate_grounded"] = candidateGrounded, ["reference_grounded"] = referenceGrounded,
            ["failures"] = r.Failures, ["unparseable_verdicts"] = r.UnparseableVerdicts, ["failed_calls"] = r.FailedCalls, ["truncated_verdicts"] = r.TruncatedVerdicts,
            ["candidate_verdicts"] = r.CandidateVerdicts, ["reference_verdicts"] = r.ReferenceVerdicts,
        };
    }

    private static Dictionary<string, int> Kinds(IReadOnlyList<int> counts) => new()
    {
        ["a_false_finding"] = counts[0], ["b_missed_finding"] = counts[1], ["c_location"] = counts[2],
        ["d_severity"] = counts[3], ["e_extra_comparison"] = counts[4], ["f_omitted_comparison"] = counts[5],
    };
}
