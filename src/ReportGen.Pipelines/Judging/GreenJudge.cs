using ReportGen.Core.Models;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Judging;

/// <summary>Which GREEN answer form the judge asks for and parses.</summary>
public enum GreenOutputFormat
{
    /// <summary>prompts/judge-green.yaml: GREEN's criteria answered as schema-constrained JSON (any instruction model).</summary>
    Json,
    /// <summary>prompts/judge-green-native.yaml: GREEN's own bracketed text sections (the fine-tuned GREEN models).</summary>
    Native,
}

/// <summary>One GREEN judgement, from either answer form.</summary>
/// <param name="Parsed">False when the answer could not be read or the call failed: no score then (never a silent 0).</param>
/// <param name="Score">matched / (matched + Σ significant), 0 when matched is 0; null when not parsed.</param>
/// <param name="Significant">Clinically significant error counts, categories (a)–(f).</param>
/// <param name="Insignificant">Clinically insignificant error counts, (a)–(f).</param>
/// <param name="MatchedFindings">Matched findings count.</param>
/// <param name="Problem">Why it is unparseable or failed (never report text), else null.</param>
public sealed record GreenJudgement(bool Parsed, double? Score, IReadOnlyList<int> Significant, IReadOnlyList<int> Insignificant, int MatchedFindings, string? Problem)
{
    /// <summary><see cref="JudgeStatus"/>: parsed, unparseable (the model answered unreadably), truncated (cut off at the token limit) or failed (the call failed).</summary>
    public string Status { get; init; } = Parsed ? JudgeStatus.Parsed : JudgeStatus.Unparseable;

    /// <summary>Σ significant errors; null when not parsed.</summary>
    public int? SignificantTotal => Parsed ? Significant.Sum() : null;

    /// <summary>Σ insignificant errors; null when not parsed.</summary>
    public int? InsignificantTotal => Parsed ? Insignificant.Sum() : null;
}

/// <summary>
/// GREEN (Ostmeier et al. 2024) through any <see cref="IChatClient"/>. <see cref="GreenOutputFormat.Json"/> renders
/// prompts/judge-green.yaml and asks for its JSON schema (constrained output); <see cref="GreenOutputFormat.Native"/>
/// renders prompts/judge-green-native.yaml and reads GREEN's bracketed sections with <see cref="ParseNative"/>, the
/// one GREEN-text parser of the repository (the eval metrics use it too). Score = matched / (matched + significant errors).
/// </summary>
/// <param name="chat">The judge model.</param>
/// <param name="prompts">Where the prompt files are found.</param>
/// <param name="maxOutputTokens">Overrides the prompt's max_tokens (small test models).</param>
/// <param name="format">Which prompt and answer form to use.</param>
/// <param name="logger">Where a failed model call is logged (<see cref="PipelineFailures"/>).</param>
public sealed partial class GreenJudge(IChatClient chat, PromptLibrary prompts, int? maxOutputTokens = null, GreenOutputFormat format = GreenOutputFormat.Json, ILogger? logger = null)
{
    /// <summary>The JSON prompt's name.</summary>
    public const string PromptName = "judge-green";

    /// <summary>The native (bracketed text) prompt's name.</summary>
    public const string NativePromptName = "judge-green-native";

    /// <summary>Native section title: significant errors.</summary>
    public const string SignificantSection = "Clinically Significant Errors";
    /// <summary>Native section title: insignificant errors.</summary>
    public const string InsignificantSection = "Clinically Insignificant Errors";
    /// <summary>Native section title: matched findings.</summary>
    public const string MatchedSection = "Matched Findings";

    private static readonly string[] Categories = ["a", "b", "c", "d", "e", "f"];

    /// <summary>The answer form this judge uses.</summary>
    public GreenOutputFormat Format => format;

    /// <summary>The prompt this judge renders.</summary>
    public string Prompt => format == GreenOutputFormat.Native ? NativePromptName : PromptName;

    /// <summary>Judges one candidate against one reference.</summary>
    public async Task<GreenJudgement> JudgeAsync(string candidate, string reference, CancellationToken cancellationToken)
    {
        var prompt = prompts[Prompt];
        var messages = prompt.Render(new Dictionary<string, object?> { ["candidate"] = candidate, ["reference"] = reference });
        var options = prompt.CreateChatOptions();
        if (maxOutputTokens is { } max) options.MaxOutputTokens = max;
        ChatResponse response;
        try
        {
            response = await chat.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ModelCallException.IsCallFailure(ex))
        {
            // A model failure is not a judgement: no score, status "failed"; the log keeps what went wrong.
            PipelineFailures.Record(logger, "judge-green", ex, candidate, reference);
            return new GreenJudgement(false, null, new int[6], new int[6], 0, $"the model call failed ({ex.GetType().Name})") { Status = JudgeStatus.Failed };
        }
        if (ModelAnswer.IsCutOff(response))
            return new GreenJudgement(false, null, new int[6], new int[6], 0, "the answer was cut off at the token limit") { Status = JudgeStatus.Truncated };
        return format == GreenOutputFormat.Native ? ParseNative(response.Text ?? "") : Parse(response.Text);
    }

    /// <summary>Reads the JSON prompt's answer; anything unreadable is reported as unparseable.</summary>
    public static GreenJudgement Parse(string? response)
    {
        int[] sig = new int[6], insig = new int[6];
        if (string.IsNullOrWhiteSpace(response)) return Unparseable(sig, insig, 0, "the response is empty");
        try
        {
            using var doc = JsonDocument.Parse(response);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Unparseable(sig, insig, 0, "the response is not a JSON object");
            if (!root.TryGetProperty("clinically_significant_errors", out var s) || !Counts(s, sig))
                return Unparseable(sig, insig, 0, "clinically_significant_errors is missing or malformed");
            if (root.TryGetProperty("clinically_insignificant_errors", out var i)) Counts(i, insig);
            if (!root.TryGetProperty("matched_findings", out var m) || !Count(m, out var matched))
                return Unparseable(sig, insig, 0, "matched_findings is missing or malformed");
            return Scored(sig, insig, matched);
        }
        catch (JsonException)
        {
            return Unparseable(sig, insig, 0, "the response is not valid JSON");
        }
    }

    /// <summary>
    /// Reads GREEN's native answer (Stanford-AIMI/GREEN green_score/green.py, parse_error_counts and compute_green,
    /// with the same regular expressions): a section is the text after <c>[Category]:</c> up to the first blank line;
    /// a section starting with "No" counts zero; sub-category lines <c>(a) ...: N.</c> (or the GPT-4 template's
    /// <c>(1)</c>–<c>(6)</c>) give the counts; the matched findings are the leading <c>N.</c>. Unlike the reference
    /// (which counts a missing section as 0), an answer without the [Clinically Significant Errors] or
    /// [Matched Findings] section is unparseable with no score.
    /// </summary>
    public static GreenJudgement ParseNative(string response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = CleanNative(response);
        var significant = NativeErrors(text, SignificantSection);
        var insignificant = NativeErrors(text, InsignificantSection);
        var matched = NativeMatched(text);
        if (matched is null || significant is null)
        {
            var missing = matched is null ? MatchedSection : SignificantSection;
            return Unparseable(significant ?? new int[6], insignificant ?? new int[6], matched ?? 0, $"the [{missing}] section is missing");
        }
        return Scored(significant, insignificant ?? new int[6], matched.Value);
    }

    /// <summary>GREEN's clean_responses: keep what follows the last <c>&lt;|assistant|&gt;</c>, drop <c>&lt;/s&gt;</c> and <c>&lt;unk&gt;</c>.</summary>
    public static string CleanNative(string response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var marker = response.LastIndexOf("<|assistant|>", StringComparison.Ordinal);
        if (marker >= 0) response = response[(marker + "<|assistant|>".Length)..];
        return response.Replace("</s>", "", StringComparison.Ordinal).Replace("<unk>", "", StringComparison.Ordinal);
    }

    /// <summary>GREEN = matched / (matched + Σ significant), 0 when matched is 0.</summary>
    public static double Score(int matched, IReadOnlyList<int> significant)
    {
        ArgumentNullException.ThrowIfNull(significant);
        return matched == 0 ? 0 : matched / (double)(matched + significant.Sum());
    }

    private static GreenJudgement Scored(int[] sig, int[] insig, int matched) => new(true, Score(matched, sig), sig, insig, matched, null);

    private static GreenJudgement Unparseable(int[] sig, int[] insig, int matched, string problem) => new(false, null, sig, insig, matched, problem);

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

    private static string? NativeSection(string text, string category)
    {
        // Python: \[category\]:\s*(.*?)(?:\n\s*\n|\Z) with DOTALL; .NET's \z is Python's \Z.
        var match = Regex.Match(text, @"\[" + Regex.Escape(category) + @"\]:\s*(.*?)(?:\n\s*\n|\z)", RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        return match.Success ? match.Groups[1].Value : null;
    }

    private static int? NativeMatched(string text)
    {
        var section = NativeSection(text, MatchedSection);
        if (section is null) return null;
        if (section.StartsWith("No", StringComparison.Ordinal)) return 0;
        var count = LeadingCount().Match(section);
        return count.Success && int.TryParse(count.Value, out var n) ? n : 0;
    }

    private static int[]? NativeErrors(string text, string category)
    {
        var section = NativeSection(text, category);
        if (section is null) return null;
        var counts = new int[6];
        if (section.StartsWith("No", StringComparison.Ordinal)) return counts;

        var lines = LetterLine().Matches(section).Select(m => m.Value).ToList();
        var prefixes = new[] { "(a) ", "(b) ", "(c) ", "(d) ", "(e) ", "(f) " };
        if (lines.Count == 0)
        {
            lines = NumberLine().Matches(section).Select(m => m.Value).ToList();
            prefixes = ["(1) ", "(2) ", "(3) ", "(4) ", "(5) ", "(6) "];
        }
        lines.Sort(StringComparer.Ordinal);   // GREEN sorts; the last line with a prefix wins
        for (var k = 0; k < 6; k++)
        {
            foreach (var line in lines)
            {
                if (!line.StartsWith(prefixes[k], StringComparison.Ordinal)) continue;
                var count = CountAfterColon().Match(line);
                if (count.Success && int.TryParse(count.Value, out var n)) counts[k] = n;
            }
        }
        return counts;
    }

    [GeneratedRegex(@"^\b\d+\b(?=\.)")]
    private static partial Regex LeadingCount();

    [GeneratedRegex(@"\([a-f]\) .*")]
    private static partial Regex LetterLine();

    [GeneratedRegex(@"\([1-6]\) .*")]
    private static partial Regex NumberLine();

    [GeneratedRegex(@"(?<=: )\b\d+\b(?=\.)")]
    private static partial Regex CountAfterColon();
}
