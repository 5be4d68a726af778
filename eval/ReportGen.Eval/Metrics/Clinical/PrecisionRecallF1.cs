namespace ReportGen.Eval.Metrics.Clinical;

/// <summary>A precision / recall / F1 triple.</summary>
public readonly record struct PrecisionRecallF1(double Precision, double Recall, double F1)
{
    /// <summary>All zero (the score of an empty or unscorable item).</summary>
    public static PrecisionRecallF1 Zero => new(0, 0, 0);

    /// <summary>F1 = 2PR/(P+R), 0 when P+R is 0.</summary>
    public static PrecisionRecallF1 From(double precision, double recall)
        => new(precision, recall, precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0);

    /// <summary>The component-wise mean (as numpy's mean over axis 0).</summary>
    public static PrecisionRecallF1 Mean(IReadOnlyCollection<PrecisionRecallF1> items)
        => items.Count == 0
            ? Zero
            : new(items.Average(i => i.Precision), items.Average(i => i.Recall), items.Average(i => i.F1));
}
