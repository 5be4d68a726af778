using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Judging;

/// <summary>One GREEN judgement from the JSON prompt (judge-green.yaml).</summary>
/// <param name="Parsed">False when the model's answer could not be read: no score then (never a silent 0).</param>
/// <param name="Score">matched / (matched + Σ significant), 0 when matched is 0; null when unparseable.</param>
/// <param name="Significant">Clinically significant error counts, categories a–f.</param>
/// <param name="Insignificant">Clinically insignificant error counts, a–f.</param>
/// <param name="MatchedFindings">Matched findings count.</param>
/// <param name="Problem">Why it is unparseable (no report text), else null.</param>
public sealed record GreenJudgement(bool Parsed, double? Score, IReadOnlyList<int> Significant, IReadOnlyList<int> Insignificant, int MatchedFindings, string? Problem);

/// <summary>
/// GREEN through any <see cref="IChatClient"/>: renders prompts/judge-green.yaml, asks for its JSON schema
/// (constrained output) and scores matched / (matched + significant errors).
/// </summary>
/// <param name="chat">The judge model.</param>
/// <param name="prompts">Where judge-green.yaml is found.</param>
/// <param name="maxOutputTokens">Overrides the prompt's max_tokens (small test models).</param>
public sealed class GreenJudge(IChatClient chat, PromptLibrary prompts, int? maxOutputTokens = null)
{
    /// <summary>The prompt's name.</summary>
    public const string PromptName = "judge-green";

    private static readonly string[] Categories = ["a", "b", "c", "d", "e", "f"];

    /// <summary>Judges one candidate against one reference.</summary>
    public async Task<GreenJudgement> JudgeAsync(string candidate, string reference, CancellationToken cancellationToken)
    {
        var prompt = prompts[PromptName];
        var messages = prompt.Render(new Dictionary<string, object?> { ["candidate"] = candidate, ["reference"] = reference });
        var options = prompt.CreateChatOptions();
        if (maxOutputTokens is { } max) options.MaxOutputTokens = max;
        ChatResponse response;
        try
        {
            response = await chat.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A model failure is not a judgement: report it as unparseable, never as a score.
            return Unparseable(new int[6], new int[6], $"the model call failed ({ex.GetType().Name})");
        }
        return Parse(response.Text);
    }

    /// <summary>Reads the model's JSON answer; anything unreadable is reported as unparseable.</summary>
    public static GreenJudgement Parse(string? response)
    {
        int[] sig = new int[6], insig = new int[6];
        if (string.IsNullOrWhiteSpace(response)) return Unparseable(sig, insig, "the response is empty");
        try
        {
            using var doc = JsonDocument.Parse(response);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Unparseable(sig, insig, "the response is not a JSON object");
            if (!root.TryGetProperty("clinically_significant_errors", out var s) || !Counts(s, sig))
                return Unparseable(sig, insig, "clinically_significant_errors is missing or malformed");
            if (root.TryGetProperty("clinically_insignificant_errors", out var i)) Counts(i, insig);
            if (!root.TryGetProperty("matched_findings", out var m) || !Count(m, out var matched))
                return Unparseable(sig, insig, "matched_findings is missing or malformed");
            double score = matched == 0 ? 0 : matched / (double)(matched + sig.Sum());
            return new GreenJudgement(true, score, sig, insig, matched, null);
        }
        catch (JsonException)
        {
            return Unparseable(sig, insig, "the response is not valid JSON");
        }
    }

    private static GreenJudgement Unparseable(int[] sig, int[] insig, string problem) => new(false, null, sig, insig, 0, problem);

    private static bool Counts(JsonElement byCategory, int[] into)
    {
        if (byCategory.ValueKind != JsonValueKind.Object) return false;
        for (var k = 0; k < 6; k++)
        {
            if (!byCategory.TryGetProperty(Categories[k], out var c) || !Count(c, out into[k])) return false;
        }
        return true;
    }

    private static bool Count(JsonElement element, out int count)
    {
        count = 0;
        return element.ValueKind == JsonValueKind.Object && element.TryGetProperty("count", out var c)
            && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out count) && count >= 0;
    }
}
