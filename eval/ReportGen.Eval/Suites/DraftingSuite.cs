using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Core.Hosting;
using ReportGen.Core.Json;
using ReportGen.Core.Labels;
using ReportGen.Eval.Metrics.Clinical;
using ReportGen.Eval.Metrics.Text;
using ReportGen.Eval.Reporting;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Drafting;
using ReportGen.Pipelines.Judging;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Eval.Suites;

/// <summary>One image–report pair of the drafting suite (image paths already resolved to files).</summary>
/// <param name="Id">Pair id.</param>
/// <param name="Image">The frontal image file.</param>
/// <param name="Lateral">The lateral image file, if any.</param>
/// <param name="Indication">Indication, if any.</param>
/// <param name="Technique">Technique, if any.</param>
/// <param name="Comparison">Comparison, if any.</param>
/// <param name="Findings">The reference findings.</param>
public sealed record DraftingPair(string Id, string Image, string? Lateral, string? Indication, string? Technique, string? Comparison, string Findings);

/// <summary>Drafts one pair (the caller composes the model set and the <see cref="DraftingService"/>).</summary>
public delegate Task<DraftResult> DraftPairFunction(DraftingPair pair, CancellationToken cancellationToken);

/// <summary>Options of the drafting suite (what the run records as provenance).</summary>
public sealed record DraftingSuiteOptions
{
    /// <summary>The model set (or LLM) id.</summary>
    public string? ModelSetId { get; init; }
    /// <summary>Models with their manifest hashes.</summary>
    public IReadOnlyList<ModelRecord> Models { get; init; } = [];
    /// <summary>The prompts folder (hashed into the provenance).</summary>
    public string? PromptsFolder { get; init; }
}

/// <summary>
/// The drafting suite (issue 9): image–report pairs from a JSONL (<c>{"id"?, "image", "lateral"?, "indication"?,
/// "technique"?, "comparison"?, "findings"}</c>; paths relative to the file, or <c>shared:data/images/x.png</c> under
/// the shared folder), drafted by the pipeline and scored against the reference findings: BLEU-1..4, ROUGE-L,
/// CIDEr-D (pycocoevalcap), CheXpert F1 from the rules labeler, RadGraph F1 from rules structuring, the rules judge's
/// score, plus malformed grounding counts and latency. Writes DIR/results.json and DIR/report.html.
/// </summary>
public static class DraftingSuite
{
    /// <summary>Reads the pairs, resolving image paths.</summary>
    /// <exception cref="InvalidDataException">A line is not a pair (the message names the line and field), or an image is missing.</exception>
    public static IReadOnlyList<DraftingPair> LoadPairs(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var pairs = new List<DraftingPair>();
        foreach (var line in JsonLines.ReadObjects(path))
        {
            var lineNumber = line.Line;
            string? Text(string name) => line.Text(name);
            string File(string name, string value)
            {
                var resolved = value.StartsWith("shared:", StringComparison.Ordinal)
                    ? Workspace.Shared(value["shared:".Length..].Split('/')) ?? throw new InvalidDataException($"{Path.GetFileName(path)}: line {lineNumber}: \"{name}\" is under the shared folder, which is absent (set {Workspace.SharedEnvironmentVariable})")
                    : Path.IsPathRooted(value) ? value : Path.Combine(folder, value);
                return System.IO.File.Exists(resolved) ? resolved : throw new InvalidDataException($"{Path.GetFileName(path)}: line {lineNumber}: \"{name}\" not found: {value}");
            }
            var image = Text("image") ?? throw new InvalidDataException($"{Path.GetFileName(path)}: line {lineNumber} has no \"image\"");
            var findings = Text("findings") ?? throw new InvalidDataException($"{Path.GetFileName(path)}: line {lineNumber} has no \"findings\" (the reference)");
            pairs.Add(new DraftingPair(Text("id") ?? $"line-{lineNumber}", File("image", image), Text("lateral") is { } lateral ? File("lateral", lateral) : null,
                Text("indication"), Text("technique"), Text("comparison"), findings));
        }
        return pairs.Count > 0 ? pairs : throw new InvalidDataException($"{Path.GetFileName(path)}: no pairs");
    }

    /// <summary>Drafts every pair, scores the drafts and writes results.json and report.html.</summary>
    public static async Task<WrittenResults> RunAsync(string dataPath, string outputDirectory, DraftPairFunction draft, DraftingSuiteOptions? options,
        IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        options ??= new DraftingSuiteOptions();
        var pairs = LoadPairs(dataPath);
        var run = new EvalRun("draft", outputDirectory, "ReportGen eval: drafting (image–report pairs)");
        run.Provenance.SetData(dataPath);
        if (options.PromptsFolder is not null) run.Provenance.SetPrompts(options.PromptsFolder);
        foreach (var model in options.Models) run.Provenance.AddModel(model);
        if (options.ModelSetId is not null) run.Provenance.Settings["model_set"] = options.ModelSetId;

        var candidates = new List<string>();
        var latencies = new List<double>();
        int malformedBoxes = 0, malformedObjects = 0;
        foreach (var pair in pairs)
        {
            var clock = Stopwatch.StartNew();
            var result = await draft(pair, cancellationToken).ConfigureAwait(false);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
            candidates.Add(ScoringText(string.Join(" ", result.Findings.Select(f => f.Text))));
            malformedBoxes += result.MalformedBoxes;
            malformedObjects += result.MalformedObjects;
            progress?.Report(candidates.Count);
        }

        var references = pairs.Select(p => p.Findings).ToList();
        var report = run.Report;
        report.AddMetric("pairs", pairs.Count, "image–report pairs drafted");
        report.AddTextMetrics(TextMetrics.Evaluate(candidates.Select((c, i) => new CaptionExample(c, references[i])).ToList()));

        var labeler = new ClassificationService(TaxonomyLibrary.LoadDefault());
        async Task<IReadOnlyDictionary<string, LabelValue>> Labels(string text) =>
            (await labeler.ClassifyAsync(new ClassificationRequest { Text = text, TaxonomyId = "chexpert14", Engine = ClassificationEngine.Rules, Language = "en" }, cancellationToken).ConfigureAwait(false)).Labels;
        var referenceLabels = new List<IReadOnlyDictionary<string, LabelValue>>();
        var candidateLabels = new List<IReadOnlyDictionary<string, LabelValue>>();
        for (var i = 0; i < pairs.Count; i++)
        {
            referenceLabels.Add(await Labels(references[i]).ConfigureAwait(false));
            // An empty draft mentions nothing (the labeler refuses empty text).
            candidateLabels.Add(candidates[i].Length == 0 ? new Dictionary<string, LabelValue>() : await Labels(candidates[i]).ConfigureAwait(false));
        }
        report.AddCheXpert(referenceLabels, candidateLabels, confusionMatrices: false);

        var extractor = new RuleBasedRadGraphExtractor();
        report.AddRadGraph(RadGraphF1.Compute(candidates.Select((c, i) => new RadGraphPair(extractor.Extract(c), extractor.Extract(references[i]))).ToList()));

        var judge = new RulesJudge(TaxonomyLibrary.LoadDefault().Get("chexpert14"));
        // An empty draft scores 0 (the judge refuses empty text; "both normal" would otherwise reward saying nothing).
        var scores = candidates.Select((c, i) => c.Length == 0 ? 0 : judge.Judge(c, references[i]).Score).ToList();
        report.AddMetric("rules_judge_score", scores.Average(), "model-free judge (RadGraph structures + labels): matched / (matched + errors), mean over pairs; an empty draft scores 0");
        report.AddMetric("malformed_boxes_per_report", malformedBoxes / (double)pairs.Count, "grounding boxes dropped as malformed, per report");
        report.AddMetric("malformed_objects_per_report", malformedObjects / (double)pairs.Count, "grounding objects dropped or repaired, per report");
        report.AddMetric("empty_drafts", candidates.Count(c => c.Length == 0), "drafts with no finding (scored as empty text)");
        LatencyStats.From(latencies).AddTo(report, "draft");
        report.AddHistogram("Drafting latency", latencies);
        report.AddTable("Drafts", ["id", "rules judge", "draft", "reference"],
            pairs.Select((p, i) => (IReadOnlyList<string>)[p.Id, scores[i].ToString("F3", CultureInfo.InvariantCulture), Shorten(candidates[i]), Shorten(p.Findings)]));
        for (var i = 0; i < pairs.Count; i++)
            report.AddItem(new { id = pairs[i].Id, candidate = candidates[i], reference = references[i], rules_judge_score = scores[i], ms = Math.Round(latencies[i], 1) });
        return run.Finish();
    }

    /// <summary>
    /// The draft as scored: control characters and U+FFFD (a tiny model's broken UTF-8) become spaces, so the labeler
    /// and the judge (which refuse binary-looking text) score the words the model did write; whitespace-only is empty.
    /// </summary>
    public static string ScoringText(string draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var chars = draft.Select(c => char.IsControl(c) || c == '\uFFFD' ? ' ' : c).ToArray();
        return string.Join(' ', new string(chars).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..157] + "...";
}
