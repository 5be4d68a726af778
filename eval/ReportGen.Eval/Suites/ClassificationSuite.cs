using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ReportGen.Core.Labels;
using ReportGen.Eval.Data;
using ReportGen.Eval.Metrics.Clinical;
using ReportGen.Eval.Reporting;
using ReportGen.Pipelines.Classification;

namespace ReportGen.Eval.Suites;

/// <summary>One report of the classification dev set with its reference labels (absent labels are not mentioned).</summary>
/// <param name="Id">Record id.</param>
/// <param name="Language">The report's language (en, es, fr, da, de, ja).</param>
/// <param name="Text">The report text.</param>
/// <param name="Labels">Reference label values.</param>
public sealed record ClassificationDevReport(string Id, string Language, string Text, IReadOnlyDictionary<string, LabelValue> Labels);

/// <summary>The dev set as read: the reports, and how many records were skipped (their text lives in an absent shared folder) and why.</summary>
/// <param name="Reports">The reports to score.</param>
/// <param name="Skipped">Records skipped.</param>
/// <param name="SkipReason">Why (the last reason seen).</param>
public sealed record ClassificationDevSet(IReadOnlyList<ClassificationDevReport> Reports, int Skipped, string? SkipReason);

/// <summary>What a classification run measured, per language (keys en, da, ..., and "all").</summary>
/// <param name="ByLanguage">n, CheXpert F1 (14 and 5 labels, uncertain as negative and positive), per-label F1, per language.</param>
/// <param name="Written">The files written.</param>
public sealed record ClassificationSuiteResult(IReadOnlyDictionary<string, Dictionary<string, object>> ByLanguage, WrittenResults Written);

/// <summary>
/// The classification suite: every report of a dev set (<c>{"id","language","text","labels":{label: value}}</c> per
/// line) labelled with chexpert14 by an engine, scored with CheXpert macro/micro F1 per language and overall (14 and 5
/// labels; uncertain as negative and as positive). Writes DIR/results.json (<c>metrics</c>: the overall figures and
/// language-detection accuracy; <c>by_language</c>) and DIR/report.html.
/// </summary>
public static class ClassificationSuite
{
    private const string MetricNote = "ReportGen.Eval CheXpertF1 (F1CheXbert convention): positive=1, negative/not mentioned=0, uncertain=0 (u_neg) or 1 (u_pos); macro = mean per-label F1, labels without positives count 0";

    /// <summary>Reads the dev set; IU X-ray records name their text in the shared folder and are joined from <paramref name="texts"/>.</summary>
    /// <exception cref="FormatException">A line is not a dev record (the message names the line).</exception>
    public static ClassificationDevSet LoadReports(string content, SharedReportTexts texts)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(texts);
        var list = new List<ClassificationDevReport>();
        var lineNo = 0;
        var skipped = 0;
        string? reason = null;
        foreach (var line in content.Split('\n'))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var root = JsonNode.Parse(line) as JsonObject ?? throw new FormatException($"line {lineNo}: not a JSON object");
            var text = texts.Resolve(root);
            if (text.SkipReason is not null)
            {
                skipped++;
                reason = text.SkipReason;
                continue;
            }
            var labels = new Dictionary<string, LabelValue>(StringComparer.Ordinal);
            foreach (var (name, value) in root["labels"] as JsonObject ?? throw new FormatException($"line {lineNo}: no \"labels\" object"))
                labels[name] = LabelValues.FromWireName(value?.GetValue<string>()) ?? throw new FormatException($"line {lineNo}: label '{name}' has an unknown value");
            var language = root["language"]?.GetValue<string>() ?? throw new FormatException($"line {lineNo}: no \"language\"");
            list.Add(new ClassificationDevReport(root["id"]!.GetValue<string>(), language, text.Text!, labels));
        }
        return new ClassificationDevSet(list, skipped, reason);
    }

    /// <summary>Labels every report with <paramref name="engine"/>, scores them and writes results.json and report.html.</summary>
    /// <param name="dataPath">The dev set's file (named in the results).</param>
    /// <param name="devSet">Its reports (<see cref="LoadReports"/>); at least one.</param>
    /// <param name="outputDirectory">Where the files go.</param>
    /// <param name="service">The classifier (its LLM, for the llm engine).</param>
    /// <param name="engine">The engine scored.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    public static async Task<ClassificationSuiteResult> RunAsync(string dataPath, ClassificationDevSet devSet, string outputDirectory, ClassificationService service,
        ClassificationEngine engine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(devSet);
        ArgumentNullException.ThrowIfNull(service);
        var reports = devSet.Reports;
        if (reports.Count == 0) throw new ArgumentException("the dev set has no reports", nameof(devSet));
        var predictions = new List<IReadOnlyDictionary<string, LabelValue>>();
        var detectedRight = 0;
        var clock = Stopwatch.StartNew();
        foreach (var r in reports)
        {
            var result = await service.ClassifyAsync(new ClassificationRequest { Text = r.Text, TaxonomyId = "chexpert14", Engine = engine }, cancellationToken).ConfigureAwait(false);
            if (result.Language == r.Language) detectedRight++;
            predictions.Add(result.Labels);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var byLanguage = ScoreByLanguage(reports, predictions);

        var run = new EvalRun("classify", outputDirectory, "ReportGen eval: classification (CheXpert F1 per language)");
        run.Provenance.SetData(dataPath);
        run.Provenance.Settings["engine"] = engine.Name();
        var report = run.Report;
        foreach (var (name, value) in byLanguage["all"])
            if (value is double d) report.AddMetric(name, d);
        var accuracy = Math.Round(detectedRight / (double)reports.Count, 4);
        report.AddMetric("language_detection_accuracy", accuracy, "detected language = the record's language");
        report.AddNote("Metrics", MetricNote);
        report.AddTable("CheXpert F1 per language", ["language", "n", "macro-F1 14 (U=0)", "macro-F1 14 (U=1)", "macro-F1 5 (U=0)", "macro-F1 5 (U=1)", "micro-F1 14 (U=0)"],
            byLanguage.Select(kv => (IReadOnlyList<string>)[kv.Key, Cell(kv.Value["n"]), Cell(kv.Value["chexpert14_macro_f1_u_neg"]), Cell(kv.Value["chexpert14_macro_f1_u_pos"]),
                Cell(kv.Value["chexpert5_macro_f1_u_neg"]), Cell(kv.Value["chexpert5_macro_f1_u_pos"]), Cell(kv.Value["chexpert14_micro_f1_u_neg"])]));
        report.AddBarChart("Macro-F1, 14 labels, uncertain as negative", byLanguage.Select(kv => (kv.Key, (double)kv.Value["chexpert14_macro_f1_u_neg"])));
        // The top-level members earlier results.json files had, so readers of them keep working.
        report.AddExtra("engine", engine.Name()).AddExtra("data", Path.GetFileName(dataPath)).AddExtra("reports", reports.Count)
            .AddExtra("skipped_records", devSet.Skipped).AddExtra("language_detection_accuracy", accuracy)
            .AddExtra("reports_per_second", Math.Round(reports.Count / Math.Max(seconds, 1e-6), 1)).AddExtra("metric_note", MetricNote)
            .AddExtra("by_language", byLanguage);
        return new ClassificationSuiteResult(byLanguage, run.Finish());
    }

    // Per language (English first), then "all": n, the CheXpert F1 family (rounded to 4 places) and per-label F1.
    private static Dictionary<string, Dictionary<string, object>> ScoreByLanguage(IReadOnlyList<ClassificationDevReport> reports, IReadOnlyList<IReadOnlyDictionary<string, LabelValue>> predictions)
    {
        var sets = reports.Select((r, i) => (r.Language, i)).GroupBy(x => x.Language).OrderBy(g => g.Key == "en" ? "" : g.Key, StringComparer.Ordinal)
            .Select(g => (Key: g.Key, Index: g.Select(x => x.i).ToList())).ToList();
        sets.Add(("all", Enumerable.Range(0, reports.Count).ToList()));
        var byLanguage = new Dictionary<string, Dictionary<string, object>>();
        foreach (var (key, index) in sets)
        {
            var refs = index.Select(i => reports[i].Labels).ToList();
            var preds = index.Select(i => predictions[i]).ToList();
            var metrics = new Dictionary<string, object> { ["n"] = index.Count };
            foreach (var (k, v) in CheXpertF1.Evaluate(refs, preds)) metrics[k] = Math.Round(v, 4);
            var perLabel = CheXpertF1.Compute(refs, preds, CheXpertLabels.All14, UncertainPolicy.AsNegative).PerLabel;
            metrics["per_label_f1_u_neg"] = perLabel.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value.F1, 4));
            byLanguage[key] = metrics;
        }
        return byLanguage;
    }

    private static string Cell(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}
