using System.Globalization;
using System.Net;
using System.Text;

namespace ReportGen.Eval.Reporting;

/// <summary>
/// Renders report.html: one file, inline CSS and inline SVG drawn here (bars, confusion matrices, histograms),
/// no scripts and no external assets, so it opens anywhere and can be attached to a ticket.
/// </summary>
public static class HtmlReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The whole document.</summary>
    public static string Render(EvalReport report, RunProvenance provenance)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(provenance);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(E(report.Title)).Append("</title><style>").Append(Css).Append("</style></head><body>\n");
        html.Append("<h1>").Append(E(report.Title)).Append("</h1>\n");
        RenderMetrics(html, report);
        foreach (var section in report.Sections)
        {
            html.Append("<section><h2>").Append(E(section.Title)).Append("</h2>\n");
            switch (section)
            {
                case BarChartSection bars: html.Append(BarChartSvg(bars)); Caption(html, bars.Caption); break;
                case ConfusionMatrixSection cm: html.Append(ConfusionMatrixSvg(cm)); Caption(html, cm.Caption); break;
                case HistogramSection hist: html.Append(HistogramSvg(hist)); Caption(html, hist.Caption); break;
                case TableSection table: RenderTable(html, table.Headers, table.Rows); Caption(html, table.Caption); break;
                case NoteSection note: html.Append("<p class=\"note\">").Append(E(note.Text).Replace("\n", "<br>", StringComparison.Ordinal)).Append("</p>"); break;
            }
            html.Append("</section>\n");
        }
        RenderProvenance(html, provenance);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private const string Css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#1d2430;padding:0 1em}
        h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;border-bottom:1px solid #d8dde6;padding-bottom:.2em;margin-top:1.8em}
        table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d8dde6;padding:3px 8px;text-align:left;vertical-align:top}
        th{background:#f2f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
        .caption{color:#5a6475;font-size:.9em}.note{white-space:normal}.undefined{color:#a33}
        svg{max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#1d2430}code{background:#f2f4f8;padding:0 3px}
        """;

    private static void RenderMetrics(StringBuilder html, EvalReport report)
    {
        html.Append("<section><h2>Metrics</h2><table><tr><th>metric</th><th>value</th><th>meaning</th></tr>\n");
        foreach (var (name, value) in report.Metrics)
        {
            html.Append("<tr><td><code>").Append(E(name)).Append("</code></td>");
            html.Append(double.IsFinite(value) ? "<td class=\"num\">" + Format(value) + "</td>" : "<td class=\"num undefined\">undefined</td>");
            html.Append("<td>").Append(E(report.Descriptions.GetValueOrDefault(name, ""))).Append("</td></tr>\n");
        }
        html.Append("</table></section>\n");
    }

    private static void RenderProvenance(StringBuilder html, RunProvenance p)
    {
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "started (UTC)", p.StartedUtc.ToString("u", Inv) },
            new[] { "finished (UTC)", p.FinishedUtc?.ToString("u", Inv) ?? "" },
            new[] { "git commit", (p.GitCommit ?? "unknown") + (p.GitDirty == true ? " (uncommitted changes)" : "") },
            new[] { "machine", $"{p.Machine.Name}, {p.Machine.Os}, {p.Machine.Architecture}, {p.Machine.ProcessorCount} CPUs, {p.Machine.Runtime}" },
        };
        if (p.Data is { } data) rows.Add(["data", $"{data.Path} sha256 {data.Sha256 ?? "n/a"}"]);
        if (p.Prompts is { } prompts) rows.Add(["prompts", $"{prompts.Path} ({prompts.Files} files) sha256 {prompts.Sha256 ?? "n/a"}"]);
        foreach (var m in p.Models) rows.Add(["model " + m.Id, $"{m.Path ?? "n/a"} sha256 {m.Sha256 ?? "n/a"}"]);
        foreach (var (k, v) in p.Settings) rows.Add(["setting " + k, v]);
        html.Append("<section><h2>Provenance</h2>");
        RenderTable(html, ["what", "value"], rows);
        html.Append("</section>\n");
    }

    private static void RenderTable(StringBuilder html, IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        html.Append("<table><tr>");
        foreach (var h in headers) html.Append("<th>").Append(E(h)).Append("</th>");
        html.Append("</tr>\n");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                var numeric = double.TryParse(cell, NumberStyles.Float, Inv, out _);
                html.Append(numeric ? "<td class=\"num\">" : "<td>").Append(E(cell)).Append("</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</table>\n");
    }

    /// <summary>Horizontal bars with value labels.</summary>
    public static string BarChartSvg(BarChartSection chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        const int labelWidth = 210, plotWidth = 520, rowHeight = 22, top = 8;
        var finite = chart.Bars.Where(b => double.IsFinite(b.Value)).Select(b => b.Value).ToArray();
        var max = chart.Max ?? (finite.Length > 0 ? Math.Max(finite.Max(), 1e-12) : 1);
        var height = top + chart.Bars.Count * rowHeight + 24;
        var svg = new StringBuilder();
        svg.Append(Inv, $"<svg role=\"img\" aria-label=\"{E(chart.Title)}\" width=\"{labelWidth + plotWidth + 70}\" height=\"{height}\" viewBox=\"0 0 {labelWidth + plotWidth + 70} {height}\" xmlns=\"http://www.w3.org/2000/svg\">");
        for (var i = 0; i < chart.Bars.Count; i++)
        {
            var (label, value) = chart.Bars[i];
            var y = top + i * rowHeight;
            svg.Append(Inv, $"<text x=\"{labelWidth - 6}\" y=\"{y + 15}\" text-anchor=\"end\">{E(Shorten(label, 34))}</text>");
            svg.Append(Inv, $"<rect x=\"{labelWidth}\" y=\"{y + 3}\" width=\"{plotWidth}\" height=\"{rowHeight - 6}\" fill=\"#eef1f6\"/>");
            if (double.IsFinite(value))
            {
                var w = Math.Clamp(value / max, 0, 1) * plotWidth;
                svg.Append(Inv, $"<rect x=\"{labelWidth}\" y=\"{y + 3}\" width=\"{w:0.##}\" height=\"{rowHeight - 6}\" fill=\"#3b6fb6\"><title>{E(label)}: {Format(value)}</title></rect>");
                svg.Append(Inv, $"<text x=\"{labelWidth + plotWidth + 6}\" y=\"{y + 15}\">{Format(value)}</text>");
            }
            else
            {
                svg.Append(Inv, $"<text x=\"{labelWidth + plotWidth + 6}\" y=\"{y + 15}\">n/a</text>");
            }
        }
        var axisY = top + chart.Bars.Count * rowHeight + 14;
        svg.Append(Inv, $"<text x=\"{labelWidth}\" y=\"{axisY}\">0</text><text x=\"{labelWidth + plotWidth}\" y=\"{axisY}\" text-anchor=\"end\">{Format(max)}</text>");
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>A heat-map grid: rows are the truth, columns the prediction, shading by row share.</summary>
    public static string ConfusionMatrixSvg(ConfusionMatrixSection cm)
    {
        ArgumentNullException.ThrowIfNull(cm);
        var n = cm.Labels.Count;
        const int cell = 54, left = 130, top = 110;
        var width = left + n * cell + 90;   // room for the last rotated column label
        var height = top + n * cell + 30;
        var svg = new StringBuilder();
        svg.Append(Inv, $"<svg role=\"img\" aria-label=\"{E(cm.Title)}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">");
        svg.Append(Inv, $"<text x=\"{left + n * cell / 2}\" y=\"14\" text-anchor=\"middle\">predicted</text>");
        svg.Append(Inv, $"<text x=\"12\" y=\"{top + n * cell / 2}\" transform=\"rotate(-90 12 {top + n * cell / 2})\" text-anchor=\"middle\">reference</text>");
        for (var j = 0; j < n; j++)
        {
            var x = left + j * cell + cell / 2;
            svg.Append(Inv, $"<text x=\"{x}\" y=\"{top - 6}\" transform=\"rotate(-45 {x} {top - 6})\">{E(Shorten(cm.Labels[j], 16))}</text>");
        }
        for (var i = 0; i < n; i++)
        {
            var rowTotal = 0;
            for (var j = 0; j < n; j++) rowTotal += cm.Counts[i, j];
            svg.Append(Inv, $"<text x=\"{left - 6}\" y=\"{top + i * cell + cell / 2 + 4}\" text-anchor=\"end\">{E(Shorten(cm.Labels[i], 18))}</text>");
            for (var j = 0; j < n; j++)
            {
                var count = cm.Counts[i, j];
                var share = rowTotal > 0 ? count / (double)rowTotal : 0;
                var fill = Shade(share, i == j);
                var x = left + j * cell;
                var y = top + i * cell;
                svg.Append(Inv, $"<rect x=\"{x}\" y=\"{y}\" width=\"{cell - 2}\" height=\"{cell - 2}\" fill=\"{fill}\"><title>{E(cm.Labels[i])} → {E(cm.Labels[j])}: {count}</title></rect>");
                svg.Append(Inv, $"<text x=\"{x + cell / 2 - 1}\" y=\"{y + cell / 2 + 4}\" text-anchor=\"middle\"{(share > 0.55 ? " style=\"fill:#fff\"" : "")}>{count}</text>");
            }
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Equal-width bins with counts, p50 and p95 marked.</summary>
    public static string HistogramSvg(HistogramSection hist)
    {
        ArgumentNullException.ThrowIfNull(hist);
        const int width = 640, height = 220, left = 44, bottom = 30, top = 10;
        var svg = new StringBuilder();
        svg.Append(Inv, $"<svg role=\"img\" aria-label=\"{E(hist.Title)}\" width=\"{width + 20}\" height=\"{height + 10}\" viewBox=\"0 0 {width + 20} {height + 10}\" xmlns=\"http://www.w3.org/2000/svg\">");
        if (hist.Values.Count == 0)
        {
            svg.Append("<text x=\"10\" y=\"20\">no values</text></svg>\n");
            return svg.ToString();
        }
        var counts = Bin(hist.Values, hist.Bins, out var min, out var binWidth);
        var maxCount = Math.Max(1, counts.Max());
        var plotW = width - left;
        var plotH = height - bottom - top;
        var barW = plotW / (double)counts.Length;
        for (var b = 0; b < counts.Length; b++)
        {
            var h = counts[b] / (double)maxCount * plotH;
            var lo = min + b * binWidth;
            svg.Append(Inv, $"<rect x=\"{left + b * barW:0.##}\" y=\"{top + plotH - h:0.##}\" width=\"{Math.Max(1, barW - 1):0.##}\" height=\"{h:0.##}\" fill=\"#3b6fb6\"><title>{Format(lo)}–{Format(lo + binWidth)} {E(hist.Unit)}: {counts[b]}</title></rect>");
        }
        svg.Append(Inv, $"<line x1=\"{left}\" y1=\"{top + plotH}\" x2=\"{width}\" y2=\"{top + plotH}\" stroke=\"#888\"/>");
        svg.Append(Inv, $"<text x=\"{left}\" y=\"{height - 12}\">{Format(min)} {E(hist.Unit)}</text>");
        svg.Append(Inv, $"<text x=\"{width}\" y=\"{height - 12}\" text-anchor=\"end\">{Format(min + binWidth * counts.Length)} {E(hist.Unit)}</text>");
        svg.Append(Inv, $"<text x=\"{left - 4}\" y=\"{top + 10}\" text-anchor=\"end\">{maxCount}</text>");
        var stats = LatencyStats.From(hist.Values);
        foreach (var (name, value, colour) in new[] { ("p50", stats.P50Ms, "#2a9d55"), ("p95", stats.P95Ms, "#c0392b") })
        {
            var x = left + (binWidth > 0 ? (value - min) / (binWidth * counts.Length) * plotW : 0);
            svg.Append(Inv, $"<line x1=\"{x:0.##}\" y1=\"{top}\" x2=\"{x:0.##}\" y2=\"{top + plotH}\" stroke=\"{colour}\" stroke-dasharray=\"4 3\"/>");
            svg.Append(Inv, $"<text x=\"{x + 3:0.##}\" y=\"{top + 12 + (name == "p95" ? 14 : 0)}\" style=\"fill:{colour}\">{name} {Format(value)}</text>");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Equal-width histogram counts (the maximum falls in the last bin).</summary>
    public static int[] Bin(IReadOnlyList<double> values, int bins, out double min, out double binWidth)
    {
        min = values.Min();
        var max = values.Max();
        binWidth = max > min ? (max - min) / bins : 1;
        var counts = new int[max > min ? bins : 1];
        foreach (var v in values)
        {
            var b = max > min ? (int)((v - min) / binWidth) : 0;
            counts[Math.Clamp(b, 0, counts.Length - 1)]++;
        }
        return counts;
    }

    private static string Shade(double share, bool diagonal)
    {
        // white → blue on the diagonal (agreement), white → red off it (confusions)
        var (r, g, b) = diagonal ? (59, 111, 182) : (192, 57, 43);
        int Mix(int c) => (int)Math.Round(255 + (c - 255) * share);
        return $"#{Mix(r):x2}{Mix(g):x2}{Mix(b):x2}";
    }

    private static void Caption(StringBuilder html, string? caption)
    {
        if (!string.IsNullOrEmpty(caption)) html.Append("<p class=\"caption\">").Append(E(caption)).Append("</p>\n");
    }

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>Invariant number format: 4 decimals below 100, else 1.</summary>
    public static string Format(double value) => Math.Abs(value) < 100 ? value.ToString("0.####", Inv) : value.ToString("0.#", Inv);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
