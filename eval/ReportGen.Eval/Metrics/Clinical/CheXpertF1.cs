using ReportGen.Core.Labels;

namespace ReportGen.Eval.Metrics.Clinical;

/// <summary>The CheXpert / CheXbert observation names, in CheXbert's order.</summary>
public static class CheXpertLabels
{
    /// <summary>The 14 observations (F1CheXbert's target_names order).</summary>
    public static readonly IReadOnlyList<string> All14 =
    [
        "Enlarged Cardiomediastinum", "Cardiomegaly", "Lung Opacity", "Lung Lesion", "Edema",
        "Consolidation", "Pneumonia", "Atelectasis", "Pneumothorax", "Pleural Effusion", "Pleural Other",
        "Fracture", "Support Devices", "No Finding",
    ];

    /// <summary>The five common observations of the CheXpert competition (F1CheXbert's target_names_5, in the 14's order).</summary>
    public static readonly IReadOnlyList<string> Common5 = ["Cardiomegaly", "Edema", "Consolidation", "Atelectasis", "Pleural Effusion"];
}

/// <summary>How an uncertain mention becomes binary.</summary>
public enum UncertainPolicy
{
    /// <summary>Uncertain counts as absent (U-Zeros).</summary>
    AsNegative,
    /// <summary>Uncertain counts as present (U-Ones; F1CheXbert's "rrg" mode).</summary>
    AsPositive,
}

/// <summary>Binary confusion counts for one label.</summary>
public readonly record struct BinaryCounts(int TruePositive, int FalsePositive, int FalseNegative, int TrueNegative)
{
    /// <summary>Reference positives.</summary>
    public int Support => TruePositive + FalseNegative;
    /// <summary>TP/(TP+FP), 0 when undefined (scikit-learn's zero_division default).</summary>
    public double Precision => TruePositive + FalsePositive == 0 ? 0 : TruePositive / (double)(TruePositive + FalsePositive);
    /// <summary>TP/(TP+FN), 0 when undefined.</summary>
    public double Recall => TruePositive + FalseNegative == 0 ? 0 : TruePositive / (double)(TruePositive + FalseNegative);
    /// <summary>2TP/(2TP+FP+FN), 0 when undefined.</summary>
    public double F1 => 2 * TruePositive + FalsePositive + FalseNegative == 0 ? 0 : 2.0 * TruePositive / (2 * TruePositive + FalsePositive + FalseNegative);

    /// <summary>Adds two count sets.</summary>
    public static BinaryCounts operator +(BinaryCounts a, BinaryCounts b)
        => new(a.TruePositive + b.TruePositive, a.FalsePositive + b.FalsePositive, a.FalseNegative + b.FalseNegative, a.TrueNegative + b.TrueNegative);
}

/// <summary>Per-label counts and the macro / micro averages over a label set.</summary>
public sealed record LabelF1Report(IReadOnlyList<string> Labels, IReadOnlyDictionary<string, BinaryCounts> PerLabel, UncertainPolicy Policy)
{
    /// <summary>Mean of per-label F1 (labels without positives count as 0, as scikit-learn's classification_report).</summary>
    public double MacroF1 => Labels.Average(l => PerLabel[l].F1);
    /// <summary>F1 of the summed counts.</summary>
    public double MicroF1 => Summed.F1;
    /// <summary>Micro precision.</summary>
    public double MicroPrecision => Summed.Precision;
    /// <summary>Micro recall.</summary>
    public double MicroRecall => Summed.Recall;
    private BinaryCounts Summed => Labels.Aggregate(default(BinaryCounts), (acc, l) => acc + PerLabel[l]);
}

/// <summary>
/// CheXpert label F1 as F1CheXbert (Stanford-AIMI/f1chexbert) and the CheXpert literature compute it:
/// each report's label values become binary — positive → 1, negative and not mentioned → 0, uncertain → 0 or 1
/// by <see cref="UncertainPolicy"/> — then per label P/R/F1 and, over the 14 and over the 5 common labels,
/// macro F1 (mean of per-label F1) and micro F1 (F1 of summed TP/FP/FN).
/// A label missing from a report's dictionary is not mentioned.
/// </summary>
public static class CheXpertF1
{
    /// <summary>Counts and averages over <paramref name="labels"/>.</summary>
    public static LabelF1Report Compute(
        IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> references,
        IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> predictions,
        IReadOnlyList<string> labels,
        UncertainPolicy policy)
    {
        Validate(references, predictions);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0) throw new ArgumentException("no labels to score", nameof(labels));
        var perLabel = new Dictionary<string, BinaryCounts>();
        foreach (var label in labels)
        {
            int tp = 0, fp = 0, fn = 0, tn = 0;
            for (var i = 0; i < references.Count; i++)
            {
                var truth = IsPositive(references[i].GetValueOrDefault(label, LabelValue.NotMentioned), policy);
                var guess = IsPositive(predictions[i].GetValueOrDefault(label, LabelValue.NotMentioned), policy);
                if (truth && guess) tp++;
                else if (guess) fp++;
                else if (truth) fn++;
                else tn++;
            }
            perLabel[label] = new BinaryCounts(tp, fp, fn, tn);
        }
        return new LabelF1Report(labels, perLabel, policy);
    }

    /// <summary>Both policies over the 14 and the 5 labels, with results.json names.</summary>
    public static IReadOnlyDictionary<string, double> Evaluate(
        IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> references,
        IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> predictions)
    {
        var metrics = new Dictionary<string, double>();
        foreach (var policy in Enum.GetValues<UncertainPolicy>())
        {
            var suffix = policy == UncertainPolicy.AsPositive ? "u_pos" : "u_neg";
            var all = Compute(references, predictions, CheXpertLabels.All14, policy);
            var five = Compute(references, predictions, CheXpertLabels.Common5, policy);
            metrics[$"chexpert14_macro_f1_{suffix}"] = all.MacroF1;
            metrics[$"chexpert14_micro_f1_{suffix}"] = all.MicroF1;
            metrics[$"chexpert5_macro_f1_{suffix}"] = five.MacroF1;
            metrics[$"chexpert5_micro_f1_{suffix}"] = five.MicroF1;
        }
        return metrics;
    }

    /// <summary>The binary value of a label under a policy.</summary>
    public static bool IsPositive(LabelValue value, UncertainPolicy policy) => value switch
    {
        LabelValue.Positive => true,
        LabelValue.Uncertain => policy == UncertainPolicy.AsPositive,
        _ => false,
    };

    internal static void Validate(
        IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> references,
        IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> predictions)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(predictions);
        if (references.Count != predictions.Count)
            throw new ArgumentException($"{references.Count} reference reports but {predictions.Count} predictions", nameof(predictions));
        if (references.Count == 0) throw new ArgumentException("no reports to score", nameof(references));
    }
}

/// <summary>
/// MOSAIC's label F1 (aliswh/mosaic, mosaic/core/evals.py weighted_by_support_f1_score): per label, the
/// four-valued labels are scored as multi-class F1 averaged over the classes present in the reference
/// except not-mentioned, weighted by their reference support (scikit-learn average="weighted");
/// a label whose reference never mentions it has no score. <see cref="Mean"/> is the mean over scored labels.
/// </summary>
public sealed record MosaicF1Result(IReadOnlyDictionary<string, double?> PerLabel)
{
    /// <summary>Mean of the defined per-label scores (NaN when none).</summary>
    public double Mean => PerLabel.Values.Where(v => v.HasValue).Select(v => v!.Value).DefaultIfEmpty(double.NaN).Average();
}

/// <summary>Computes <see cref="MosaicF1Result"/>.</summary>
public static class MosaicF1
{
    /// <summary>Scores the labels (a missing key is not mentioned).</summary>
    public static MosaicF1Result Compute(
        IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> references,
        IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> predictions,
        IReadOnlyList<string> labels)
    {
        CheXpertF1.Validate(references, predictions);
        var perLabel = new Dictionary<string, double?>();
        foreach (var label in labels)
        {
            var truth = references.Select(r => r.GetValueOrDefault(label, LabelValue.NotMentioned)).ToArray();
            var guess = predictions.Select(p => p.GetValueOrDefault(label, LabelValue.NotMentioned)).ToArray();
            var classes = truth.Where(v => v != LabelValue.NotMentioned).Distinct().ToArray();
            if (classes.Length == 0)
            {
                perLabel[label] = null;
                continue;
            }
            double weighted = 0;
            var totalSupport = 0;
            foreach (var c in classes)
            {
                int tp = 0, fp = 0, fn = 0;
                for (var i = 0; i < truth.Length; i++)
                {
                    if (truth[i] == c && guess[i] == c) tp++;
                    else if (guess[i] == c) fp++;
                    else if (truth[i] == c) fn++;
                }
                var support = tp + fn;
                weighted += support * (2.0 * tp / (2 * tp + fp + fn));
                totalSupport += support;
            }
            perLabel[label] = weighted / totalSupport;
        }
        return new MosaicF1Result(perLabel);
    }
}
