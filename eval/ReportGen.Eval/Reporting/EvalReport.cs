using System.Text.Json.Nodes;

namespace ReportGen.Eval.Reporting;

/// <summary>
/// What a suite hands to <see cref="ResultsWriter"/>: named metrics (results.json's <c>metrics</c>), plots and tables
/// for report.html, and per-item details. Suites build one with the Add* methods (each returns this).
/// </summary>
public sealed class EvalReport
{
    private readonly Dictionary<string, double> _metrics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _descriptions = new(StringComparer.Ordinal);
    private readonly List<ReportSection> _sections = [];
    private readonly List<JsonNode?> _items = [];
    private readonly Dictionary<string, JsonNode?> _extra = new(StringComparer.Ordinal);

    /// <summary>Creates a report for a suite.</summary>
    public EvalReport(string suite, string? title = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(suite);
        Suite = suite;
        Title = title ?? $"ReportGen eval: {suite}";
    }

    /// <summary>The suite name (results.json "suite").</summary>
    public string Suite { get; }
    /// <summary>The report.html heading.</summary>
    public string Title { get; }
    /// <summary>Metrics by name, insertion order; NaN/∞ values are kept here and written as undefined.</summary>
    public IReadOnlyDictionary<string, double> Metrics => _metrics;
    /// <summary>Metric descriptions by name.</summary>
    public IReadOnlyDictionary<string, string> Descriptions => _descriptions;
    /// <summary>Plots, tables and notes in order.</summary>
    public IReadOnlyList<ReportSection> Sections => _sections;
    /// <summary>Per-item details (results.json "items").</summary>
    public IReadOnlyList<JsonNode?> Items => _items;
    /// <summary>Extra top-level results.json members.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Extra => _extra;

    /// <summary>Adds (or replaces) one metric.</summary>
    public EvalReport AddMetric(string name, double value, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _metrics[name] = value;
        if (description is not null) _descriptions[name] = description;
        return this;
    }

    /// <summary>Adds every metric of a dictionary, names prefixed when <paramref name="prefix"/> is given.</summary>
    public EvalReport AddMetrics(IEnumerable<KeyValuePair<string, double>> metrics, string? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var (name, value) in metrics) AddMetric(prefix is null ? name : prefix + name, value);
        return this;
    }

    /// <summary>A horizontal bar chart (e.g. per-label F1); <paramref name="max"/> fixes the axis (1 for scores).</summary>
    public EvalReport AddBarChart(string title, IEnumerable<(string Label, double Value)> bars, double? max = 1.0, string? caption = null)
    {
        _sections.Add(new BarChartSection(title, bars.ToArray(), max, caption));
        return this;
    }

    /// <summary>A confusion matrix: counts[truth, predicted] over <paramref name="labels"/>.</summary>
    public EvalReport AddConfusionMatrix(string title, IReadOnlyList<string> labels, int[,] counts, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.GetLength(0) != labels.Count || counts.GetLength(1) != labels.Count)
            throw new ArgumentException($"a {labels.Count}-label confusion matrix needs {labels.Count}x{labels.Count} counts", nameof(counts));
        _sections.Add(new ConfusionMatrixSection(title, labels.ToArray(), (int[,])counts.Clone(), caption));
        return this;
    }

    /// <summary>A histogram of values (e.g. latencies in ms) with <paramref name="bins"/> equal-width bins.</summary>
    public EvalReport AddHistogram(string title, IEnumerable<double> values, int bins = 20, string unit = "ms", string? caption = null)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), "at least one bin");
        _sections.Add(new HistogramSection(title, values.Where(double.IsFinite).ToArray(), bins, unit, caption));
        return this;
    }

    /// <summary>A table of strings (numbers formatted by the caller).</summary>
    public EvalReport AddTable(string title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var materialised = rows.ToArray();
        if (materialised.Any(r => r.Count != headers.Count))
            throw new ArgumentException($"every row needs {headers.Count} cells", nameof(rows));
        _sections.Add(new TableSection(title, headers.ToArray(), materialised, caption));
        return this;
    }

    /// <summary>A paragraph of text (protocol notes, comparisons with published numbers).</summary>
    public EvalReport AddNote(string title, string text)
    {
        _sections.Add(new NoteSection(title, text));
        return this;
    }

    /// <summary>One item's details (any JSON-serialisable object).</summary>
    public EvalReport AddItem(object item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _items.Add(item as JsonNode ?? System.Text.Json.JsonSerializer.SerializeToNode(item, ResultsWriter.JsonOptions));
        return this;
    }

    /// <summary>An extra top-level member of results.json (e.g. "bootstrap").</summary>
    public EvalReport AddExtra(string name, object? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _extra[name] = value as JsonNode ?? System.Text.Json.JsonSerializer.SerializeToNode(value, ResultsWriter.JsonOptions);
        return this;
    }
}

/// <summary>A part of report.html.</summary>
public abstract record ReportSection(string Title);
/// <summary>A horizontal bar chart; <c>Max</c> fixes the axis (null: the largest bar).</summary>
public sealed record BarChartSection(string Title, IReadOnlyList<(string Label, double Value)> Bars, double? Max, string? Caption) : ReportSection(Title);
/// <summary>A confusion matrix: <c>Counts[truth, predicted]</c> over <c>Labels</c>.</summary>
public sealed record ConfusionMatrixSection(string Title, IReadOnlyList<string> Labels, int[,] Counts, string? Caption) : ReportSection(Title);
/// <summary>A histogram of <c>Values</c> in <c>Bins</c> equal-width bins, labelled in <c>Unit</c>.</summary>
public sealed record HistogramSection(string Title, IReadOnlyList<double> Values, int Bins, string Unit, string? Caption) : ReportSection(Title);
/// <summary>A table of preformatted cells (also written to results.json <c>tables</c>).</summary>
public sealed record TableSection(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, string? Caption) : ReportSection(Title);
/// <summary>A titled paragraph: protocol notes, comparisons with published numbers.</summary>
public sealed record NoteSection(string Title, string Text) : ReportSection(Title);
