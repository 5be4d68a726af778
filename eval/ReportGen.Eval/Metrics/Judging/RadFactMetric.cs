using ReportGen.Pipelines.Judging;

namespace ReportGen.Eval.Metrics.Judging;

/// <summary>One sample: both directions' evidenced phrases, or a failed judgement (null lists).</summary>
public sealed record RadFactSample(string Id, IReadOnlyList<EvidencedPhrase>? CandidatePhrases, IReadOnlyList<EvidencedPhrase>? ReferencePhrases)
{
    /// <summary>True when the entailment step failed for this sample (it is counted, not scored).</summary>
    public bool IsInvalid => CandidatePhrases is null || ReferencePhrases is null;
}

/// <summary>
/// RadFact's corpus aggregation (microsoft/RadFact src/radfact/metric/radfact.py aggregate_results, schema.py
/// RadFactScore.from_aggregate). The per-sample arithmetic (logical, grounding and spatial precision/recall, box
/// masks) is the pipeline's <see cref="RadFactScoring"/>, the same code the RadFact judge scores with.
/// </summary>
public static class RadFact
{
    /// <summary>
    /// RadFact's aggregate_results over samples: nanmean of each score over valid samples, F1s of the means,
    /// num_samples and num_invalid_processed_samples. With <paramref name="onlyFactualScores"/> (narrative text) the box
    /// scores are 0, as the reference reports them.
    /// </summary>
    public static RadFactAggregate Aggregate(IReadOnlyList<RadFactSample> samples, bool onlyFactualScores = false)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var scores = samples.Where(s => !s.IsInvalid).Select(s => RadFactScoring.Score(s.CandidatePhrases!, s.ReferencePhrases!)).ToArray();
        var invalid = samples.Count(s => s.IsInvalid);
        return new RadFactAggregate(AggregateScores(scores, onlyFactualScores), onlyFactualScores, scores.Length, invalid, scores);
    }

    /// <summary>RadFactScore.from_aggregate.</summary>
    public static RadFactScore AggregateScores(IReadOnlyList<RadFactScore> scores, bool onlyFactualScores)
    {
        if (scores.Count == 0) return new RadFactScore(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        double Mean(Func<RadFactScore, double> f) => NanMean(scores.Select(f));
        return new RadFactScore(
            Mean(s => s.LogicalPrecision), Mean(s => s.LogicalRecall),
            onlyFactualScores ? 0 : Mean(s => s.SpatialPrecision), onlyFactualScores ? 0 : Mean(s => s.SpatialRecall),
            onlyFactualScores ? 0 : Mean(s => s.GroundingPrecision), onlyFactualScores ? 0 : Mean(s => s.GroundingRecall),
            scores.Average(s => s.NumCandidatePhrases), scores.Average(s => s.NumReferencePhrases),
            onlyFactualScores ? 0 : Mean(s => s.NumCandidatePhrasesWithBoxes), onlyFactualScores ? 0 : Mean(s => s.NumReferencePhrasesWithBoxes));
    }

    /// <summary>numpy nanmean: the mean of the non-NaN values, NaN when there are none.</summary>
    public static double NanMean(IEnumerable<double> values)
    {
        double sum = 0;
        var n = 0;
        foreach (var v in values)
        {
            if (double.IsNaN(v)) continue;
            sum += v;
            n++;
        }
        return n == 0 ? double.NaN : sum / n;
    }

}

/// <summary>The aggregate over samples and what it was computed from.</summary>
public sealed record RadFactAggregate(RadFactScore Score, bool OnlyFactualScores, int NumSamples, int NumInvalidSamples, IReadOnlyList<RadFactScore> PerSample)
{
    /// <summary>RadFact's aggregate dictionary keys (NaN values included; writers emit them as null).</summary>
    public IReadOnlyDictionary<string, double> ToDictionary() => new Dictionary<string, double>
    {
        ["logical_precision"] = Score.LogicalPrecision,
        ["logical_recall"] = Score.LogicalRecall,
        ["logical_f1"] = Score.LogicalF1,
        ["spatial_precision"] = Score.SpatialPrecision,
        ["spatial_recall"] = Score.SpatialRecall,
        ["spatial_f1"] = OnlyFactualScores ? 0 : Score.SpatialF1,
        ["grounding_precision"] = Score.GroundingPrecision,
        ["grounding_recall"] = Score.GroundingRecall,
        ["grounding_f1"] = OnlyFactualScores ? 0 : Score.GroundingF1,
        ["num_candidate_phrases"] = Score.NumCandidatePhrases,
        ["num_reference_phrases"] = Score.NumReferencePhrases,
        ["num_candidate_phrases_with_boxes"] = Score.NumCandidatePhrasesWithBoxes,
        ["num_reference_phrases_with_boxes"] = Score.NumReferencePhrasesWithBoxes,
        ["num_samples"] = NumSamples,
        ["num_invalid_processed_samples"] = NumInvalidSamples,
    };
}
