using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Core.RadGraph;
using ReportGen.Core.Text;
using ReportGen.Eval.Data;
using ReportGen.Eval.Metrics.Clinical;
using ReportGen.Eval.Reporting;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Eval.Suites;

/// <summary>What a structuring run measured.</summary>
/// <param name="Scores">RadGraph F1 over every annotated report.</param>
/// <param name="BySplit">Per split (dev = seen while writing the rules, heldout = not): reports and RadGraph F1.</param>
/// <param name="SectionCases">Records with expected sections.</param>
/// <param name="SectionCorrect">Of those, how many parsed exactly.</param>
/// <param name="Skipped">Records skipped (their text lives in an absent shared folder).</param>
/// <param name="SkipReason">Why.</param>
/// <param name="Written">The files written (plus DIR/predictions.jsonl).</param>
public sealed record StructuringSuiteResult(RadGraphF1Result Scores, JsonObject BySplit, int SectionCases, int SectionCorrect, int Skipped, string? SkipReason,
    WrittenResults Written)
{
    /// <summary>Annotated reports scored.</summary>
    public int Reports => Scores.PerItem.Count;
}

/// <summary>
/// The structuring suite: RadGraph F1 (RG_E simple, RG_ER partial, complete, and the paper's span-exact entity and
/// relation micro F1) of an engine against annotated reports
/// (JSONL lines with <c>"radgraph"</c>) and section-parsing accuracy on lines with expected <c>"sections"</c>. Writes
/// DIR/results.json (<c>metrics</c>, <c>metrics_by_split</c>), DIR/report.html and DIR/predictions.jsonl (one radgraph
/// document per annotated report).
/// </summary>
public static class StructuringSuite
{
    private sealed class Scored
    {
        public List<RadGraphPair> Pairs { get; } = [];
        public List<string> Splits { get; } = [];
        public List<string> Predictions { get; } = [];
        public int SectionCases { get; set; }
        public int SectionCorrect { get; set; }
        public long DroppedSpans { get; set; }
        public long DroppedLabels { get; set; }
        public long Unreadable { get; set; }
        public int Skipped { get; set; }
        public string? SkipReason { get; set; }
    }

    /// <summary>Structures every annotated report of <paramref name="dataPath"/>, scores it and writes the files.</summary>
    /// <param name="dataPath">The annotated reports (IU X-ray records name their text in the shared folder and are joined from <paramref name="texts"/>).</param>
    /// <param name="outputDirectory">Where the files go.</param>
    /// <param name="service">The structurer (its LLM, for the llm and hybrid engines).</param>
    /// <param name="engine">The engine scored.</param>
    /// <param name="texts">Where shared report texts are found.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <exception cref="InvalidDataException">A line is not an annotated record, or nothing can be scored (the message names the line or says why).</exception>
    public static async Task<StructuringSuiteResult> RunAsync(string dataPath, string outputDirectory, StructuringService service, StructuringEngine engine,
        SharedReportTexts texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(texts);
        var clock = Stopwatch.StartNew();
        var scored = new Scored();
        var lineNumber = 0;
        foreach (var line in await File.ReadAllLinesAsync(dataPath, cancellationToken).ConfigureAwait(false))
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line)) await ScoreLineAsync(line, lineNumber, service, engine, texts, scored, cancellationToken).ConfigureAwait(false);
        }
        clock.Stop();
        if (scored.Pairs.Count == 0)
        {
            throw new InvalidDataException(scored.Skipped > 0
                ? "nothing to score: every annotated record's text is in the shared data folder"
                : "no line has a \"radgraph\" annotation");
        }
        return Write(dataPath, outputDirectory, service, engine, scored, clock.Elapsed.TotalSeconds);
    }

    private static async Task ScoreLineAsync(string line, int lineNumber, StructuringService service, StructuringEngine engine, SharedReportTexts texts, Scored scored,
        CancellationToken cancellationToken)
    {
        JsonObject item;
        string text;
        RadGraphDocument? reference = null;
        try
        {
            item = JsonNode.Parse(line) as JsonObject ?? throw new InvalidDataException($"line {lineNumber} is not a JSON object");
            var resolved = texts.Resolve(item);
            if (resolved.SkipReason is not null)
            {
                scored.Skipped++;
                scored.SkipReason = resolved.SkipReason;
                return;
            }
            text = string.IsNullOrWhiteSpace(resolved.Text) ? throw new InvalidDataException("the text is empty") : resolved.Text;
            if (item["radgraph"] is JsonObject gold) reference = SharedReportTexts.BindRadGraph(item["id"]?.GetValue<string>() ?? $"line {lineNumber}", gold, text);
        }
        catch (JsonException)
        {
            throw new InvalidDataException($"line {lineNumber} is not a JSON object");
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or InvalidOperationException && !ex.Message.StartsWith("line ", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"line {lineNumber}: {ex.Message}", ex);
        }
        if (item["sections"] is JsonObject expected)
        {
            var parsed = ReportSectionParser.Parse(text);
            scored.SectionCases++;
            if (expected["findings"]?.GetValue<string>() == parsed.Findings && expected["impression"]?.GetValue<string>() == parsed.Impression) scored.SectionCorrect++;
        }
        if (reference is null) return;
        var result = await service.StructureAsync(text, engine, cancellationToken).ConfigureAwait(false);
        scored.Pairs.Add(new RadGraphPair(result.RadGraph, reference));
        scored.Splits.Add(item["split"]?.GetValue<string>() ?? "all");
        scored.DroppedSpans += result.Diagnostics.DroppedInvalidSpans;
        scored.DroppedLabels += result.Diagnostics.DroppedInvalidLabels;
        if (result.Diagnostics.ModelOutputUnreadable) scored.Unreadable++;
        scored.Predictions.Add(new JsonObject { ["id"] = item["id"]?.DeepClone(), ["0"] = JsonSerializer.SerializeToNode(result.RadGraph, RadGraphDocument.JsonOptions) }
            .ToJsonString(RadGraphDocument.JsonOptions));
    }

    private static StructuringSuiteResult Write(string dataPath, string outputDirectory, StructuringService service, StructuringEngine engine, Scored scored, double seconds)
    {
        var scores = RadGraphF1.Compute(scored.Pairs);
        var bySplit = new JsonObject();
        foreach (var split in scored.Splits.Distinct())
        {
            var subset = scored.Pairs.Where((_, i) => scored.Splits[i] == split).ToList();
            var splitMetrics = new JsonObject { ["reports"] = subset.Count };
            foreach (var (name, value) in RadGraphF1.Compute(subset).ToDictionary().Concat(RadGraphSpanF1.Compute(subset).ToDictionary()))
                splitMetrics[name] = Math.Round(value, 4);
            bySplit[split] = splitMetrics;
        }
        var engineName = engine.ToString().ToLowerInvariant();
        var run = new EvalRun("structure", outputDirectory, "ReportGen eval: structuring (RadGraph F1, sections)");
        run.Provenance.SetData(dataPath);
        run.Provenance.Settings["engine"] = engineName;
        var report = run.Report.AddRadGraph(scores, decimals: 4);
        var descriptions = new Dictionary<string, string>
        {
            ["radgraph_entity_micro_f1"] = "RadGraph paper: entity micro F1 over the corpus, span (start, end) and label exact",
            ["radgraph_relation_micro_f1"] = "RadGraph paper: relation micro F1 over the corpus, both entity spans and labels and the relation type exact",
        };
        foreach (var (name, value) in RadGraphSpanF1.Compute(scored.Pairs).ToDictionary())
            report.AddMetric(name, Math.Round(value, 4), descriptions.GetValueOrDefault(name));
        report.AddMetric("section_accuracy", scored.SectionCases == 0 ? double.NaN : Math.Round((double)scored.SectionCorrect / scored.SectionCases, 4),
            "section parsing: FINDINGS and IMPRESSION exactly as expected, over the records that give them");
        report.AddTable("RadGraph F1 per split", ["split", "reports", "RG_E", "RG_ER", "complete", "entity micro", "relation micro"],
            bySplit.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value!["reports"]!.ToJsonString(), kv.Value["radgraph_simple"]!.ToJsonString(),
                kv.Value["radgraph_partial"]!.ToJsonString(), kv.Value["radgraph_complete"]!.ToJsonString(),
                kv.Value["radgraph_entity_micro_f1"]!.ToJsonString(), kv.Value["radgraph_relation_micro_f1"]!.ToJsonString()]));
        // The top-level members earlier results.json files had, so readers of them keep working.
        report.AddExtra("engine", engineName).AddExtra("model", service.Options.ModelId).AddExtra("data", Path.GetFullPath(dataPath))
            .AddExtra("reports", scored.Pairs.Count).AddExtra("section_cases", scored.SectionCases).AddExtra("skipped_records", scored.Skipped)
            .AddExtra("metrics_by_split", bySplit).AddExtra("dropped_invalid_spans", scored.DroppedSpans).AddExtra("dropped_invalid_labels", scored.DroppedLabels)
            .AddExtra("unreadable_model_outputs", scored.Unreadable).AddExtra("seconds", Math.Round(seconds, 3));
        var written = run.Finish();
        File.WriteAllLines(Path.Combine(outputDirectory, "predictions.jsonl"), scored.Predictions);
        return new StructuringSuiteResult(scores, bySplit, scored.SectionCases, scored.SectionCorrect, scored.Skipped, scored.SkipReason, written);
    }
}
