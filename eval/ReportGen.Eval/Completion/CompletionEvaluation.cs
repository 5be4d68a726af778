using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Core.Completion;
using ReportGen.Eval.Metrics.Text;
using ReportGen.Eval.Reporting;
using ReportGen.Pipelines.Completion;

namespace ReportGen.Eval.Completion;

/// <summary>One evaluated sentence.</summary>
public sealed record CompletionCase(string ReportId, int SentenceIndex, string Prefix, string Reference, string Hypothesis, double LatencyMs, string? Source);

/// <summary>The figures of one completion evaluation run.</summary>
public sealed record CompletionEvalResult(
    double Bleu4, double Cider, double RougeL, double LatencyP50Ms, double LatencyP95Ms,
    int Reports, int Sentences, int NoSuggestion, bool Reranked, IReadOnlyList<CompletionCase> Cases,
    TextMetricsResult TextMetrics);

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
        var text = TextMetrics.Evaluate([.. cases.Select(c => new CaptionExample(c.Hypothesis, c.Reference))]);
        var metrics = text.ToDictionary();
        var latencies = cases.Select(c => c.LatencyMs).Order().ToArray();
        return new CompletionEvalResult(
            metrics["bleu_4"], metrics["cider_d"], metrics["rouge_l"],
            Percentile(latencies, 0.50), Percentile(latencies, 0.95),
            reports.Count, cases.Count, cases.Count(c => c.Source is null), reranked, cases, text);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0) return 0;
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    /// <summary>The reference figures CLARA reports on MIMIC-CXR X-ray reports, under the names every suite uses.</summary>
    public static JsonObject ClaraReference() => new() { ["bleu_4"] = 0.248, ["cider_d"] = 0.393 };

    /// <summary>
    /// Writes DIR/results.json and DIR/report.html through the shared eval reporting (metrics named as in every suite:
    /// bleu_1..bleu_4, rouge_l, cider_d, plus latency_p50_ms and latency_p95_ms) and DIR/predictions.jsonl.
    /// </summary>
    public static WrittenResults Write(CompletionEvalResult result, string outDir, JsonObject setup)
    {
        ArgumentNullException.ThrowIfNull(result);
        var run = new EvalRun("complete", outDir, "Sentence auto-completion");
        run.Report.AddTextMetrics(result.TextMetrics)
            .AddMetric("latency_p50_ms", Math.Round(result.LatencyP50Ms, 2), "median latency of one suggestion request, ms")
            .AddMetric("latency_p95_ms", Math.Round(result.LatencyP95Ms, 2), "95th-percentile latency of one suggestion request, ms")
            .AddHistogram("Latency per suggestion", result.Cases.Select(c => c.LatencyMs))
            .AddExtra("protocol", "CLARA sentence-level: context = previous sentences, prefix = first word, top-1 suggestion vs sentence, coco tokenisation, corpus-level")
            .AddExtra("setup", setup)
            .AddExtra("reports", result.Reports)
            .AddExtra("sentences", result.Sentences)
            .AddExtra("no_suggestion", result.NoSuggestion)
            .AddExtra("reranked", result.Reranked)
            .AddExtra("reference_clara_xray", ClaraReference());
        var written = run.Finish();
        using var predictions = new StreamWriter(Path.Combine(outDir, "predictions.jsonl"));
        foreach (var c in result.Cases)
        {
            predictions.WriteLine(JsonSerializer.Serialize(new { id = c.ReportId, index = c.SentenceIndex, prefix = c.Prefix, reference = c.Reference, hypothesis = c.Hypothesis, source = c.Source, latency_ms = Math.Round(c.LatencyMs, 3) }));
        }
        return written;
    }
}
