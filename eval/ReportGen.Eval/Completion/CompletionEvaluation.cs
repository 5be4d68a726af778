using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Core.Completion;
using ReportGen.Eval.Metrics.Text;
using ReportGen.Pipelines.Completion;

namespace ReportGen.Eval.Completion;

/// <summary>One evaluated sentence.</summary>
public sealed record CompletionCase(string ReportId, int SentenceIndex, string Prefix, string Reference, string Hypothesis, double LatencyMs, string? Source);

/// <summary>The figures of one completion evaluation run.</summary>
public sealed record CompletionEvalResult(
    double Bleu4, double Cider, double RougeL, double LatencyP50Ms, double LatencyP95Ms,
    int Reports, int Sentences, int NoSuggestion, bool Reranked, IReadOnlyList<CompletionCase> Cases,
    IReadOnlyDictionary<string, double> AllMetrics);

/// <summary>
/// Sentence-level auto-completion evaluation, CLARA style (see eval/completion.md): each report is
/// findings then impression, split into sentences; for every sentence the context is all sentences
/// before it and the prefix is the sentence's first word; the top suggestion (prefix included) is
/// scored against the sentence, corpus-level, after coco-caption tokenisation.
/// </summary>
public static class CompletionEvaluation
{
    /// <summary>The evaluation cases of a JSONL file: (report id, sentences).</summary>
    public static List<(string Id, List<string> Sentences)> ReadReports(string dataPath)
    {
        var reports = new List<(string, List<string>)>();
        var lineNo = 0;
        foreach (var line in File.ReadLines(dataPath))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var text = SentenceIndexBuilder.ReportText(line, lineNo);
            using var doc = JsonDocument.Parse(line);
            var id = doc.RootElement.TryGetProperty("id", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : $"line{lineNo}";
            var sentences = CompletionText.SplitSentences(text);
            if (sentences.Count > 0) reports.Add((id, sentences));
        }
        return reports;
    }

    /// <summary>The first word of a sentence as the user would have typed it, followed by a space (the word is complete).</summary>
    public static string FirstWordPrefix(string sentence)
    {
        var end = 0;
        while (end < sentence.Length && !char.IsWhiteSpace(sentence[end])) end++;
        var word = sentence[..end].TrimEnd('.', ',', ';', ':', '!', '?');
        return word.Length == 0 ? "" : word + " ";
    }

    /// <summary>Runs the protocol over <paramref name="dataPath"/> with <paramref name="engine"/>.</summary>
    public static async Task<CompletionEvalResult> RunAsync(ICompletionEngine engine, string dataPath, string? corpus, int? maxReports, CancellationToken cancellationToken)
    {
        var reports = ReadReports(dataPath);
        if (maxReports is { } max) reports = [.. reports.Take(max)];
        var cases = new List<CompletionCase>();
        var reranked = false;
        // One warm-up request so the index load is not counted as latency.
        await engine.CompleteAsync(new CompletionRequest("", "The ", K: 1, Corpus: corpus), cancellationToken).ConfigureAwait(false);
        foreach (var (id, sentences) in reports)
        {
            for (var i = 0; i < sentences.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var prefix = FirstWordPrefix(sentences[i]);
                var request = new CompletionRequest(string.Join(' ', sentences.Take(i)), prefix, K: 1, Corpus: corpus);
                var sw = Stopwatch.StartNew();
                var result = await engine.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
                sw.Stop();
                reranked |= result.Reranked;
                var top = result.Suggestions.Count > 0 ? result.Suggestions[0] : null;
                // With nothing to suggest, the typed prefix is all the user has.
                cases.Add(new CompletionCase(id, i, prefix, sentences[i], top?.Text ?? prefix.Trim(), sw.Elapsed.TotalMilliseconds, top?.Source));
            }
        }
        var metrics = TextMetrics.Evaluate([.. cases.Select(c => new CaptionExample(c.Hypothesis, c.Reference))]).ToDictionary();
        var latencies = cases.Select(c => c.LatencyMs).Order().ToArray();
        return new CompletionEvalResult(
            metrics["bleu_4"], metrics["cider_d"], metrics["rouge_l"],
            Percentile(latencies, 0.50), Percentile(latencies, 0.95),
            reports.Count, cases.Count, cases.Count(c => c.Source is null), reranked, cases, metrics);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return 0;
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    /// <summary>Writes DIR/results.json (with the <c>metrics</c> object) and DIR/predictions.jsonl.</summary>
    public static void Write(CompletionEvalResult result, string outDir, JsonObject setup)
    {
        Directory.CreateDirectory(outDir);
        var metrics = new JsonObject
        {
            ["bleu4"] = Math.Round(result.Bleu4, 4),
            ["cider"] = Math.Round(result.Cider, 4),
            ["rougeL"] = Math.Round(result.RougeL, 4),
            ["latency_p50_ms"] = Math.Round(result.LatencyP50Ms, 2),
            ["latency_p95_ms"] = Math.Round(result.LatencyP95Ms, 2),
        };
        foreach (var (name, value) in result.AllMetrics) metrics[name] = Math.Round(value, 4);
        var json = new JsonObject
        {
            ["suite"] = "complete",
            ["protocol"] = "CLARA sentence-level: context = previous sentences, prefix = first word, top-1 suggestion vs sentence, coco tokenisation, corpus-level",
            ["setup"] = setup,
            ["reports"] = result.Reports,
            ["sentences"] = result.Sentences,
            ["no_suggestion"] = result.NoSuggestion,
            ["reranked"] = result.Reranked,
            ["metrics"] = metrics,
            ["reference_clara_xray"] = new JsonObject { ["bleu4"] = 0.248, ["cider"] = 0.393 },
        };
        File.WriteAllText(Path.Combine(outDir, "results.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        using var predictions = new StreamWriter(Path.Combine(outDir, "predictions.jsonl"));
        foreach (var c in result.Cases)
        {
            predictions.WriteLine(JsonSerializer.Serialize(new { id = c.ReportId, index = c.SentenceIndex, prefix = c.Prefix, reference = c.Reference, hypothesis = c.Hypothesis, source = c.Source, latency_ms = Math.Round(c.LatencyMs, 3) }));
        }
    }
}
