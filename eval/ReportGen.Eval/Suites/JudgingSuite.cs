using System.Diagnostics;
using ReportGen.Eval.Metrics.Judging;
using ReportGen.Eval.Reporting;
using ReportGen.Pipelines;
using ReportGen.Pipelines.Judging;

namespace ReportGen.Eval.Suites;

/// <summary>
/// Judges one RadFact example: given the candidate and reference phrases, returns the evidenced phrases both ways
/// (a <see cref="RadFactSample"/> with null lists when the judge failed — it is counted, never scored as "not entailed").
/// </summary>
public delegate Task<RadFactSample> RadFactJudge(RadFactExample example, CancellationToken cancellationToken);

/// <summary>
/// Judges one grounded RadFact example (phrases with boxes): returns the evidenced phrases both ways, the evidence
/// carrying the other side's boxes; null lists when the judge failed (counted, never scored as "not entailed").
/// </summary>
public delegate Task<RadFactSample> GroundedRadFactJudge(RadFactGroundedExample example, CancellationToken cancellationToken);

/// <summary>Options of the judging suite.</summary>
public sealed record JudgingSuiteOptions
{
    /// <summary>Bootstrap resamples for the confidence intervals (RadFact uses 500).</summary>
    public int BootstrapResamples { get; init; } = 500;
    /// <summary>Bootstrap seed (RadFact uses 42).</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Name of the judge for the report ("stored-labels" when none).</summary>
    public string JudgeName { get; init; } = "stored-labels";
    /// <summary>The judge's prompts folder (hashed into the provenance), if any.</summary>
    public string? PromptsFolder { get; init; }
    /// <summary>The judge's model id; its file, when resolvable by the caller, is added with <see cref="ModelPath"/>.</summary>
    public string? ModelId { get; init; }
    /// <summary>The judge model's file (hashed into the provenance), if known.</summary>
    public string? ModelPath { get; init; }
    /// <summary>Where a judge failure on an example is logged (type, message, stack; never the example's text).</summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; init; }
}

/// <summary>
/// The judging suite on RadFact's test examples. Without a judge it scores the stored entailment labels — the
/// metric-fidelity check (logical precision .2990, recall .2936, F1 .2963 on the 34 examples). With a judge (an LLM
/// NLI pipeline) it scores the judge's labels, reports the judge's agreement with the stored labels (accuracy and a
/// status confusion matrix), failures, and per-example latency.
/// </summary>
public static class JudgingSuite
{
    private static readonly string[] Statuses = ["entailment", "neutral", "contradiction", "other"];

    /// <summary>
    /// The pipeline's RadFact judge (an LLM through prompts/judge-radfact-entailment.yaml) as this suite's judge: the
    /// example's phrases are judged as given, and cited evidence is resolved to the other side's phrases. As in RadFact,
    /// an example with any phrase the judge failed on (unparseable answer or failed call) is an invalid sample: counted
    /// in radfact_num_invalid_samples, never scored as "not entailed".
    /// </summary>
    public static RadFactJudge FromPipeline(Pipelines.Judging.RadFactJudge judge)
    {
        ArgumentNullException.ThrowIfNull(judge);
        return async (example, cancellationToken) =>
        {
            var result = await judge.JudgeAsync(
                example.CandidatePhrases.Select(p => new GroundedPhrase(p)).ToArray(),
                example.ReferencePhrases.Select(p => new GroundedPhrase(p)).ToArray(),
                cancellationToken).ConfigureAwait(false);
            if (result.Failures > 0) return new RadFactSample(example.Id, null, null);
            return new RadFactSample(example.Id, Evidenced(result.CandidateVerdicts, example.ReferencePhrases), Evidenced(result.ReferenceVerdicts, example.CandidatePhrases));
        };
    }

    /// <summary>
    /// The pipeline's RadFact judge on grounded examples: phrases are judged with their boxes, and cited evidence is
    /// resolved to the other side's phrases with their boxes (what spatial entailment is measured against). As for
    /// <see cref="FromPipeline"/>, an example with any failed phrase is an invalid sample.
    /// </summary>
    public static GroundedRadFactJudge FromPipelineGrounded(Pipelines.Judging.RadFactJudge judge)
    {
        ArgumentNullException.ThrowIfNull(judge);
        return async (example, cancellationToken) =>
        {
            var result = await judge.JudgeAsync(example.CandidatePhrases, example.ReferencePhrases, cancellationToken).ConfigureAwait(false);
            if (result.Failures > 0) return new RadFactSample(example.Id, null, null);
            return new RadFactSample(example.Id, Evidenced(result.CandidateVerdicts, example.ReferencePhrases), Evidenced(result.ReferenceVerdicts, example.CandidatePhrases));
        };
    }

    private static EvidencedPhrase[] Evidenced(IReadOnlyList<PhraseVerdict> verdicts, IReadOnlyList<GroundedPhrase> premises)
    {
        var premisePhrases = premises.Select(p => new EvidencePhrase(p.Text, p.Boxes is { Count: > 0 } ? p.Boxes : null)).ToArray();
        return [.. verdicts.Select(v => new EvidencedPhrase(v.Phrase, v.Status!, v.Boxes is { Count: > 0 } ? v.Boxes : null,
            v.Evidence.Select(e => RadFactScoring.FindEvidence(e, premisePhrases)).OfType<EvidencePhrase>().ToArray()))];
    }

    private static EvidencedPhrase[] Evidenced(IReadOnlyList<PhraseVerdict> verdicts, IReadOnlyList<string> premises)
    {
        var premisePhrases = premises.Select(p => new EvidencePhrase(p)).ToArray();
        return [.. verdicts.Select(v => new EvidencedPhrase(v.Phrase, v.Status!, null,
            v.Evidence.Select(e => RadFactScoring.FindEvidence(e, premisePhrases)).OfType<EvidencePhrase>().ToArray()))];
    }

    /// <summary>Runs the suite and writes DIR/results.json and DIR/report.html.</summary>
    public static async Task<WrittenResults> RunAsync(string dataPath, string outputDirectory, RadFactJudge? judge, JudgingSuiteOptions? options, CancellationToken cancellationToken)
    {
        options ??= new JudgingSuiteOptions();
        var run = new EvalRun("judge", outputDirectory, "ReportGen eval: judging (RadFact examples)");
        run.Provenance.SetData(dataPath);
        if (options.PromptsFolder is not null) run.Provenance.SetPrompts(options.PromptsFolder);
        if (options.ModelId is not null) run.Provenance.AddModel(options.ModelId, options.ModelPath);
        run.Provenance.Settings["judge"] = judge is null ? "stored-labels" : options.JudgeName;
        run.Provenance.Settings["bootstrap_resamples"] = options.BootstrapResamples.ToString(System.Globalization.CultureInfo.InvariantCulture);
        run.Provenance.Settings["seed"] = options.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var examples = RadFactExamples.LoadExamples(dataPath);
        if (examples.Count == 0) throw new InvalidDataException($"{Path.GetFileName(dataPath)} holds no examples");

        IReadOnlyList<RadFactSample> judged;
        var latencies = new List<double>();
        if (judge is null)
        {
            judged = examples.Select(e => e.Labels).ToArray();
        }
        else
        {
            judged = await JudgeEachAsync("judging RadFact examples", examples, e => e.Id, e => e.CandidatePhrases.Concat(e.ReferencePhrases), (e, ct) => judge(e, ct), latencies,
                options.Logger, cancellationToken).ConfigureAwait(false);
        }

        Describe(run.Report, examples, judged, options, judge is not null);
        if (latencies.Count > 0)
        {
            LatencyStats.From(latencies).AddTo(run.Report, "judge_example");
            run.Report.AddHistogram("Judge latency per example", latencies, caption: "Wall time of one example (both directions).");
        }
        return run.Finish();
    }

    /// <summary>
    /// Runs the suite on RadFact's grounded examples (grounded_reporting_examples.json: phrases with boxes, no labels)
    /// and writes DIR/results.json and DIR/report.html with logical, grounding and spatial precision/recall/F1. The
    /// labels come from <paramref name="judge"/> (the pipeline's LLM judge, <see cref="FromPipelineGrounded"/>) or,
    /// when it is null, from <see cref="PhraseMatchOracle"/>, recorded as such in the provenance and the report.
    /// </summary>
    public static async Task<WrittenResults> RunGroundedAsync(string dataPath, string outputDirectory, GroundedRadFactJudge? judge, JudgingSuiteOptions? options, CancellationToken cancellationToken)
    {
        options ??= new JudgingSuiteOptions();
        var run = new EvalRun("judge", outputDirectory, "ReportGen eval: judging (RadFact grounded examples)");
        run.Provenance.SetData(dataPath);
        if (options.PromptsFolder is not null) run.Provenance.SetPrompts(options.PromptsFolder);
        if (options.ModelId is not null) run.Provenance.AddModel(options.ModelId, options.ModelPath);
        run.Provenance.Settings["judge"] = judge is null ? PhraseMatchOracle.Name : options.JudgeName;
        run.Provenance.Settings["data_format"] = "radfact-grounded";
        run.Provenance.Settings["bootstrap_resamples"] = options.BootstrapResamples.ToString(Invariant);
        run.Provenance.Settings["seed"] = options.Seed.ToString(Invariant);

        var examples = RadFactGroundedExamples.Load(dataPath);
        if (examples.Count == 0) throw new InvalidDataException($"{Path.GetFileName(dataPath)} holds no examples");

        IReadOnlyList<RadFactSample> judged;
        var latencies = new List<double>();
        if (judge is null)
        {
            judged = examples.Select(PhraseMatchOracle.Judge).ToArray();
        }
        else
        {
            judged = await JudgeEachAsync("judging RadFact grounded examples", examples, e => e.Id, e => e.CandidatePhrases.Concat(e.ReferencePhrases).Select(p => p.Text),
                (e, ct) => judge(e, ct), latencies, options.Logger, cancellationToken).ConfigureAwait(false);
        }

        DescribeGrounded(run.Report, examples, judged, options, judge is null ? PhraseMatchOracle.Name : options.JudgeName);
        if (latencies.Count > 0)
        {
            LatencyStats.From(latencies).AddTo(run.Report, "judge_example");
            run.Report.AddHistogram("Judge latency per example", latencies, caption: "Wall time of one example (both directions).");
        }
        return run.Finish();
    }

    /// <summary>Judges every example with progress, timing each; a judge failure is one invalid sample, counted in the
    /// results and logged (<see cref="PipelineFailures"/>: a message that quotes the example's phrases is withheld).</summary>
    private static Task<IReadOnlyList<RadFactSample>> JudgeEachAsync<T>(string label, IReadOnlyList<T> examples, Func<T, string> id, Func<T, IEnumerable<string>> phrases,
        Func<T, CancellationToken, Task<RadFactSample>> judge, List<double> latencies, Microsoft.Extensions.Logging.ILogger? logger, CancellationToken cancellationToken) =>
        EvalProgress.ForEachAsync(label, examples, async (example, ct) =>
        {
            var clock = Stopwatch.StartNew();
            RadFactSample result;
            try
            {
                result = await judge(example, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                PipelineFailures.Record(logger, "eval-judge", e, [.. phrases(example)]);
                result = new RadFactSample(id(example), null, null);
            }
            lock (latencies) latencies.Add(clock.Elapsed.TotalMilliseconds);
            return result;
        }, cancellationToken);

    // The aggregate's metrics as results.json names them (radfact_ + key), with what each means; RadFact's order.
    private static readonly (string Key, string Description)[] NarrativeScoreDescriptions =
    [
        ("logical_precision", "share of candidate (A) phrases entailed by the reference (B), mean over examples"),
        ("logical_recall", "share of reference (B) phrases entailed by the candidate (A), mean over examples"),
        ("logical_f1", "2PR/(P+R) of the two means (RadFact's headline score)"),
    ];

    private static readonly (string Key, string Description)[] GroundedScoreDescriptions =
    [
        ("logical_precision", "share of candidate phrases entailed by the reference, mean over examples"),
        ("logical_recall", "share of reference phrases entailed by the candidate, mean over examples"),
        ("logical_f1", "2PR/(P+R) of the two means"),
        ("grounding_precision", "spatially entailed / entailed boxed candidate phrases, nanmean over examples"),
        ("grounding_recall", "spatially entailed / entailed boxed reference phrases, nanmean over examples"),
        ("grounding_f1", "2PR/(P+R) of the grounding means"),
        ("spatial_precision", "spatially entailed / all boxed candidate phrases, nanmean over examples"),
        ("spatial_recall", "spatially entailed / all boxed reference phrases, nanmean over examples"),
        ("spatial_f1", "2PR/(P+R) of the spatial means"),
    ];

    private static readonly (string Key, string Description)[] PhraseCountDescriptions =
    [
        ("num_candidate_phrases", "mean candidate phrases per example"),
        ("num_reference_phrases", "mean reference phrases per example"),
    ];

    private static readonly (string Key, string Description)[] GroundedCountDescriptions =
    [
        .. PhraseCountDescriptions,
        ("num_candidate_phrases_with_boxes", "mean boxed candidate phrases per example"),
        ("num_reference_phrases_with_boxes", "mean boxed reference phrases per example"),
    ];

    private static void AddAggregate(EvalReport report, RadFactAggregate aggregate, (string Key, string Description)[] scoreMetrics, (string Key, string Description)[] countMetrics)
    {
        var values = aggregate.ToDictionary();
        foreach (var (key, description) in scoreMetrics) report.AddMetric("radfact_" + key, values[key], description);
        report.AddMetric("radfact_num_samples", aggregate.NumSamples, "examples scored");
        report.AddMetric("radfact_num_invalid_samples", aggregate.NumInvalidSamples, "examples the judge failed on (counted, not scored)");
        foreach (var (key, description) in countMetrics) report.AddMetric("radfact_" + key, values[key], description);
    }

    private static readonly string[] GroundedScores =
        ["logical_precision", "logical_recall", "logical_f1", "grounding_precision", "grounding_recall", "grounding_f1", "spatial_precision", "spatial_recall", "spatial_f1"];

    private static void DescribeGrounded(EvalReport report, IReadOnlyList<RadFactGroundedExample> examples, IReadOnlyList<RadFactSample> judged, JudgingSuiteOptions options, string judgeName)
    {
        // Grounded phrases: RadFact reports the box scores too (onlyFactualScores false).
        var aggregate = RadFact.Aggregate(judged, onlyFactualScores: false);
        var scores = aggregate.ToDictionary();
        AddAggregate(report, aggregate, GroundedScoreDescriptions, GroundedCountDescriptions);
        AddBootstrap(report, judged, options, onlyFactualScores: false, GroundedScores);
        report.AddBarChart("RadFact logical, grounding and spatial scores", GroundedScores.Select(k => (k.Replace('_', ' '), scores[k])));

        var spatialCounts = new int[2, 3];
        var rows = new List<IReadOnlyList<string>>();
        for (var i = 0; i < examples.Count; i++)
        {
            var (example, sample) = (examples[i], judged[i]);
            var boxedCandidate = example.CandidatePhrases.Count(p => p.Boxes is { Count: > 0 });
            var boxedReference = example.ReferencePhrases.Count(p => p.Boxes is { Count: > 0 });
            if (sample.IsInvalid)
            {
                AddFailed(report, rows, [example.Id, example.CandidatePhrases.Count.ToString(Invariant), example.ReferencePhrases.Count.ToString(Invariant), boxedCandidate.ToString(Invariant), boxedReference.ToString(Invariant)], 5);
                continue;
            }
            var score = RadFactScoring.Score(sample.CandidatePhrases!, sample.ReferencePhrases!);
            foreach (var (side, phrases) in new[] { (0, sample.CandidatePhrases!), (1, sample.ReferencePhrases!) })
                foreach (var p in phrases) spatialCounts[side, (int)RadFactScoring.SpatialStatus(p)]++;
            rows.Add([example.Id, example.CandidatePhrases.Count.ToString(Invariant), example.ReferencePhrases.Count.ToString(Invariant), boxedCandidate.ToString(Invariant), boxedReference.ToString(Invariant),
                Cell(score.LogicalF1), Cell(score.GroundingPrecision), Cell(score.GroundingRecall), Cell(score.SpatialPrecision), Cell(score.SpatialRecall)]);
            report.AddItem(new
            {
                example.Id,
                Status = "scored",
                LogicalPrecision = RadFactScoring.OrNull(score.LogicalPrecision),
                LogicalRecall = RadFactScoring.OrNull(score.LogicalRecall),
                GroundingPrecision = RadFactScoring.OrNull(score.GroundingPrecision),
                GroundingRecall = RadFactScoring.OrNull(score.GroundingRecall),
                SpatialPrecision = RadFactScoring.OrNull(score.SpatialPrecision),
                SpatialRecall = RadFactScoring.OrNull(score.SpatialRecall),
                CandidateStatuses = sample.CandidatePhrases!.Select(p => p.Status).ToArray(),
                CandidateSpatial = sample.CandidatePhrases!.Select(p => RadFactScoring.SpatialStatus(p).ToString()).ToArray(),
                ReferenceStatuses = sample.ReferencePhrases!.Select(p => p.Status).ToArray(),
                ReferenceSpatial = sample.ReferencePhrases!.Select(p => RadFactScoring.SpatialStatus(p).ToString()).ToArray(),
            });
        }
        report.AddTable("Phrases by spatial status", ["side", "no boxes", "spatially entailed", "boxed, not spatially entailed"],
            [["candidate", .. Enumerable.Range(0, 3).Select(s => spatialCounts[0, s].ToString(Invariant))], ["reference", .. Enumerable.Range(0, 3).Select(s => spatialCounts[1, s].ToString(Invariant))]]);
        report.AddTable("Per example", ["example", "candidate phrases", "reference phrases", "boxed candidate", "boxed reference",
            "logical F1", "grounding P", "grounding R", "spatial P", "spatial R"], rows, "n/a: undefined (no entailed boxed phrase, or no boxed phrase, on that side).");
        report.AddNote("Judge and definitions",
            (judgeName == PhraseMatchOracle.Name
                ? "The file carries no entailment labels. These labels come from oracle-normalised-phrase-match: a phrase is entailed when the other report has a " +
                  "phrase with the same normalised text (lower case, letters and digits, articles and copulas dropped, plural s dropped), whose boxes are then its evidence; " +
                  "anything else is not_entailment. It is a lower bound on entailment (paraphrases do not match), not a clinical judge: compare its numbers only with other " +
                  "oracle runs. The box scores exercise RadFact's arithmetic on the file's real boxes. "
                : $"Labels from the LLM judge {judgeName} (prompts/judge-radfact-entailment.yaml), evidence resolved to the other report's phrases and their boxes. ") +
            "Candidate = prediction, reference = target. Per microsoft/RadFact radfact.py: a boxed phrase is spatially entailed when it is entailed and the pixel " +
            "precision of its boxes against the union of its evidence's boxes on a 224x224 mask exceeds 0.5; grounding P/R = spatially entailed / entailed boxed phrases, " +
            "spatial P/R = spatially entailed / all boxed phrases; each is a nanmean over examples and the F1s are of the means.");
    }

    private static void Describe(EvalReport report, IReadOnlyList<RadFactExample> examples, IReadOnlyList<RadFactSample> judged, JudgingSuiteOptions options, bool hasJudge)
    {
        // Narrative phrases carry no boxes: RadFact reports only the logical scores here (is_narrative_text).
        var aggregate = RadFact.Aggregate(judged, onlyFactualScores: true);
        var scores = aggregate.ToDictionary();
        AddAggregate(report, aggregate, NarrativeScoreDescriptions, PhraseCountDescriptions);
        AddBootstrap(report, judged, options, onlyFactualScores: true, ["logical_precision", "logical_recall", "logical_f1"]);

        report.AddBarChart("RadFact logical scores", [("logical precision", scores["logical_precision"]), ("logical recall", scores["logical_recall"]), ("logical F1", scores["logical_f1"])]);

        if (hasJudge) DescribeAgreement(report, examples, judged);

        var perExample = examples.Zip(judged, (e, j) => (Example: e, Judged: j)).ToArray();
        var rows = new List<IReadOnlyList<string>>();
        for (var i = 0; i < perExample.Length; i++)
        {
            var (example, sample) = perExample[i];
            if (sample.IsInvalid)
            {
                AddFailed(report, rows, [example.Id, example.CandidatePhrases.Count.ToString(Invariant), example.ReferencePhrases.Count.ToString(Invariant)], 3);
                continue;
            }
            var score = RadFactScoring.Score(sample.CandidatePhrases!, sample.ReferencePhrases!);
            rows.Add([example.Id, example.CandidatePhrases.Count.ToString(Invariant), example.ReferencePhrases.Count.ToString(Invariant), Cell(score.LogicalPrecision), Cell(score.LogicalRecall), Cell(score.LogicalF1)]);
            report.AddItem(new
            {
                example.Id,
                Status = "scored",
                LogicalPrecision = RadFactScoring.OrNull(score.LogicalPrecision),
                LogicalRecall = RadFactScoring.OrNull(score.LogicalRecall),
                LogicalF1 = RadFactScoring.OrNull(score.LogicalF1),
                CandidateStatuses = sample.CandidatePhrases!.Select(p => p.Status).ToArray(),
                ReferenceStatuses = sample.ReferencePhrases!.Select(p => p.Status).ToArray(),
            });
        }
        report.AddTable("Per example", ["example", "candidate phrases", "reference phrases", "logical precision", "logical recall", "logical F1"], rows);
        report.AddNote("Protocol and published numbers",
            "Candidate = phrases_A, reference = phrases_B, as RadFact's run_radfact_test_examples.py pairs them. Scores follow " +
            "microsoft/RadFact radfact.py: per-example entailed fractions, nanmean over examples, F1 of the means. " +
            "On the stored labels the arithmetic gives precision 0.2990, recall 0.2936, F1 0.2963 (this repository's fidelity test). " +
            "RadFact's script prints bootstrap medians 0.3554 / 0.3211 / 0.3385 (95% CI F1 0.2607–0.4140) for labels freshly produced by " +
            "Llama-3-70B-Instruct; a judge run here is comparable with those, the stored-label run is not.");
    }

    // Bootstrap confidence intervals of the scores over the examples the judge scored (RadFact's own bootstrap).
    private static void AddBootstrap(EvalReport report, IReadOnlyList<RadFactSample> judged, JudgingSuiteOptions options, bool onlyFactualScores, IReadOnlyList<string> keys)
    {
        var valid = judged.Where(s => !s.IsInvalid).ToArray();
        if (valid.Length == 0) return;
        var boot = RadFactBootstrap.Compute(valid, options.BootstrapResamples, options.Seed, onlyFactualScores);
        foreach (var key in keys)
        {
            report.AddMetric($"radfact_{key}_ci_low", boot[key].Lower, $"bootstrap 2.5th percentile of {key}");
            report.AddMetric($"radfact_{key}_ci_high", boot[key].Upper, $"bootstrap 97.5th percentile of {key}");
        }
        report.AddExtra("bootstrap", boot);
    }

    // An example the judge failed on: its own columns, "failed" in each score column, and a judge_failed item.
    private static void AddFailed(EvalReport report, List<IReadOnlyList<string>> rows, IReadOnlyList<string> leading, int scoreColumns)
    {
        rows.Add([.. leading, .. Enumerable.Repeat("failed", scoreColumns)]);
        report.AddItem(new { Id = leading[0], Status = "judge_failed" });
    }

    private static void DescribeAgreement(EvalReport report, IReadOnlyList<RadFactExample> examples, IReadOnlyList<RadFactSample> judged)
    {
        var counts = new int[Statuses.Length, Statuses.Length];
        int agree = 0, total = 0;
        for (var i = 0; i < examples.Count; i++)
        {
            var truth = examples[i].Labels;
            var guess = judged[i];
            if (truth.IsInvalid || guess.IsInvalid) continue;
            foreach (var (t, g) in Pairs(truth.CandidatePhrases!, guess.CandidatePhrases!).Concat(Pairs(truth.ReferencePhrases!, guess.ReferencePhrases!)))
            {
                counts[Index(t), Index(g)]++;
                total++;
                if (Index(t) == Index(g)) agree++;
            }
        }
        report.AddMetric("judge_status_accuracy", total > 0 ? agree / (double)total : double.NaN, "share of phrases whose judged status equals the stored label");
        report.AddMetric("judge_phrases_compared", total, "phrases compared with the stored labels");
        report.AddConfusionMatrix("Judge status vs stored label", Statuses, counts, "Rows: stored label; columns: judge's status.");
    }

    private static IEnumerable<(string Truth, string Guess)> Pairs(IReadOnlyList<EvidencedPhrase> truth, IReadOnlyList<EvidencedPhrase> guess)
    {
        foreach (var t in truth)
        {
            var match = guess.FirstOrDefault(g => RadFactScoring.NormaliseForComparison(g.Text) == RadFactScoring.NormaliseForComparison(t.Text));
            yield return (t.Status, match?.Status ?? "other");
        }
    }

    private static int Index(string status) => Array.IndexOf(Statuses, status) is var i and >= 0 and < 3 ? i : 3;

    private static readonly System.Globalization.CultureInfo Invariant = System.Globalization.CultureInfo.InvariantCulture;

    // A score as a table cell: up to four decimals, "n/a" when undefined.
    private static string Cell(double score) => double.IsFinite(score) ? score.ToString("0.####", Invariant) : "n/a";
}
