using System.Globalization;
using System.Text;
using ReportGen.Core.Labels;

namespace ReportGen.Eval.Metrics.Clinical;

/// <summary>One labelled report of a dev set and what a labeller said about it.</summary>
/// <param name="Group">The group it is reported in (a language).</param>
/// <param name="Split">"tune" (rules were fitted while looking at it) or "heldout" (kept unseen until the end); null when the dev set has no split.</param>
/// <param name="SourceId">For a translation, the id of the report it translates (so English can be scored on the same reports).</param>
public sealed record LabelledItem(
    string Id,
    string Group,
    string? Split,
    IReadOnlyDictionary<string, LabelValue> Reference,
    IReadOnlyDictionary<string, LabelValue> Prediction,
    string? SourceId = null);

/// <summary>The scores of one group of reports (a language, a split, or both).</summary>
/// <param name="MacroF1">Mean F1 of positive over the 14 labels, labels without reference positives scoring 0 (F1CheXbert).</param>
/// <param name="MacroF1Scored">Mean F1 of positive over the labels that have reference positives in this group.</param>
/// <param name="UnscoredLabels">Labels with no reference positive here: their F1 is undefined, so they are listed, with any false positives.</param>
public sealed record LabelGroupScore(
    string Name,
    int Reports,
    double MacroF1,
    double MacroF1Scored,
    IReadOnlyList<(string Label, int FalsePositives)> UnscoredLabels,
    LabelF1Report PerLabel);

/// <summary>
/// Per-language and per-split scores of a labeller on a dev set, and the 4×4 confusion tables (reference value ×
/// predicted value: positive, negative, uncertain, not mentioned) per language and label. F1 is of "positive" with
/// uncertain as negative, CheXpert's u_neg. Labels with no reference positive in a group are reported apart instead
/// of silently scoring 0.
/// </summary>
public sealed class LabelBreakdown
{
    private static readonly LabelValue[] Values = [LabelValue.Positive, LabelValue.Negative, LabelValue.Uncertain, LabelValue.NotMentioned];

    // A file for people to read: "->" and non-ASCII report ids stay as they are.
    private static readonly System.Text.Json.JsonSerializerOptions JsonLines = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly IReadOnlyList<LabelledItem> _items;
    private readonly IReadOnlyList<string> _labels;
    private readonly HashSet<string> _sources;

    /// <summary>Scores <paramref name="items"/> over <paramref name="labels"/> (default: the CheXpert 14).</summary>
    public LabelBreakdown(IReadOnlyList<LabelledItem> items, IReadOnlyList<string>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0) throw new ArgumentException("no reports to score", nameof(items));
        _items = items;
        _labels = labels ?? CheXpertLabels.All14;
        _sources = items.Where(i => i.SourceId is not null).Select(i => i.SourceId!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The group of the English reports that have translations: "en" scored on the same reports as the other languages.</summary>
    public const string TranslatedSources = "en-translated";

    /// <summary>The groups in report order ("en" first, then <see cref="TranslatedSources"/> when there are translations), then "all".</summary>
    public IReadOnlyList<string> Groups => _items.Select(i => i.Group).Distinct()
        .Concat(_items.Any(i => i.SourceId is null && _sources.Contains(i.Id)) ? [TranslatedSources] : [])
        .OrderBy(g => g == "en" ? "" : g == TranslatedSources ? " " : g, StringComparer.Ordinal).Append("all").ToList();

    private bool InGroup(LabelledItem item, string group) => group switch
    {
        "all" => true,
        TranslatedSources => item.SourceId is null && _sources.Contains(item.Id),
        _ => item.Group == group,
    };


    /// <summary>The splits present, "tune" before "heldout".</summary>
    public IReadOnlyList<string> Splits => _items.Where(i => i.Split is not null).Select(i => i.Split!).Distinct()
        .OrderBy(s => s == "tune" ? 0 : s == "heldout" ? 1 : 2).ThenBy(s => s, StringComparer.Ordinal).ToList();

    /// <summary>The score of a group ("all" for every report) and optionally one split of it; null when it has no reports.</summary>
    public LabelGroupScore? Score(string group, string? split = null)
    {
        var items = _items.Where(i => InGroup(i, group) && (split is null || i.Split == split)).ToList();
        if (items.Count == 0) return null;
        var report = CheXpertF1.Compute(items.Select(i => i.Reference).ToList(), items.Select(i => i.Prediction).ToList(), _labels, UncertainPolicy.AsNegative);
        var scored = _labels.Where(l => report.PerLabel[l].Support > 0).ToList();
        var unscored = _labels.Where(l => report.PerLabel[l].Support == 0).Select(l => (l, report.PerLabel[l].FalsePositive)).ToList();
        var name = split is null ? group : $"{group}/{split}";
        return new LabelGroupScore(name, items.Count, report.MacroF1, scored.Count == 0 ? double.NaN : scored.Average(l => report.PerLabel[l].F1), unscored, report);
    }

    /// <summary>How often each (reference, prediction) pair occurs for one label in one group.</summary>
    public int[,] Confusion(string group, string label)
    {
        var table = new int[Values.Length, Values.Length];
        foreach (var item in _items.Where(i => InGroup(i, group)))
        {
            var r = Array.IndexOf(Values, item.Reference.GetValueOrDefault(label, LabelValue.NotMentioned));
            var p = Array.IndexOf(Values, item.Prediction.GetValueOrDefault(label, LabelValue.NotMentioned));
            table[r, p]++;
        }
        return table;
    }

    /// <summary>Every (report, label) where reference and prediction differ on "positive" (the scored decision).</summary>
    public IEnumerable<(LabelledItem Item, string Label, LabelValue Reference, LabelValue Prediction)> Errors(string? split = null)
    {
        foreach (var item in _items.Where(i => split is null || i.Split == split))
        {
            foreach (var label in _labels)
            {
                var r = item.Reference.GetValueOrDefault(label, LabelValue.NotMentioned);
                var p = item.Prediction.GetValueOrDefault(label, LabelValue.NotMentioned);
                if ((r == LabelValue.Positive) != (p == LabelValue.Positive)) yield return (item, label, r, p);
            }
        }
    }

    /// <summary>
    /// One JSON line per report whose "positive" decisions differ from the reference: id, group, split and, per
    /// differing label, reference and prediction (for reading the errors of the tune split only).
    /// </summary>
    public string ErrorsJsonLines()
    {
        var sb = new StringBuilder();
        foreach (var g in Errors().GroupBy(e => e.Item))
        {
            var line = new Dictionary<string, object?>
            {
                ["id"] = g.Key.Id,
                ["group"] = g.Key.Group,
                ["split"] = g.Key.Split,
                ["errors"] = g.ToDictionary(e => e.Label, e => $"{LabelValues.ToWireName(e.Reference)} -> {LabelValues.ToWireName(e.Prediction)}"),
            };
            sb.Append(System.Text.Json.JsonSerializer.Serialize(line, JsonLines)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>A JSON-friendly summary: per group and per group/split, n, both macro F1s and the unscored labels.</summary>
    public Dictionary<string, object> Summary()
    {
        var result = new Dictionary<string, object>();
        foreach (var g in Groups)
        {
            foreach (var split in new string?[] { null }.Concat(Splits))
            {
                if (Score(g, split) is not { } s) continue;
                result[s.Name] = new Dictionary<string, object>
                {
                    ["n"] = s.Reports,
                    ["chexpert14_macro_f1_u_neg"] = Math.Round(s.MacroF1, 4),
                    ["macro_f1_u_neg_scored_labels"] = double.IsNaN(s.MacroF1Scored) ? "undefined" : Math.Round(s.MacroF1Scored, 4),
                    ["labels_without_reference_positives"] = s.UnscoredLabels.ToDictionary(u => u.Label, u => u.FalsePositives),
                };
            }
        }
        return result;
    }

    /// <summary>
    /// Markdown: the per-group/split table, per-label F1 per group, and the confusion table of every label per
    /// group (rows reference, columns prediction).
    /// </summary>
    public string ToMarkdown(string title)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("# ").Append(title).Append("\n\n");
        sb.Append("F1 of \"positive\", uncertain counted as negative (CheXpert u_neg). \"").Append(TranslatedSources).Append("\" is English scored on only the reports that were translated, to compare each language with English on the same reports. \"macro-14\" averages all 14 labels, a label without reference positives scoring 0 (F1CheXbert); \"macro over scored\" averages only the labels with reference positives, which are listed apart (with the false positives they got).\n\n");
        sb.Append("| group | n | macro-14 | macro over scored | labels without reference positives (false positives) |\n|---|---|---|---|---|\n");
        foreach (var g in Groups)
        {
            foreach (var split in new string?[] { null }.Concat(Splits))
            {
                if (Score(g, split) is not { } s) continue;
                var unscored = s.UnscoredLabels.Count == 0 ? "none" : string.Join(", ", s.UnscoredLabels.Select(u => $"{u.Label} ({u.FalsePositives})"));
                sb.Append(inv, $"| {s.Name} | {s.Reports} | {s.MacroF1:0.000} | {(double.IsNaN(s.MacroF1Scored) ? "undefined" : s.MacroF1Scored.ToString("0.000", inv))} | {unscored} |\n");
            }
        }
        sb.Append("\n## Per-label F1 (support = reference positives)\n\n| label |");
        foreach (var g in Groups) sb.Append(' ').Append(g).Append(" |");
        sb.Append("\n|---|").Append(string.Concat(Enumerable.Repeat("---|", Groups.Count))).Append('\n');
        var scores = Groups.ToDictionary(g => g, g => Score(g)!);
        foreach (var label in _labels)
        {
            sb.Append("| ").Append(label).Append(" |");
            foreach (var g in Groups)
            {
                var c = scores[g].PerLabel.PerLabel[label];
                sb.Append(' ').Append(c.Support == 0 ? $"– (0, FP {c.FalsePositive})" : string.Create(inv, $"{c.F1:0.00} ({c.Support})")).Append(" |");
            }
            sb.Append('\n');
        }
        sb.Append("\n## Confusion tables\n\nRows: reference; columns: prediction (pos, neg, unc, n/m = not mentioned).\n");
        foreach (var g in Groups.Where(g => g is not "all" and not TranslatedSources))
        {
            sb.Append("\n### ").Append(g).Append("\n\n| label | ref | pos | neg | unc | n/m |\n|---|---|---|---|---|---|\n");
            foreach (var label in _labels)
            {
                var t = Confusion(g, label);
                for (var r = 0; r < Values.Length; r++)
                {
                    var total = 0;
                    for (var p = 0; p < Values.Length; p++) total += t[r, p];
                    if (total == 0) continue;
                    sb.Append("| ").Append(label).Append(" | ").Append(Short(Values[r])).Append(" |");
                    for (var p = 0; p < Values.Length; p++) sb.Append(' ').Append(t[r, p]).Append(" |");
                    sb.Append('\n');
                }
            }
        }
        return sb.ToString();
    }

    private static string Short(LabelValue v) => v switch
    {
        LabelValue.Positive => "pos",
        LabelValue.Negative => "neg",
        LabelValue.Uncertain => "unc",
        _ => "n/m",
    };
}
