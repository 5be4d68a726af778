using System.Text.RegularExpressions;

namespace ReportGen.Eval.Metrics.Judging;

/// <summary>The six error kinds shared by GREEN and CheXprompt, (a)–(f) / A–F.</summary>
public enum ReportErrorKind
{
    /// <summary>(a) False report of a finding in the candidate.</summary>
    FalseFinding,
    /// <summary>(b) Missing a finding present in the reference.</summary>
    MissedFinding,
    /// <summary>(c) Misidentification of a finding's anatomic location/position.</summary>
    WrongLocation,
    /// <summary>(d) Misassessment of the severity of a finding.</summary>
    WrongSeverity,
    /// <summary>(e) Mentioning a comparison that isn't in the reference.</summary>
    ExtraComparison,
    /// <summary>(f) Omitting a comparison detailing a change from a prior study.</summary>
    OmittedComparison,
}

/// <summary>Names for the error kinds as GREEN prints them and as results.json keys.</summary>
public static class ReportErrorKinds
{
    /// <summary>GREEN's sub-category titles, in (a)–(f) order.</summary>
    public static readonly IReadOnlyList<string> GreenTitles =
    [
        "(a) False report of a finding in the candidate",
        "(b) Missing a finding present in the reference",
        "(c) Misidentification of a finding's anatomic location/position",
        "(d) Misassessment of the severity of a finding",
        "(e) Mentioning a comparison that isn't in the reference",
        "(f) Omitting a comparison detailing a change from a prior study",
    ];

    /// <summary>CheXprompt's keys (chexprompt/eval_utils.py ERROR_TYPE_MAP), in A–F order.</summary>
    public static readonly IReadOnlyList<string> CheXpromptKeys =
        ["false_positive_finding", "omission_finding", "incorrect_location", "incorrect_severity", "false_positive_comparison", "omission_comparison"];

    /// <summary>The CheXprompt key of a kind (also used as the results.json name).</summary>
    public static string Key(this ReportErrorKind kind) => CheXpromptKeys[(int)kind];
}

/// <summary>Whether a judge's output could be scored.</summary>
public enum JudgeParseStatus
{
    /// <summary>All required sections were found.</summary>
    Parsed,
    /// <summary>A required section is missing: the item has no score (never a silent 0).</summary>
    Unparseable,
}

/// <summary>One GREEN evaluation parsed.</summary>
/// <param name="Status">Parsed or unparseable.</param>
/// <param name="Score">matched / (matched + Σ significant), 0 when matched is 0; null when unparseable.</param>
/// <param name="Significant">Clinically significant error counts, (a)–(f).</param>
/// <param name="Insignificant">Clinically insignificant error counts, (a)–(f).</param>
/// <param name="MatchedFindings">The matched-findings count.</param>
/// <param name="Problem">Why it is unparseable (no report text), else null.</param>
public sealed record GreenResult(
    JudgeParseStatus Status,
    double? Score,
    IReadOnlyList<int> Significant,
    IReadOnlyList<int> Insignificant,
    int MatchedFindings,
    string? Problem)
{
    /// <summary>Σ significant errors.</summary>
    public int SignificantTotal => Significant.Sum();
    /// <summary>Σ insignificant errors.</summary>
    public int InsignificantTotal => Insignificant.Sum();
}

/// <summary>
/// Parses GREEN's output (Stanford-AIMI/GREEN green_score/green.py, parse_error_counts and compute_green)
/// with the same regular expressions: a section is the text after <c>[Category]:</c> up to the first blank
/// line; a section starting with "No" counts zero; sub-category lines <c>(a) ...: N.</c> (or the GPT-4
/// template's <c>(1)</c>–<c>(6)</c>) give the counts; the matched findings are the leading <c>N.</c>.
/// GREEN = matched / (matched + Σ significant errors), 0 when matched = 0.
/// Unlike the reference (which counts a missing section as 0), a response without the
/// "[Clinically Significant Errors]" or "[Matched Findings]" section is reported as unparseable with no score.
/// </summary>
public static partial class GreenScore
{
    /// <summary>The three section titles.</summary>
    public const string SignificantSection = "Clinically Significant Errors";
    /// <summary>Insignificant errors section.</summary>
    public const string InsignificantSection = "Clinically Insignificant Errors";
    /// <summary>Matched findings section.</summary>
    public const string MatchedSection = "Matched Findings";

    /// <summary>Parses one GREEN response (after GREEN's clean_responses: chat markers stripped).</summary>
    public static GreenResult Parse(string response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = Clean(response);
        var significant = ParseErrors(text, SignificantSection);
        var insignificant = ParseErrors(text, InsignificantSection);
        var matched = ParseMatched(text);

        if (matched is null || significant is null)
        {
            var missing = matched is null ? MatchedSection : SignificantSection;
            return new GreenResult(JudgeParseStatus.Unparseable, null, significant ?? new int[6], insignificant ?? new int[6], matched ?? 0,
                $"the [{missing}] section is missing");
        }
        double score = matched.Value == 0 ? 0 : matched.Value / (double)(matched.Value + significant.Sum());
        return new GreenResult(JudgeParseStatus.Parsed, score, significant, insignificant ?? new int[6], matched.Value, null);
    }

    /// <summary>GREEN's clean_responses: keep what follows the last <c>&lt;|assistant|&gt;</c>, drop <c>&lt;/s&gt;</c> and <c>&lt;unk&gt;</c>.</summary>
    public static string Clean(string response)
    {
        var marker = response.LastIndexOf("<|assistant|>", StringComparison.Ordinal);
        if (marker >= 0) response = response[(marker + "<|assistant|>".Length)..];
        return response.Replace("</s>", "", StringComparison.Ordinal).Replace("<unk>", "", StringComparison.Ordinal);
    }

    private static string? Section(string text, string category)
    {
        // Python: \[category\]:\s*(.*?)(?:\n\s*\n|\Z) with DOTALL; .NET's \z is Python's \Z.
        var match = Regex.Match(text, @"\[" + Regex.Escape(category) + @"\]:\s*(.*?)(?:\n\s*\n|\z)", RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        return match.Success ? match.Groups[1].Value : null;
    }

    private static int? ParseMatched(string text)
    {
        var section = Section(text, MatchedSection);
        if (section is null) return null;
        if (section.StartsWith("No", StringComparison.Ordinal)) return 0;
        var count = LeadingCount().Match(section);
        return count.Success && int.TryParse(count.Value, out var n) ? n : 0;
    }

    private static int[]? ParseErrors(string text, string category)
    {
        var section = Section(text, category);
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
