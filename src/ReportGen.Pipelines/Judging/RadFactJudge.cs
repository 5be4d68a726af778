using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Judging;

/// <summary>One phrase's entailment verdict; <paramref name="Status"/> is null when the model failed or its answer was unreadable.</summary>
public sealed record PhraseVerdict(string Phrase, string? Status, IReadOnlyList<string> Evidence);

/// <summary>
/// RadFact logical scores: precision = entailed candidate phrases / judged candidate phrases, recall = entailed
/// reference phrases / judged reference phrases, F1 their harmonic mean. Failed phrases are counted in
/// <see cref="Failures"/> and left out of both numerator and denominator (not scored as "not entailed").
/// </summary>
public sealed record RadFactJudgement(
    double? LogicalPrecision, double? LogicalRecall, double? LogicalF1,
    IReadOnlyList<PhraseVerdict> CandidateVerdicts, IReadOnlyList<PhraseVerdict> ReferenceVerdicts, int Failures);

/// <summary>
/// RadFact through any <see cref="IChatClient"/>: both reports are split into one-finding phrases (sentences),
/// each phrase is checked against the other report with prompts/judge-radfact-entailment.yaml (constrained
/// {status, evidence}), in both directions.
/// </summary>
/// <param name="chat">The judge model.</param>
/// <param name="prompts">Where judge-radfact-entailment.yaml is found.</param>
/// <param name="maxOutputTokens">Overrides the prompt's max_tokens.</param>
public sealed class RadFactJudge(IChatClient chat, PromptLibrary prompts, int? maxOutputTokens = null)
{
    /// <summary>The prompt's name.</summary>
    public const string PromptName = "judge-radfact-entailment";

    /// <summary>Judges a candidate report against a reference in both directions.</summary>
    public async Task<RadFactJudgement> JudgeAsync(string candidate, string reference, CancellationToken cancellationToken)
    {
        var candPhrases = Phrases(candidate);
        var refPhrases = Phrases(reference);
        var forward = new List<PhraseVerdict>();
        foreach (var p in candPhrases) forward.Add(await VerifyAsync(p, refPhrases, cancellationToken).ConfigureAwait(false));
        var backward = new List<PhraseVerdict>();
        foreach (var p in refPhrases) backward.Add(await VerifyAsync(p, candPhrases, cancellationToken).ConfigureAwait(false));
        return Score(forward, backward);
    }

    /// <summary>RadFact arithmetic over verdicts (null scores when nothing could be judged on a side).</summary>
    public static RadFactJudgement Score(IReadOnlyList<PhraseVerdict> candidateVerdicts, IReadOnlyList<PhraseVerdict> referenceVerdicts)
    {
        static double? Fraction(IReadOnlyList<PhraseVerdict> v)
        {
            var judged = v.Where(x => x.Status is not null).ToList();
            return judged.Count == 0 ? null : judged.Count(x => x.Status == "entailment") / (double)judged.Count;
        }
        var p = Fraction(candidateVerdicts);
        var r = Fraction(referenceVerdicts);
        double? f1 = p is null || r is null ? null : p + r == 0 ? 0 : 2 * p * r / (p + r);
        var failures = candidateVerdicts.Concat(referenceVerdicts).Count(x => x.Status is null);
        return new RadFactJudgement(p, r, f1, candidateVerdicts, referenceVerdicts, failures);
    }

    /// <summary>One-finding phrases: the report's sentences.</summary>
    public static IReadOnlyList<string> Phrases(string report) =>
        [.. SentenceSplitter.Split(report).Select(s => s.Text.Trim()).Where(s => s.Any(char.IsLetter))];

    /// <summary>Reads <c>{"status", "evidence"}</c>; null status when unreadable.</summary>
    public static PhraseVerdict ParseVerdict(string phrase, string? response)
    {
        try
        {
            if (string.IsNullOrWhiteSpace(response)) return new(phrase, null, []);
            using var doc = JsonDocument.Parse(response);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var s) || s.GetString() is not ("entailment" or "contradiction" or "neutral"))
                return new(phrase, null, []);
            var evidence = root.TryGetProperty("evidence", out var e) && e.ValueKind == JsonValueKind.Array
                ? e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : [];
            return new(phrase, s.GetString(), evidence);
        }
        catch (JsonException)
        {
            return new(phrase, null, []);
        }
    }

    private async Task<PhraseVerdict> VerifyAsync(string phrase, IReadOnlyList<string> premise, CancellationToken cancellationToken)
    {
        var prompt = prompts[PromptName];
        var messages = prompt.Render(new Dictionary<string, object?> { ["phrase"] = phrase, ["premise"] = string.Join("\n", premise), ["examples"] = Array.Empty<object>() });
        var options = prompt.CreateChatOptions();
        if (maxOutputTokens is { } max) options.MaxOutputTokens = max;
        try
        {
            var response = await chat.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            return ParseVerdict(phrase, response.Text);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new(phrase, null, []);   // a model failure is counted, never scored as "not entailed"
        }
    }
}
