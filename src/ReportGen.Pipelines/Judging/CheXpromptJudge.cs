using ReportGen.Core.Models;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Judging;

/// <summary>One CheXprompt judgement: A–F error counts, significant and insignificant.</summary>
/// <param name="Parsed">False when the answer could not be read or the call failed (counts are then zero and meaningless).</param>
/// <param name="Significant">Clinically significant counts A–F.</param>
/// <param name="Insignificant">Clinically insignificant counts A–F.</param>
/// <param name="Problem">Why it is unparseable, else null.</param>
public sealed record CheXpromptJudgement(bool Parsed, IReadOnlyList<int> Significant, IReadOnlyList<int> Insignificant, string? Problem)
{
    /// <summary><see cref="JudgeStatus"/>: parsed, unparseable (the model answered unreadably) or failed (the call failed).</summary>
    public string Status { get; init; } = Parsed ? JudgeStatus.Parsed : JudgeStatus.Unparseable;

    /// <summary>Σ significant errors (CheXprompt's headline number; lower is better); null when not parsed.</summary>
    public int? SignificantTotal => Parsed ? Significant.Sum() : null;

    /// <summary>Σ insignificant errors; null when not parsed.</summary>
    public int? InsignificantTotal => Parsed ? Insignificant.Sum() : null;
}

/// <summary>
/// CheXprompt through any <see cref="IChatClient"/> with prompts/judge-chexprompt.yaml (constrained JSON, read by
/// <see cref="Parse"/>); <see cref="ParseNative"/> reads the reference evaluator's tuple text (the eval metrics use it).
/// </summary>
/// <param name="chat">The judge model.</param>
/// <param name="prompts">Where judge-chexprompt.yaml is found.</param>
/// <param name="maxOutputTokens">Overrides the prompt's max_tokens.</param>
/// <param name="logger">Where a failed model call is logged (<see cref="PipelineFailures"/>).</param>
public sealed class CheXpromptJudge(IChatClient chat, PromptLibrary prompts, int? maxOutputTokens = null, ILogger? logger = null)
{
    /// <summary>The prompt's name.</summary>
    public const string PromptName = "judge-chexprompt";

    private static readonly string[] Keys = ["A", "B", "C", "D", "E", "F"];

    /// <summary>Judges one candidate against one reference.</summary>
    public async Task<CheXpromptJudgement> JudgeAsync(string candidate, string reference, CancellationToken cancellationToken)
    {
        var prompt = prompts[PromptName];
        var messages = prompt.Render(new Dictionary<string, object?> { ["candidate"] = candidate, ["reference"] = reference, ["examples"] = Array.Empty<object>() });
        var options = prompt.CreateChatOptions();
        if (maxOutputTokens is { } max) options.MaxOutputTokens = max;
        try
        {
            var response = await chat.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            if (ModelAnswer.IsCutOff(response))
                return new CheXpromptJudgement(false, new int[6], new int[6], "the answer was cut off at the token limit") { Status = JudgeStatus.Truncated };
            return Parse(response.Text);
        }
        catch (Exception ex) when (ModelCallException.IsCallFailure(ex))
        {
            PipelineFailures.Record(logger, "judge-chexprompt", ex, candidate, reference);
            return new CheXpromptJudgement(false, new int[6], new int[6], $"the model call failed ({ex.GetType().Name})") { Status = JudgeStatus.Failed };
        }
    }

    /// <summary>Reads <c>{"clinically_significant": {A..F}, "clinically_insignificant": {A..F}}</c>.</summary>
    public static CheXpromptJudgement Parse(string? response)
    {
        int[] sig = new int[6], insig = new int[6];
        try
        {
            if (string.IsNullOrWhiteSpace(response)) return new(false, sig, insig, "the response is empty");
            using var doc = JsonDocument.Parse(response);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("clinically_significant", out var s) || !Counts(s, sig)
                || !root.TryGetProperty("clinically_insignificant", out var i) || !Counts(i, insig))
                return new(false, new int[6], new int[6], "the A–F counts are missing or malformed");
            return new(true, sig, insig, null);
        }
        catch (JsonException)
        {
            return new(false, new int[6], new int[6], "the response is not valid JSON");
        }
    }

    private const string SignificantHeader = "Number of clinically significant errors by type:";
    private const string InsignificantHeader = "Number of clinically insignificant errors by type:";

    /// <summary>
    /// Reads CheXprompt's native rating text (microsoft/chexprompt src/chexprompt/eval_utils.py: is_valid_rating_text,
    /// parse_rating_text, parse_completion_tuples_to_dict): <c>Number of clinically significant errors by type: ((A, 1),
    /// (B, 0), ...)</c> and the same line for insignificant errors; text after "Explanation" is ignored. A rating missing
    /// either line, or whose tuples do not parse as integers, is unparseable (the reference returns None for it).
    /// </summary>
    public static CheXpromptJudgement ParseNative(string rating)
    {
        ArgumentNullException.ThrowIfNull(rating);
        if (rating.Trim().Length == 0 || !rating.Contains(SignificantHeader, StringComparison.Ordinal) || !rating.Contains(InsignificantHeader, StringComparison.Ordinal))
            return new(false, new int[6], new int[6], "the significant/insignificant error lines are missing");
        foreach (var prefix in new[] { "Explanation", "Explanation of errors:" })
        {
            var at = rating.IndexOf(prefix, StringComparison.Ordinal);
            if (at >= 0)
            {
                rating = rating[..at];
                break;
            }
        }
        var split = rating.Split("\n" + InsignificantHeader);
        var significant = Tuples(split[0].Split(SignificantHeader + " ")[^1].Trim());
        var insignificant = Tuples(split[^1].Trim());
        if (significant is null || insignificant is null) return new(false, new int[6], new int[6], "an error-count tuple did not parse");
        return new(true, significant, insignificant, null);
    }

    // "((A, 1), (B, 0), ...)" -> counts by letter; a letter outside A–F or a non-integer count fails.
    private static int[]? Tuples(string text)
    {
        var cleaned = text.Replace("),", "::", StringComparison.Ordinal)
            .Replace("(", "", StringComparison.Ordinal).Replace(")", "", StringComparison.Ordinal)
            .Replace("[", "", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal);
        var counts = new int[6];
        foreach (var pair in cleaned.Split("::"))
        {
            var parts = pair.Trim().Split(',');
            if (parts.Length < 2) return null;
            var key = parts[0].Trim();
            if (!int.TryParse(parts[1].Trim(), out var n)) return null;
            var index = key.Length == 1 ? key[0] - 'A' : -1;
            if (index is < 0 or > 5) return null;
            counts[index] = n;
        }
        return counts;
    }

    private static bool Counts(JsonElement e, int[] into)
    {
        if (e.ValueKind != JsonValueKind.Object) return false;
        for (var k = 0; k < 6; k++)
            if (!e.TryGetProperty(Keys[k], out var c) || c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out into[k]) || into[k] < 0) return false;
        return true;
    }
}
