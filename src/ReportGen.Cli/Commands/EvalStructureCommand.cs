using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Core.RadGraph;
using ReportGen.Core.Text;
using ReportGen.Eval.Data;
using ReportGen.Eval.Metrics.Clinical;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen eval structure --data eval/data/radgraph-dev.jsonl --out DIR [--engine rules|llm|hybrid] [--model ID]</c>:
/// RadGraph F1 (RG_E simple, RG_ER partial, complete) of an engine against annotated reports (lines with
/// <c>"radgraph"</c>), and section-parsing accuracy on lines with expected <c>"sections"</c>. Writes
/// DIR/results.json and DIR/predictions.jsonl.
/// </summary>
internal static class EvalStructureCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Annotated reports (JSONL: id, text, radgraph and/or sections)", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder for results.json and predictions.jsonl", Required = true };
        var engine = new Option<string>("--engine") { Description = "rules | llm | hybrid", DefaultValueFactory = _ => "rules" };
        var model = new Option<string?>("--model") { Description = "Model id for the llm and hybrid engines" };
        var command = new Command("structure", "Evaluate RadGraph structuring: RG_E, RG_ER, complete F1 and section parsing") { data, output, engine, model };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(engine)!, parse.GetValue(model), Console.Out, Console.Error, ct));
        return command;
    }

    internal static async Task<int> RunAsync(string data, string outDir, string engineName, string? modelId, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!File.Exists(data))
        {
            await stderr.WriteLineAsync($"reportgen eval structure: --data: file not found: {data}").ConfigureAwait(false);
            return 2;
        }
        if (StructuringEngines.Parse(engineName) is not { } engine)
        {
            await stderr.WriteLineAsync($"reportgen eval structure: --engine: unknown engine '{engineName}' (rules, llm or hybrid)").ConfigureAwait(false);
            return 2;
        }
        var chat = engine == StructuringEngine.Rules ? null : StructureCommand.ChatClientFactory(modelId);
        if (engine != StructuringEngine.Rules && chat is null)
        {
            await stderr.WriteLineAsync($"reportgen eval structure: the {engineName} engine needs a chat model runtime; none is available").ConfigureAwait(false);
            return 1;
        }
        ReportGen.Pipelines.Prompts.PromptLibrary? prompts = null;
        if (chat is not null && (prompts = CliPrompts.Load("eval structure", stderr)) is null) return 1;
        var service = new StructuringService(chat, prompts, new StructuringOptions { ModelId = modelId });

        var pairs = new List<RadGraphPair>();
        var splits = new List<string>(); // "split" of each pair (e.g. dev = seen while writing the rules, heldout = not)
        var predictions = new List<string>();
        int sectionCases = 0, sectionCorrect = 0, lineNumber = 0;
        long droppedSpans = 0, droppedLabels = 0, unreadable = 0;
        // IU X-ray texts are not ours to store: such records name their text in ../shared and are joined here.
        var texts = SharedReportTexts.Default();
        var skipped = 0;
        string? skipReason = null;
        var sw = Stopwatch.StartNew();
        foreach (var line in await File.ReadAllLinesAsync(data, cancellationToken).ConfigureAwait(false))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonObject item;
            try
            {
                item = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
            }
            catch (JsonException)
            {
                await stderr.WriteLineAsync($"reportgen eval structure: --data: line {lineNumber} is not a JSON object").ConfigureAwait(false);
                return 2;
            }
            string? text;
            RadGraphDocument? reference = null;
            try
            {
                var resolved = texts.Resolve(item);
                if (resolved.SkipReason is not null)
                {
                    skipped++;
                    skipReason = resolved.SkipReason;
                    continue;
                }
                text = resolved.Text;
                if (string.IsNullOrWhiteSpace(text)) throw new InvalidDataException("the text is empty");
                if (item["radgraph"] is JsonObject gold) reference = SharedReportTexts.BindRadGraph(item["id"]?.GetValue<string>() ?? $"line {lineNumber}", gold, text);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or JsonException or InvalidOperationException)
            {
                await stderr.WriteLineAsync($"reportgen eval structure: --data: line {lineNumber}: {ex.Message}").ConfigureAwait(false);
                return 2;
            }
            if (item["sections"] is JsonObject expected)
            {
                var parsed = ReportSectionParser.Parse(text);
                sectionCases++;
                if (expected["findings"]?.GetValue<string>() == parsed.Findings && expected["impression"]?.GetValue<string>() == parsed.Impression) sectionCorrect++;
            }
            if (reference is null) continue;
            var result = await service.StructureAsync(text, engine, cancellationToken).ConfigureAwait(false);
            pairs.Add(new RadGraphPair(result.RadGraph, reference));
            splits.Add(item["split"]?.GetValue<string>() ?? "all");
            droppedSpans += result.Diagnostics.DroppedInvalidSpans;
            droppedLabels += result.Diagnostics.DroppedInvalidLabels;
            if (result.Diagnostics.ModelOutputUnreadable) unreadable++;
            predictions.Add(new JsonObject { ["id"] = item["id"]?.DeepClone(), ["0"] = JsonSerializer.SerializeToNode(result.RadGraph, RadGraphDocument.JsonOptions) }.ToJsonString(RadGraphDocument.JsonOptions));
        }
        sw.Stop();
        if (skipped > 0) await stderr.WriteLineAsync($"reportgen eval structure: skipped {skipped} records: {skipReason}").ConfigureAwait(false);
        if (pairs.Count == 0)
        {
            await stderr.WriteLineAsync(skipped > 0
                ? "reportgen eval structure: nothing to score: every annotated record's text is in the shared data folder"
                : "reportgen eval structure: --data: no line has a \"radgraph\" annotation").ConfigureAwait(false);
            return 2;
        }

        var scores = RadGraphF1.Compute(pairs);
        var metrics = new JsonObject();
        foreach (var (name, value) in scores.ToDictionary()) metrics[name] = Math.Round(value, 4);
        metrics["section_accuracy"] = sectionCases == 0 ? null : Math.Round((double)sectionCorrect / sectionCases, 4);
        var bySplit = new JsonObject();
        foreach (var split in splits.Distinct())
        {
            var subset = pairs.Where((_, i) => splits[i] == split).ToList();
            var splitMetrics = new JsonObject { ["reports"] = subset.Count };
            foreach (var (name, value) in RadGraphF1.Compute(subset).ToDictionary()) splitMetrics[name] = Math.Round(value, 4);
            bySplit[split] = splitMetrics;
        }
        var results = new JsonObject
        {
            ["suite"] = "structure",
            ["engine"] = engineName.ToLowerInvariant(),
            ["model"] = modelId,
            ["data"] = Path.GetFullPath(data),
            ["reports"] = pairs.Count,
            ["section_cases"] = sectionCases,
            ["skipped_records"] = skipped,
            ["metrics"] = metrics,
            ["metrics_by_split"] = bySplit,
            ["dropped_invalid_spans"] = droppedSpans,
            ["dropped_invalid_labels"] = droppedLabels,
            ["unreadable_model_outputs"] = unreadable,
            ["seconds"] = Math.Round(sw.Elapsed.TotalSeconds, 3),
        };
        Directory.CreateDirectory(outDir);
        await File.WriteAllTextAsync(Path.Combine(outDir, "results.json"), results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        await File.WriteAllLinesAsync(Path.Combine(outDir, "predictions.jsonl"), predictions, cancellationToken).ConfigureAwait(false);
        var m = scores.Mean;
        await stdout.WriteLineAsync(
            $"structure ({engineName}): {pairs.Count} reports; RG_E {m[RadGraphRewardLevel.Simple].F1:F4} (P {m[RadGraphRewardLevel.Simple].Precision:F4} R {m[RadGraphRewardLevel.Simple].Recall:F4}), " +
            $"RG_ER {m[RadGraphRewardLevel.Partial].F1:F4}, complete {m[RadGraphRewardLevel.Complete].F1:F4}; sections {sectionCorrect}/{sectionCases} -> {Path.Combine(outDir, "results.json")}").ConfigureAwait(false);
        foreach (var (split, node) in bySplit)
            await stdout.WriteLineAsync($"  {split}: {node!["reports"]} reports; RG_E {node["radgraph_simple"]}, RG_ER {node["radgraph_partial"]}, complete {node["radgraph_complete"]}").ConfigureAwait(false);
        return 0;
    }
}
