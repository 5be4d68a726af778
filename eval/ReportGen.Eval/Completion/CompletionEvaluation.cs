using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Core.Completion;
using ReportGen.Core.Text;
using ReportGen.Eval.Metrics.Text;
using ReportGen.Eval.Reporting;
using ReportGen.Pipelines.Completion;

namespace ReportGen.Eval.Completion;

/// <summary>One evaluated sentence.</summary>
/// <param name="Suggestions">The texts of all suggestions in order when more than the top one was asked for (<see cref="CompletionEvalOptions.OracleDepth"/>).</param>
public sealed record CompletionCase(string ReportId, int SentenceIndex, string Prefix, string Reference, string Hypothesis, double LatencyMs, string? Source, ReportSectionKind? Section,
    IReadOnlyList<string>? Suggestions = null);

/// <summary>The figures of one completion evaluation run.</summary>
/// <param name="BySection">Text metrics over the sentences of each section (findings, impression), by request name.</param>
/// <param name="CorpusReportsLeftOut">Corpus reports left out of the index because they were evaluated.</param>
/// <param name="Oracle">The best of the top d suggestions per sentence, by depth d (empty unless asked for).</param>
public sealed record CompletionEvalResult(
    double Bleu4, double Cider, double RougeL, double LatencyP50Ms, double LatencyP95Ms,
    int Reports, int Sentences, int NoSuggestion, bool Reranked, IReadOnlyList<CompletionCase> Cases,
    TextMetricsResult TextMetrics, IReadOnlyDictionary<string, TextMetricsResult> BySection, int CorpusReportsLeftOut,
    IReadOnlyDictionary<int, OracleFigures> Oracle);

/// <summary>The best of the top d suggestions of every sentence, chosen with the reference (<see cref="CompletionEvalOptions.OracleDepth"/>).</summary>
/// <param name="Bleu4">Corpus BLEU-4 of the chosen suggestions: the most any re-ranking of the top d could score.</param>
/// <param name="Exact">Share of sentences whose reference is one of the top d suggestions (after coco tokenisation): with d
/// suggestions shown, how often the sentence the radiologist wrote is offered word for word.</param>
public sealed record OracleFigures(double Bleu4, double Exact);

/// <summary>How an evaluation runs.</summary>
public sealed record CompletionEvalOptions
{
    /// <summary>Evaluate only the first N reports.</summary>
    public int? MaxReports { get; init; }

    /// <summary>
    /// Cross-fitting folds: report i is in fold i mod Folds; each fold is answered from the corpus with that fold's
    /// reports left out, so a corpus that holds other reports of the evaluated file uses them and never the evaluated one.
    /// </summary>
    public int Folds { get; init; } = 1;

    /// <summary>Whether each request names its sentence's section (false: the protocol before sections).</summary>
    public bool Sections { get; init; } = true;

    /// <summary>
    /// 0: off. Otherwise each request asks for this many suggestions and the result adds the corpus BLEU-4 of the best
    /// of the top d per sentence (d = 1, 2, 3, 5, 8, ... up to this depth), the best chosen by smoothed sentence BLEU
    /// against the reference itself: an upper bound on what any re-ranking of those candidates could score, never a
    /// figure of the product; and the share of sentences whose reference is among the top d. The top suggestion, and so every other figure, is the same as without it as long as the
    /// depth does not enlarge the candidate pool (at most <see cref="MaxOracleDepth"/>, and with a model at most its
    /// re-ranked candidates).
    /// </summary>
    public int OracleDepth { get; init; }

    /// <summary>The largest <see cref="OracleDepth"/>: the retrieval ranker's consensus pool, so the top suggestion does not change.</summary>
    public const int MaxOracleDepth = 20;
}

/// <summary>An evaluated report: its sentences in order with their sections.</summary>
public sealed record CompletionEvalReport(CorpusReport Source, IReadOnlyList<(string Text, ReportSectionKind? Section)> Sentences)
{
    /// <summary>The report id.</summary>
    public string Id => Source.Id;
}

/// <summary>
/// Sentence-level auto-completion evaluation, CLARA style (see eval/completion.md): each report is
/// findings then impression, split into sentences; for every sentence the context is all sentences
/// before it, the prefix is the sentence's first word and the section is the sentence's; the top
/// suggestion (prefix included) is scored against the sentence, corpus-level, after coco-caption
/// tokenisation, overall and per section.
/// </summary>
public static class CompletionEvaluation
{
    /// <summary>The reports of an evaluation file (JSONL with findings/impression), each as its sentences with their sections.</summary>
    public static List<CompletionEvalReport> ReadReports(string dataPath) =>
        [.. SentenceIndexBuilder.ReadReports(dataPath).Select(r => new CompletionEvalReport(r, [.. r.Sentences().Select(x => (x.Text, x.Section))]))];

    /// <summary>The protocol's request for sentence <paramref name="i"/> of a report: the sentences before it, its first word, its section.</summary>
    public static CompletionRequest RequestFor(CompletionEvalReport report, int i, string? corpus, int k, bool withSection) =>
        new(string.Join(' ', report.Sentences.Take(i).Select(s => s.Text)), FirstWordPrefix(report.Sentences[i].Text), K: k, Corpus: corpus,
            Section: withSection ? report.Sentences[i].Section : null);

    /// <summary>The first word of a sentence as the user would have typed it, followed by a space (the word is complete).</summary>
    public static string FirstWordPrefix(string sentence)
    {
        var end = 0;
        while (end < sentence.Length && !char.IsWhiteSpace(sentence[end])) end++;
        var word = sentence[..end].TrimEnd('.', ',', ';', ':', '!', '?');
        return word.Length == 0 ? "" : word + " ";
    }

    /// <summary>
    /// Runs the protocol over <paramref name="dataPath"/> with <paramref name="engine"/>. Evaluated reports found in the
    /// corpus's sources (same id and text) are left out of the index it answers from, fold by fold.
    /// </summary>
    public static async Task<CompletionEvalResult> RunAsync(CompletionEngine engine, string dataPath, string? corpus, CompletionEvalOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Folds < 1) throw new ArgumentOutOfRangeException(nameof(options), "folds must be at least 1");
        if (options.OracleDepth is < 0 or > CompletionEvalOptions.MaxOracleDepth) throw new ArgumentOutOfRangeException(nameof(options), $"oracle depth must be between 0 and {CompletionEvalOptions.MaxOracleDepth}");
        var reports = ReadReports(dataPath);
        if (options.MaxReports is { } max) reports = [.. reports.Take(max)];
        var registry = engine.Corpora;
        var index = registry.Get(corpus);
        // The corpus's reports, read once for every fold (each fold's index leaves its own reports out).
        var corpusReports = (registry.Definition(index.Name)?.Sources ?? []).SelectMany(SentenceIndexBuilder.ReadReports).ToList();
        var cases = new List<CompletionCase>();
        var reranked = false;
        var leftOut = 0;
        for (var fold = 0; fold < options.Folds; fold++)
        {
            var evaluated = reports.Where((_, i) => i % options.Folds == fold).ToList();
            var evaluatedSet = evaluated.Select(r => r.Source).ToHashSet();
            var corpusName = index.Name;
            var inCorpus = corpusReports.Count(evaluatedSet.Contains);
            if (inCorpus > 0)
            {
                // Never answer from an evaluated report: index the corpus without this fold's reports (in memory only).
                var foldIndex = SentenceIndexBuilder.FromReports($"{index.Name}-without-fold{fold + 1}", corpusReports.Where(r => !evaluatedSet.Contains(r)), cancellationToken);
                registry.Register(foldIndex);
                corpusName = foldIndex.Name;
                leftOut += inCorpus;
            }
            // One warm-up request so the index load is not counted as latency.
            await engine.CompleteAsync(new CompletionRequest("", "The ", K: 1, Corpus: corpusName), cancellationToken).ConfigureAwait(false);
            foreach (var report in evaluated)
            {
                for (var i = 0; i < report.Sentences.Count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var request = RequestFor(report, i, corpusName, Math.Max(1, options.OracleDepth), options.Sections);
                    var sw = Stopwatch.StartNew();
                    var result = await engine.CompleteAsync(request, cancellationToken).ConfigureAwait(false);
                    sw.Stop();
                    reranked |= result.Reranked;
                    var top = result.Suggestions.Count > 0 ? result.Suggestions[0] : null;
                    var (reference, section) = report.Sentences[i];
                    // With nothing to suggest, the typed prefix is all the user has.
                    cases.Add(new CompletionCase(report.Id, i, request.Prefix!, reference, top?.Text ?? request.Prefix!.Trim(), sw.Elapsed.TotalMilliseconds, top?.Source, section,
                        options.OracleDepth > 0 ? [.. result.Suggestions.Select(x => x.Text)] : null));
                }
            }
        }
        var text = Metrics(cases);
        var bySection = CompletionSections.All
            .Select(s => (Name: CompletionSections.Name(s)!, Cases: cases.Where(c => c.Section == s).ToList()))
            .Where(x => x.Cases.Count > 0)
            .ToDictionary(x => x.Name, x => Metrics(x.Cases));
        var metrics = text.ToDictionary();
        var latencies = cases.Select(c => c.LatencyMs).Order().ToArray();
        return new CompletionEvalResult(
            metrics["bleu_4"], metrics["cider_d"], metrics["rouge_l"],
            Percentile(latencies, 0.50), Percentile(latencies, 0.95),
            reports.Count, cases.Count, cases.Count(c => c.Source is null), reranked, cases, text, bySection, leftOut,
            Oracle(cases, options.OracleDepth));
    }

    /// <summary>The depths the oracle reports: 1, 2, 3, 5, 8, 13 below the asked depth, and the depth itself.</summary>
    public static IReadOnlyList<int> OracleDepths(int depth) => depth <= 0 ? [] : [.. new[] { 1, 2, 3, 5, 8, 13 }.Where(d => d < depth).Append(depth)];

    // Best of the top d per sentence, chosen with the reference (coco tokens, smoothed sentence BLEU-4; the first on a tie).
    private static Dictionary<int, OracleFigures> Oracle(List<CompletionCase> cases, int depth)
    {
        // Each candidate is scored against its reference once; every depth then takes the best of its first d.
        var scored = cases.Select(c =>
        {
            var reference = CocoTokenizer.Tokenize(c.Reference);
            var candidates = (c.Suggestions is { Count: > 0 } s ? s : [c.Hypothesis]).Select(CocoTokenizer.Tokenize).ToList();
            return (Reference: reference, Candidates: candidates, Scores: candidates.Select(x => Bleu.SmoothedSentence(x, reference)).ToList());
        }).ToList();
        var oracle = new Dictionary<int, OracleFigures>();
        foreach (var d in OracleDepths(depth))
        {
            var chosen = scored.Select(t =>
            {
                var top = Math.Min(d, t.Candidates.Count);
                var best = 0;
                for (var i = 1; i < top; i++) if (t.Scores[i] > t.Scores[best]) best = i;
                return new CaptionExample(t.Candidates[best], [t.Reference]);
            }).ToList();
            var exact = scored.Count == 0 ? 0 : (double)scored.Count(t => t.Candidates.Take(d).Contains(t.Reference)) / scored.Count;
            oracle[d] = new OracleFigures(Bleu.Compute(chosen).Scores[3], exact);
        }
        return oracle;
    }

    private static TextMetricsResult Metrics(IEnumerable<CompletionCase> cases) =>
        TextMetrics.Evaluate([.. cases.Select(c => new CaptionExample(c.Hypothesis, c.Reference))]);

    /// <summary>BLEU-4, CIDEr-D and ROUGE-L of each section with its sentence count (results.json <c>sections</c>).</summary>
    public static JsonObject SectionSummary(CompletionEvalResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var summary = new JsonObject();
        foreach (var (name, metrics) in result.BySection)
        {
            var m = metrics.ToDictionary();
            summary[name] = new JsonObject
            {
                ["sentences"] = result.Cases.Count(c => c.Section is { } s && CompletionSections.Name(s) == name),
                ["bleu_4"] = Math.Round(m["bleu_4"], 4),
                ["cider_d"] = Math.Round(m["cider_d"], 4),
                ["rouge_l"] = Math.Round(m["rouge_l"], 4),
            };
        }
        return summary;
    }

    /// <summary>The figures on one console line: overall, per section, latency, and the oracle's when asked for.</summary>
    public static string Summary(CompletionEvalResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sections = string.Concat(result.BySection.Select(kv =>
        {
            var m = kv.Value.ToDictionary();
            return $"; {kv.Key} BLEU-4 {m["bleu_4"]:F4}, CIDEr-D {m["cider_d"]:F4}, ROUGE-L {m["rouge_l"]:F4}";
        }));
        var oracle = result.Oracle.Count == 0 ? "" :
            "; best of the top d chosen with the reference (an upper bound), BLEU-4 / share offered word for word: " +
            string.Join(", ", result.Oracle.Select(kv => $"d={kv.Key} {kv.Value.Bleu4:F4} / {kv.Value.Exact:F3}"));
        return $"BLEU-4 {result.Bleu4:F4}, CIDEr-D {result.Cider:F4}, ROUGE-L {result.RougeL:F4}{sections}; " +
            $"latency p50 {result.LatencyP50Ms:F2} ms, p95 {result.LatencyP95Ms:F2} ms{oracle}";
    }

    /// <summary>results.json <c>oracle</c>: what it is, and by depth the best-of-top-d BLEU-4 and the share offered word for word.</summary>
    public static JsonObject OracleSummary(CompletionEvalResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var bleu = new JsonObject();
        var exact = new JsonObject();
        foreach (var (d, figures) in result.Oracle)
        {
            var key = d.ToString(System.Globalization.CultureInfo.InvariantCulture);
            bleu[key] = Math.Round(figures.Bleu4, 4);
            exact[key] = Math.Round(figures.Exact, 4);
        }
        return new JsonObject
        {
            ["what"] = "by number of suggestions d: bleu_4 of the best of the top d per sentence, chosen with the reference (an upper bound for re-ranking them, not a figure of the product); exact, the share of sentences whose reference is among the top d",
            ["bleu_4"] = bleu,
            ["exact"] = exact,
        };
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
        // Per-section figures go under "sections": "metrics" keeps the names every suite shares.
        run.Report.AddTextMetrics(result.TextMetrics)
            .AddMetric("latency_p50_ms", Math.Round(result.LatencyP50Ms, 2), "median latency of one suggestion request, ms")
            .AddMetric("latency_p95_ms", Math.Round(result.LatencyP95Ms, 2), "95th-percentile latency of one suggestion request, ms")
            .AddHistogram("Latency per suggestion", result.Cases.Select(c => c.LatencyMs))
            .AddExtra("protocol", "CLARA sentence-level: context = previous sentences, prefix = first word, section = the sentence's (unless --no-section), top-1 suggestion vs sentence, coco tokenisation, corpus-level overall and per section; evaluated reports left out of the corpus")
            .AddExtra("setup", setup)
            .AddExtra("reports", result.Reports)
            .AddExtra("sentences", result.Sentences)
            .AddExtra("sections", SectionSummary(result))
            .AddExtra("corpus_reports_left_out", result.CorpusReportsLeftOut)
            .AddExtra("no_suggestion", result.NoSuggestion)
            .AddExtra("reranked", result.Reranked)
            .AddExtra("reference_clara_xray", ClaraReference());
        if (result.Oracle.Count > 0)
        {
            run.Report.AddExtra("oracle", OracleSummary(result));
        }
        var written = run.Finish();
        using var predictions = new StreamWriter(Path.Combine(outDir, "predictions.jsonl"));
        foreach (var c in result.Cases)
        {
            predictions.WriteLine(JsonSerializer.Serialize(new { id = c.ReportId, index = c.SentenceIndex, section = c.Section is { } s ? CompletionSections.Name(s) : null, prefix = c.Prefix, reference = c.Reference, hypothesis = c.Hypothesis, source = c.Source, latency_ms = Math.Round(c.LatencyMs, 3) }));
        }
        return written;
    }
}
