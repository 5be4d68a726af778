using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Judging;

/// <summary>One CheXprompt judgement: A–F error counts, significant and insignificant.</summary>
/// <param name="Parsed">False when the answer could not be read (counts are then zero and meaningless).</param>
/// <param name="Significant">Clinically significant counts A–F.</param>
/// <param name="Insignificant">Clinically insignificant counts A–F.</param>
/// <param name="Problem">Why it is unparseable, else null.</param>
public sealed record CheXpromptJudgement(bool Parsed, IReadOnlyList<int> Significant, IReadOnlyList<int> Insignificant, string? Problem)
{
    /// <summary>Σ significant errors (CheXprompt's headline number; lower is better); null when unparseable.</summary>
    public int? SignificantTotal => Parsed ? Significant.Sum() : null;
}

/// <summary>CheXprompt through any <see cref="IChatClient"/> with prompts/judge-chexprompt.yaml (constrained JSON).</summary>
/// <param name="chat">The judge model.</param>
/// <param name="prompts">Where judge-chexprompt.yaml is found.</param>
/// <param name="maxOutputTokens">Overrides the prompt's max_tokens.</param>
public sealed class CheXpromptJudge(IChatClient chat, PromptLibrary prompts, int? maxOutputTokens = null)
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
            return Parse(response.Text);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new CheXpromptJudgement(false, new int[6], new int[6], $"the model call failed ({ex.GetType().Name})");
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

    private static bool Counts(JsonElement e, int[] into)
    {
        if (e.ValueKind != JsonValueKind.Object) return false;
        for (var k = 0; k < 6; k++)
            if (!e.TryGetProperty(Keys[k], out var c) || c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out into[k]) || into[k] < 0) return false;
        return true;
    }
}
