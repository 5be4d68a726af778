using System.Text;

namespace ReportGen.Eval.Metrics.Text;

/// <summary>
/// The tokenisation pycocoevalcap applies before scoring: Stanford PTBTokenizer with
/// <c>-preserveLines -lowerCase</c>, then the tokens in its PUNCTUATIONS list dropped
/// (<c>'' ' `` ` -LRB- -RRB- -LCB- -RCB- . ? ! , : - -- ... ;</c>).
/// </summary>
/// <remarks>
/// A managed approximation of PTB's rules that matter after the punctuation filter: punctuation is
/// split off word edges (so "effusion." → "effusion"), brackets and quotes vanish, hyphenated words,
/// decimals ("2.5"), letter abbreviations ("e.g.") and slashes stay one token,
/// clitics split as PTB does ("don't" → "do n't", "heart's" → "heart 's"), and "%", "$", "#", "&"
/// become tokens of their own. Java's tokenizer is not reachable here; these rules cover report text.
/// </remarks>
public static partial class CocoTokenizer
{
    private static readonly HashSet<string> Punctuation =
        ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";"];

    // Characters PTB always separates from a word and that the filter then drops or keeps as tokens.
    private const string EdgePunctuation = ".,;:!?'\"`()[]{}-";
    private const string StandaloneSymbols = "%$#&";

    /// <summary>The tokens joined by single spaces: the string pycocoevalcap's scorers receive.</summary>
    public static string Tokenize(string text) => string.Join(' ', Tokens(text));

    /// <summary>The lower-cased tokens after the punctuation filter.</summary>
    public static IReadOnlyList<string> Tokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<string>();
        foreach (var raw in text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var token in SplitWord(raw))
            {
                if (token.Length > 0 && !Punctuation.Contains(token) && !IsOnlyPunctuation(token)) result.Add(token);
            }
        }
        return result;
    }

    private static bool IsOnlyPunctuation(string token)
    {
        foreach (var c in token)
        {
            if (!EdgePunctuation.Contains(c, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    private static IEnumerable<string> SplitWord(string word)
    {
        // Brackets and double quotes never belong to a word in PTB; split on them anywhere.
        var pieces = new List<string>();
        var current = new StringBuilder();
        foreach (var c in word)
        {
            if ("()[]{}\"".Contains(c, StringComparison.Ordinal))
            {
                Flush(current, pieces);
            }
            else if (StandaloneSymbols.Contains(c, StringComparison.Ordinal))
            {
                Flush(current, pieces);
                pieces.Add(c.ToString());
            }
            else
            {
                current.Append(c);
            }
        }
        Flush(current, pieces);

        foreach (var piece in pieces)
        {
            foreach (var token in StripEdges(piece)) yield return token;
        }
    }

    private static void Flush(StringBuilder current, List<string> pieces)
    {
        if (current.Length > 0) pieces.Add(current.ToString());
        current.Clear();
    }

    private static IEnumerable<string> StripEdges(string piece)
    {
        // Letter-period abbreviations ("e.g.", "i.v.") are one PTB token, final period included.
        if (Abbreviation().IsMatch(piece))
        {
            yield return piece;
            yield break;
        }
        var start = 0;
        var end = piece.Length;
        while (start < end && EdgePunctuation.Contains(piece[start], StringComparison.Ordinal)) start++;
        while (end > start && EdgePunctuation.Contains(piece[end - 1], StringComparison.Ordinal)) end--;
        var core = piece[start..end];
        if (core.Length == 0) yield break;

        // Clitics: PTB splits "n't" and "'s", "'re", "'ve", "'ll", "'d", "'m" into their own tokens.
        if (core.EndsWith("n't", StringComparison.Ordinal) && core.Length > 3)
        {
            yield return core[..^3];
            yield return "n't";
            yield break;
        }
        foreach (var clitic in Clitics)
        {
            if (core.EndsWith(clitic, StringComparison.Ordinal) && core.Length > clitic.Length)
            {
                yield return core[..^clitic.Length];
                yield return clitic;
                yield break;
            }
        }
        yield return core;
    }

    private static readonly string[] Clitics = ["'s", "'re", "'ve", "'ll", "'d", "'m"];

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:\p{L}\.){2,}$")]
    private static partial System.Text.RegularExpressions.Regex Abbreviation();
}
