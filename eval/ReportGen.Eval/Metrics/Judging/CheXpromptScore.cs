namespace ReportGen.Eval.Metrics.Judging;

/// <summary>One CheXprompt rating parsed.</summary>
/// <param name="Status">Parsed, or unparseable (no usable counts; never a silent 0).</param>
/// <param name="Significant">A–F clinically significant counts.</param>
/// <param name="Insignificant">A–F clinically insignificant counts.</param>
/// <param name="Problem">Why it is unparseable, else null.</param>
public sealed record CheXpromptResult(JudgeParseStatus Status, IReadOnlyList<int> Significant, IReadOnlyList<int> Insignificant, string? Problem)
{
    /// <summary>Σ significant errors (CheXprompt's headline number), null when unparseable.</summary>
    public int? SignificantTotal => Status == JudgeParseStatus.Parsed ? Significant.Sum() : null;
    /// <summary>Σ insignificant errors, null when unparseable.</summary>
    public int? InsignificantTotal => Status == JudgeParseStatus.Parsed ? Insignificant.Sum() : null;
}

/// <summary>
/// Parses CheXprompt's rating text (microsoft/chexprompt src/chexprompt/eval_utils.py: is_valid_rating_text,
/// parse_rating_text, parse_completion_tuples_to_dict):
/// <c>Number of clinically significant errors by type: ((A, 1), (B, 0), ...)</c> and the same line for
/// insignificant errors; text after "Explanation" is ignored. A rating missing either line, or whose tuples do not
/// parse as integers, is unparseable (the reference returns None for it).
/// </summary>
public static class CheXpromptScore
{
    private const string SignificantHeader = "Number of clinically significant errors by type:";
    private const string InsignificantHeader = "Number of clinically insignificant errors by type:";

    /// <summary>Parses one rating.</summary>
    public static CheXpromptResult Parse(string rating)
    {
        ArgumentNullException.ThrowIfNull(rating);
        if (rating.Trim().Length == 0 || !rating.Contains(SignificantHeader, StringComparison.Ordinal) || !rating.Contains(InsignificantHeader, StringComparison.Ordinal))
            return Unparseable("the significant/insignificant error lines are missing");

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
        var insignificantText = split[^1].Trim();
        var significantText = split[0].Split(SignificantHeader + " ")[^1].Trim();

        var significant = ParseTuples(significantText);
        var insignificant = ParseTuples(insignificantText);
        if (significant is null || insignificant is null) return Unparseable("an error-count tuple did not parse");
        return new CheXpromptResult(JudgeParseStatus.Parsed, significant, insignificant, null);
    }

    private static CheXpromptResult Unparseable(string why) => new(JudgeParseStatus.Unparseable, new int[6], new int[6], why);

    // "((A, 1), (B, 0), ...)" -> counts by letter; a letter outside A–F or a non-integer count fails.
    private static int[]? ParseTuples(string text)
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
}
