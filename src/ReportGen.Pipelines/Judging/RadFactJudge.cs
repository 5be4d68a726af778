using ReportGen.Core.Models;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Judging;

/// <summary>One phrase's entailment verdict against the other report.</summary>
/// <param name="Phrase">The phrase (hypothesis).</param>
/// <param name="Status">"entailment", "contradiction" or "neutral"; null when the call failed or its answer was unreadable.</param>
/// <param name="Evidence">The other report's phrases the model cited (as it wrote them).</param>
public sealed record PhraseVerdict(string Phrase, string? Status, IReadOnlyList<string> Evidence)
{
    /// <summary>The phrase's boxes (normalised); null for a phrase without grounding.</summary>
    public IReadOnlyList<NormalizedBox>? Boxes { get; init; }

    /// <summary>Why there is no status: <see cref="JudgeStatus.Unparseable"/>, <see cref="JudgeStatus.Truncated"/> or <see cref="JudgeStatus.Failed"/>; null when judged.</summary>
    public string? Failure { get; init; }

    /// <summary>
    /// RadFact's spatial entailment of a boxed phrase: entailed and its boxes' pixel precision against the union of
    /// its evidence's boxes (224x224 mask) &gt; 0.5; null for a phrase without boxes or without a verdict.
    /// </summary>
    public bool? SpatiallyEntailed { get; init; }
}

/// <summary>
/// RadFact scores of one candidate/reference pair (microsoft/RadFact radfact.py, per sample): logical precision =
/// entailed candidate phrases / judged candidate phrases, logical recall = entailed reference phrases / judged
/// reference phrases; for boxed phrases grounding precision/recall = spatially entailed / entailed boxed phrases and
/// spatial precision/recall = spatially entailed / boxed phrases. F1s are 2PR/(P+R). A score is null when undefined
/// (nothing judged on that side, no boxed phrases). Phrases without a verdict are counted in <see cref="Failures"/>
/// (split into <see cref="UnparseableVerdicts"/> and <see cref="FailedCalls"/>) and left out of numerators and
/// denominators: never scored as "not entailed".
/// </summary>
public sealed record RadFactJudgement(
    double? LogicalPrecision, double? LogicalRecall, double? LogicalF1,
    IReadOnlyList<PhraseVerdict> CandidateVerdicts, IReadOnlyList<PhraseVerdict> ReferenceVerdicts, int Failures)
{
    /// <summary>Spatially entailed / entailed boxed candidate phrases.</summary>
    public double? GroundingPrecision { get; init; }
    /// <summary>Spatially entailed / entailed boxed reference phrases.</summary>
    public double? GroundingRecall { get; init; }
    /// <summary>2PR/(P+R) of the grounding scores.</summary>
    public double? GroundingF1 { get; init; }
    /// <summary>Spatially entailed / all boxed candidate phrases.</summary>
    public double? SpatialPrecision { get; init; }
    /// <summary>Spatially entailed / all boxed reference phrases.</summary>
    public double? SpatialRecall { get; init; }
    /// <summary>2PR/(P+R) of the spatial scores.</summary>
    public double? SpatialF1 { get; init; }
    /// <summary>Judged candidate phrases with boxes.</summary>
    public int CandidatePhrasesWithBoxes { get; init; }
    /// <summary>Judged reference phrases with boxes.</summary>
    public int ReferencePhrasesWithBoxes { get; init; }
    /// <summary>Entailment calls whose answer could not be read.</summary>
    public int UnparseableVerdicts { get; init; }
    /// <summary>Entailment calls that failed (exception, transport).</summary>
    public int FailedCalls { get; init; }
    /// <summary>Entailment answers cut off at the token limit (not read).</summary>
    public int TruncatedVerdicts { get; init; }
}

/// <summary>
/// RadFact through any <see cref="IChatClient"/>: each candidate phrase is checked against the reference phrases and
/// each reference phrase against the candidate phrases with prompts/judge-radfact-entailment.yaml (constrained
/// {status, evidence}); cited evidence is resolved to the premise's phrases (and their boxes) as RadFact does; the
/// scores are <see cref="RadFactScoring"/>'s arithmetic (the one implementation, shared with the eval metric).
/// Free text is split into one-finding phrases by <see cref="RadFactPhrases"/>; grounded findings are phrases as given.
/// </summary>
/// <param name="chat">The judge model.</param>
/// <param name="prompts">Where judge-radfact-entailment.yaml is found.</param>
/// <param name="maxOutputTokens">Overrides the prompt's max_tokens.</param>
/// <param name="logger">Where a failed model call is logged (<see cref="PipelineFailures"/>).</param>
public sealed class RadFactJudge(IChatClient chat, PromptLibrary prompts, int? maxOutputTokens = null, ILogger? logger = null)
{
    /// <summary>The prompt's name.</summary>
    public const string PromptName = "judge-radfact-entailment";

    private static readonly string[] Statuses = ["entailment", "contradiction", "neutral"];

    /// <summary>Judges a free-text candidate against a free-text reference in both directions.</summary>
    public Task<RadFactJudgement> JudgeAsync(string candidate, string reference, CancellationToken cancellationToken) =>
        JudgeAsync(ToPhrases(candidate), ToPhrases(reference), cancellationToken);

    /// <summary>Judges two reports read by <see cref="GroundedReport.Read"/> (grounded findings or free text).</summary>
    public Task<RadFactJudgement> JudgeAsync(GroundedReport candidate, GroundedReport reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(reference);
        return JudgeAsync(ToPhrases(candidate), ToPhrases(reference), cancellationToken);
    }

    /// <summary>Judges phrase lists (with optional boxes) in both directions.</summary>
    public async Task<RadFactJudgement> JudgeAsync(IReadOnlyList<GroundedPhrase> candidate, IReadOnlyList<GroundedPhrase> reference, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(reference);
        var forward = new List<PhraseVerdict>();
        foreach (var p in candidate) forward.Add(await VerifyAsync(p, reference, cancellationToken).ConfigureAwait(false));
        var backward = new List<PhraseVerdict>();
        foreach (var p in reference) backward.Add(await VerifyAsync(p, candidate, cancellationToken).ConfigureAwait(false));
        return Score(forward, backward);
    }

    /// <summary>
    /// RadFact arithmetic over verdicts (<see cref="RadFactScoring.Score"/> on the judged phrases): a candidate verdict's
    /// evidence is resolved against the reference verdicts' phrases and boxes, and the other way round.
    /// </summary>
    public static RadFactJudgement Score(IReadOnlyList<PhraseVerdict> candidateVerdicts, IReadOnlyList<PhraseVerdict> referenceVerdicts)
    {
        ArgumentNullException.ThrowIfNull(candidateVerdicts);
        ArgumentNullException.ThrowIfNull(referenceVerdicts);
        var candidatePremises = candidateVerdicts.Select(v => new EvidencePhrase(v.Phrase, v.Boxes)).ToArray();
        var referencePremises = referenceVerdicts.Select(v => new EvidencePhrase(v.Phrase, v.Boxes)).ToArray();
        var (candidateOut, candidateEvidenced) = Evidence(candidateVerdicts, referencePremises);
        var (referenceOut, referenceEvidenced) = Evidence(referenceVerdicts, candidatePremises);
        var s = RadFactScoring.Score(candidateEvidenced, referenceEvidenced);
        var all = candidateVerdicts.Concat(referenceVerdicts).ToArray();
        var failed = all.Count(v => v.Status is null && v.Failure == JudgeStatus.Failed);
        var truncated = all.Count(v => v.Status is null && v.Failure == JudgeStatus.Truncated);
        var failures = all.Count(v => v.Status is null);
        return new RadFactJudgement(RadFactScoring.OrNull(s.LogicalPrecision), RadFactScoring.OrNull(s.LogicalRecall), RadFactScoring.OrNull(s.LogicalF1), candidateOut, referenceOut, failures)
        {
            GroundingPrecision = RadFactScoring.OrNull(s.GroundingPrecision),
            GroundingRecall = RadFactScoring.OrNull(s.GroundingRecall),
            GroundingF1 = RadFactScoring.OrNull(s.GroundingF1),
            SpatialPrecision = RadFactScoring.OrNull(s.SpatialPrecision),
            SpatialRecall = RadFactScoring.OrNull(s.SpatialRecall),
            SpatialF1 = RadFactScoring.OrNull(s.SpatialF1),
            CandidatePhrasesWithBoxes = (int)s.NumCandidatePhrasesWithBoxes,
            ReferencePhrasesWithBoxes = (int)s.NumReferencePhrasesWithBoxes,
            UnparseableVerdicts = failures - failed - truncated,
            FailedCalls = failed,
            TruncatedVerdicts = truncated,
        };
    }

    /// <summary>One-finding phrases of a free-text report (<see cref="RadFactPhrases.Split"/>).</summary>
    public static IReadOnlyList<string> Phrases(string report) => RadFactPhrases.Split(report);

    /// <summary>Reads <c>{"status", "evidence"}</c>; null status and <see cref="JudgeStatus.Unparseable"/> when unreadable.</summary>
    public static PhraseVerdict ParseVerdict(string phrase, string? response)
    {
        var unparseable = new PhraseVerdict(phrase, null, []) { Failure = JudgeStatus.Unparseable };
        try
        {
            if (string.IsNullOrWhiteSpace(response)) return unparseable;
            using var doc = JsonDocument.Parse(response);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var s) || s.ValueKind != JsonValueKind.String
                || !Statuses.Contains(s.GetString(), StringComparer.Ordinal))
                return unparseable;
            var evidence = root.TryGetProperty("evidence", out var e) && e.ValueKind == JsonValueKind.Array
                ? e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : [];
            return new(phrase, s.GetString(), evidence);
        }
        catch (JsonException)
        {
            return unparseable;
        }
    }

    private static IReadOnlyList<GroundedPhrase> ToPhrases(string report) => [.. Phrases(report).Select(p => new GroundedPhrase(p))];

    private static IReadOnlyList<GroundedPhrase> ToPhrases(GroundedReport report) => report.IsGrounded ? report.Phrases : ToPhrases(report.Text);

    private static (IReadOnlyList<PhraseVerdict> Verdicts, IReadOnlyList<EvidencedPhrase> Judged) Evidence(IReadOnlyList<PhraseVerdict> verdicts, IReadOnlyList<EvidencePhrase> premises)
    {
        var output = new List<PhraseVerdict>(verdicts.Count);
        var judged = new List<EvidencedPhrase>(verdicts.Count);
        foreach (var v in verdicts)
        {
            if (v.Status is null)
            {
                output.Add(v with { SpatiallyEntailed = null, Failure = v.Failure ?? JudgeStatus.Unparseable });
                continue;
            }
            var boxes = v.Boxes is { Count: > 0 } ? v.Boxes : null;
            var evidence = v.Evidence.Select(e => RadFactScoring.FindEvidence(e, premises)).OfType<EvidencePhrase>().ToArray();
            var phrase = new EvidencedPhrase(v.Phrase, v.Status, boxes, evidence);
            judged.Add(phrase);
            var spatial = RadFactScoring.SpatialStatus(phrase);
            output.Add(v with { SpatiallyEntailed = spatial == SpatialEntailmentStatus.NoBoxes ? null : spatial == SpatialEntailmentStatus.SpatialEntailment });
        }
        return (output, judged);
    }


    private async Task<PhraseVerdict> VerifyAsync(GroundedPhrase phrase, IReadOnlyList<GroundedPhrase> premise, CancellationToken cancellationToken)
    {
        var prompt = prompts[PromptName];
        var messages = prompt.Render(new Dictionary<string, object?>
        {
            ["phrase"] = phrase.Text,
            ["premise"] = string.Join("\n", premise.Select(p => p.Text)),
            ["examples"] = Array.Empty<object>(),
        });
        var options = prompt.CreateChatOptions();
        if (maxOutputTokens is { } max) options.MaxOutputTokens = max;
        try
        {
            var response = await chat.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            if (ModelAnswer.IsCutOff(response)) return new PhraseVerdict(phrase.Text, null, []) { Boxes = phrase.Boxes, Failure = JudgeStatus.Truncated };
            return ParseVerdict(phrase.Text, response.Text) with { Boxes = phrase.Boxes };
        }
        catch (Exception ex) when (ModelCallException.IsCallFailure(ex))
        {
            // A model failure is counted, never scored as "not entailed"; the log keeps what went wrong.
            PipelineFailures.Record(logger, "judge-radfact", ex, [phrase.Text, .. premise.Select(p => p.Text)]);
            return new PhraseVerdict(phrase.Text, null, []) { Boxes = phrase.Boxes, Failure = JudgeStatus.Failed };
        }
    }
}
