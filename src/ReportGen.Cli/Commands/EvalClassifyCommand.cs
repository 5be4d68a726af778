using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Core.Labels;
using ReportGen.Eval.Data;
using ReportGen.Eval.Metrics.Clinical;
using ReportGen.Pipelines.Classification;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen eval classify --data FILE.jsonl --out DIR [--engine rules|llm] [--model ID]</c>: labels every report
/// of a dev set (<c>{"id","language","text","labels":{label: value}}</c> per line, absent labels not mentioned) with
/// chexpert14 and writes results.json and report.html with CheXpert macro/micro F1 per language and overall
/// (14 and 5 labels; uncertain as negative and as positive).
/// </summary>
internal static class EvalClassifyCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Dev set JSONL (eval/data/classification-dev.jsonl)", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for results.json and report.html", Required = true };
        var engine = new Option<string>("--engine") { Description = "rules (default) or llm", DefaultValueFactory = _ => "rules" };
        var model = new Option<string?>("--model") { Description = "Model id for --engine llm" };
        var command = new Command("classify", "Evaluate classification (CheXpert F1 per language)") { data, output, engine, model };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(engine) ?? "rules", parse.GetValue(model), Console.Out, Console.Error, ct));
        return command;
    }

    internal sealed record DevReport(string Id, string Language, string Text, IReadOnlyDictionary<string, LabelValue> Labels, string? Split = null, string? SourceId = null);

    internal static async Task<int> RunAsync(string dataPath, string outDir, string engineName, string? model, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        ClassificationEngine engine;
        switch (engineName.Trim().ToLowerInvariant())
        {
            case "rules": engine = ClassificationEngine.Rules; break;
            case "llm": engine = ClassificationEngine.Llm; break;
            default: await stderr.WriteLineAsync("reportgen eval classify: --engine must be rules or llm"); return 2;
        }
        List<DevReport> reports;
        DevSetSkips skips;
        try
        {
            // IU X-ray texts are not ours to store: such records name their text in ../shared and are joined here.
            (reports, skips) = ReadDevSet(await File.ReadAllTextAsync(dataPath, ct), SharedReportTexts.Default());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or JsonException or InvalidDataException or KeyNotFoundException or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"reportgen eval classify: cannot read --data: {ex.Message}");
            return 2;
        }
        if (skips.Count > 0) await stderr.WriteLineAsync($"reportgen eval classify: skipped {skips.Count} records: {skips.Reason}");
        if (reports.Count == 0)
        {
            await stderr.WriteLineAsync("reportgen eval classify: nothing to score");
            return 2;
        }
        var chat = engine == ClassificationEngine.Llm ? ClassifyCommand.ChatClientFactory(model) : null;
        if (engine == ClassificationEngine.Llm && chat is null)
        {
            await stderr.WriteLineAsync("reportgen eval classify: the llm engine needs the LLM runtime and a chat model; none is available in this build");
            return 1;
        }
        ReportGen.Pipelines.Prompts.PromptLibrary? prompts = null;
        if (chat is not null && (prompts = CliPrompts.Load("eval classify", stderr)) is null) return 1;
        var service = new ClassificationService(TaxonomyLibrary.LoadDefault(), chat, prompts);
        var taxonomy = service.Taxonomies.Get("chexpert14");
        var predictions = new List<IReadOnlyDictionary<string, LabelValue>>();
        var detectedRight = 0;
        var started = System.Diagnostics.Stopwatch.StartNew();
        foreach (var r in reports)
        {
            var result = await service.ClassifyAsync(new ClassificationRequest { Text = r.Text, TaxonomyId = taxonomy.Id, Engine = engine }, ct);
            if (result.Language == r.Language) detectedRight++;
            predictions.Add(result.Labels);
        }
        var seconds = started.Elapsed.TotalSeconds;

        var groups = reports.Select((r, i) => (r.Language, i)).GroupBy(x => x.Language).OrderBy(g => g.Key == "en" ? "" : g.Key);
        var byLanguage = new Dictionary<string, object>();
        var sets = groups.Select(g => (Key: g.Key, Index: g.Select(x => x.i).ToList())).ToList();
        sets.Add(("all", Enumerable.Range(0, reports.Count).ToList()));
        foreach (var g in sets)
        {
            var refs = g.Index.Select(i => reports[i].Labels).ToList();
            var preds = g.Index.Select(i => predictions[i]).ToList();
            var metrics = new Dictionary<string, object> { ["n"] = g.Index.Count };
            foreach (var (k, v) in CheXpertF1.Evaluate(refs, preds)) metrics[k] = Math.Round(v, 4);
            var perLabel = CheXpertF1.Compute(refs, preds, CheXpertLabels.All14, UncertainPolicy.AsNegative).PerLabel;
            metrics["per_label_f1_u_neg"] = perLabel.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value.F1, 4));
            byLanguage[g.Key] = metrics;
        }
        var results = new Dictionary<string, object>
        {
            ["suite"] = "classify",
            ["engine"] = engine == ClassificationEngine.Rules ? "rules" : "llm",
            ["data"] = Path.GetFileName(dataPath),
            ["reports"] = reports.Count,
            ["skipped_records"] = skips.Count,
            ["language_detection_accuracy"] = Math.Round(detectedRight / (double)Math.Max(1, reports.Count), 4),
            ["reports_per_second"] = Math.Round(reports.Count / Math.Max(seconds, 1e-6), 1),
            ["metric_note"] = "ReportGen.Eval CheXpertF1 (F1CheXbert convention): positive=1, negative/not mentioned=0, uncertain=0 (u_neg) or 1 (u_pos); macro = mean per-label F1, labels without positives count 0",
            ["by_language"] = byLanguage,
        };
        // Per-split scores, unscored labels and confusion tables live in ReportGen.Eval (LabelBreakdown).
        var breakdown = new LabelBreakdown(reports.Select((r, i) => new LabelledItem(r.Id, r.Language, r.Split, r.Labels, predictions[i], r.SourceId)).ToList());
        results["by_group_and_split"] = breakdown.Summary();
        Directory.CreateDirectory(outDir);
        var json = JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true });
        await File.WriteAllTextAsync(Path.Combine(outDir, "results.json"), json, ct);
        await File.WriteAllTextAsync(Path.Combine(outDir, "report.html"), Html(byLanguage, results), ct);
        await File.WriteAllTextAsync(Path.Combine(outDir, "breakdown.md"), breakdown.ToMarkdown($"Classification ({results["engine"]}) on {Path.GetFileName(dataPath)}"), ct);
        await File.WriteAllTextAsync(Path.Combine(outDir, "errors.jsonl"), breakdown.ErrorsJsonLines(), ct);
        foreach (var (lang, m) in byLanguage)
        {
            var d = (Dictionary<string, object>)m;
            await stdout.WriteLineAsync($"{lang,-4} n={d["n"],-3} macroF1-14 u_neg={d["chexpert14_macro_f1_u_neg"]:0.000} u_pos={d["chexpert14_macro_f1_u_pos"]:0.000}  macroF1-5 u_neg={d["chexpert5_macro_f1_u_neg"]:0.000} u_pos={d["chexpert5_macro_f1_u_pos"]:0.000}");
        }
        await stdout.WriteLineAsync($"wrote {Path.Combine(outDir, "results.json")}");
        return 0;
    }

    internal sealed record DevSetSkips(int Count, string? Reason);

    internal static (List<DevReport> Reports, DevSetSkips Skips) ReadDevSet(string content, SharedReportTexts texts)
    {
        var list = new List<DevReport>();
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
            {
                labels[name] = LabelValues.FromWireName(value?.GetValue<string>()) ?? throw new FormatException($"line {lineNo}: label '{name}' has an unknown value");
            }
            var language = root["language"]?.GetValue<string>() ?? throw new FormatException($"line {lineNo}: no \"language\"");
            list.Add(new DevReport(root["id"]!.GetValue<string>(), language, text.Text!, labels, root["split"]?.GetValue<string>(), root["source_id"]?.GetValue<string>()));
        }
        return (list, new DevSetSkips(skipped, reason));
    }

    private static string Html(Dictionary<string, object> byLanguage, Dictionary<string, object> results)
    {
        var sb = new StringBuilder("<!doctype html><meta charset=utf-8><title>Classification eval</title><h1>Classification eval</h1>");
        sb.Append("<p>engine ").Append(WebUtility.HtmlEncode(results["engine"].ToString())).Append(", ").Append(results["reports"]).Append(" reports. ")
          .Append(WebUtility.HtmlEncode(results["metric_note"].ToString())).Append("</p><table border=1><tr><th>language<th>n<th>macro-F1 14 (U=0)<th>macro-F1 14 (U=1)<th>macro-F1 5 (U=0)<th>macro-F1 5 (U=1)<th>micro-F1 14 (U=0)</tr>");
        foreach (var (lang, m) in byLanguage)
        {
            var d = (Dictionary<string, object>)m;
            sb.Append($"<tr><td>{lang}<td>{d["n"]}<td>{d["chexpert14_macro_f1_u_neg"]}<td>{d["chexpert14_macro_f1_u_pos"]}<td>{d["chexpert5_macro_f1_u_neg"]}<td>{d["chexpert5_macro_f1_u_pos"]}<td>{d["chexpert14_micro_f1_u_neg"]}</tr>");
        }
        return sb.Append("</table>").ToString();
    }
}
