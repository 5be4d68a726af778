using ReportGen.Core.Labels;
using ReportGen.Eval.Metrics.Clinical;
using ReportGen.Eval.Metrics.Text;

namespace ReportGen.Eval.Reporting;

/// <summary>One-call report sections for the metric families, so every suite names and plots them the same way.</summary>
public static class MetricSections
{
    /// <summary>bleu_1..4, rouge_l, cider_d with descriptions and a bar chart (CIDEr-D on its own axis).</summary>
    public static EvalReport AddTextMetrics(this EvalReport report, TextMetricsResult result, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(result);
        var d = result.ToDictionary();
        for (var n = 1; n <= 4; n++) report.AddMetric($"{prefix}bleu_{n}", d[$"bleu_{n}"], $"corpus BLEU-{n} (pycocoevalcap, closest reference length)");
        report.AddMetric($"{prefix}rouge_l", d["rouge_l"], "ROUGE-L F (β=1.2), mean over items (pycocoevalcap)");
        report.AddMetric($"{prefix}cider_d", d["cider_d"], "CIDEr-D (σ=6, ×10, idf from the references; pycocoevalcap)");
        report.AddBarChart($"{prefix}Text overlap", [("BLEU-1", d["bleu_1"]), ("BLEU-2", d["bleu_2"]), ("BLEU-3", d["bleu_3"]), ("BLEU-4", d["bleu_4"]), ("ROUGE-L", d["rouge_l"])]);
        return report;
    }

    /// <summary>radgraph_simple/partial/complete (F1, precision, recall) and a bar chart of the F1s; <paramref name="decimals"/> rounds the metrics.</summary>
    public static EvalReport AddRadGraph(this EvalReport report, RadGraphF1Result result, string prefix = "", int? decimals = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(result);
        foreach (var (name, value) in result.ToDictionary()) report.AddMetric(prefix + name, decimals is { } d ? Math.Round(value, d) : value);
        report.AddBarChart($"{prefix}RadGraph F1", result.Mean.Select(kv => ($"RG {kv.Key.ToString().ToLowerInvariant()}", kv.Value.F1)));
        return report;
    }

    /// <summary>
    /// CheXpert F1 under both uncertain policies over the 14 and the 5 labels, per-label F1 bars (uncertain as
    /// positive) and a 4-value confusion matrix per label that occurs in the references.
    /// </summary>
    public static EvalReport AddCheXpert(this EvalReport report,
        IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> references,
        IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> predictions,
        string prefix = "",
        bool confusionMatrices = true)
    {
        ArgumentNullException.ThrowIfNull(report);
        foreach (var (name, value) in CheXpertF1.Evaluate(references, predictions)) report.AddMetric(prefix + name, value);
        var mosaic = MosaicF1.Compute(references, predictions, CheXpertLabels.All14);
        report.AddMetric(prefix + "mosaic_weighted_f1", mosaic.Mean, "MOSAIC: per-label support-weighted F1 excluding not-mentioned, mean over labels");

        foreach (var policy in Enum.GetValues<UncertainPolicy>())
        {
            var all = CheXpertF1.Compute(references, predictions, CheXpertLabels.All14, policy);
            var suffix = policy == UncertainPolicy.AsPositive ? "uncertain as positive" : "uncertain as negative";
            report.AddBarChart($"{prefix}Per-label F1 ({suffix})", CheXpertLabels.All14.Select(l => (l, all.PerLabel[l].F1)));
        }
        if (confusionMatrices)
        {
            foreach (var label in CheXpertLabels.All14)
            {
                if (!references.Any(r => r.GetValueOrDefault(label, LabelValue.NotMentioned) != LabelValue.NotMentioned)) continue;
                report.AddConfusionMatrix($"{prefix}{label}", ValueNames, ValueConfusion(references, predictions, label), "Rows: reference value; columns: predicted value.");
            }
        }
        return report;
    }

    /// <summary>The four label values in matrix order.</summary>
    public static readonly IReadOnlyList<string> ValueNames = ["positive", "negative", "uncertain", "not_mentioned"];

    /// <summary>counts[reference value, predicted value] for one label (order of <see cref="ValueNames"/>).</summary>
    public static int[,] ValueConfusion(IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> references, IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> predictions, string label)
    {
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(predictions);
        var counts = new int[4, 4];
        for (var i = 0; i < Math.Min(references.Count, predictions.Count); i++)
        {
            counts[Index(references[i].GetValueOrDefault(label, LabelValue.NotMentioned)), Index(predictions[i].GetValueOrDefault(label, LabelValue.NotMentioned))]++;
        }
        return counts;
    }

    private static int Index(LabelValue value) => value switch
    {
        LabelValue.Positive => 0,
        LabelValue.Negative => 1,
        LabelValue.Uncertain => 2,
        _ => 3,
    };
}
