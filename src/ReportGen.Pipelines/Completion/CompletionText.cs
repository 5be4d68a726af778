using System.Text;
using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Completion;

/// <summary>
/// Text handling shared by the index, the ranker and the evaluation: sentence splitting, display
/// normalisation and the case-folded word tokens used as keys.
/// </summary>
/// <remarks>
/// "XXXX" (the IU X-ray de-identification token) is an ordinary word: it is kept in text and keys so a
/// suggestion never invents a value the corpus did not have.
/// </remarks>
public static class CompletionText
{
    /// <summary>Splits text into sentences with Core's <see cref="SentenceSplitter"/>, display-normalised, empty ones dropped.</summary>
    public static List<string> SplitSentences(string? text)
    {
        var result = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return result;
        }
        foreach (var sentence in SentenceSplitter.Split(text))
        {
            Add(result, sentence.Text);
        }
        return result;
    }

    private static void Add(List<string> into, ReadOnlySpan<char> raw)
    {
        var sentence = NormalizeDisplay(raw);
        if (Tokens(sentence).Count > 0)
        {
            into.Add(sentence);
        }
    }

    /// <summary>Collapses whitespace, trims, and ends the sentence with exactly one terminal mark.</summary>
    public static string NormalizeDisplay(ReadOnlySpan<char> raw)
    {
        var sb = new StringBuilder(raw.Length + 1);
        var pendingSpace = false;
        foreach (var c in raw.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace && sb.Length > 0)
            {
                sb.Append(' ');
            }
            pendingSpace = false;
            sb.Append(c);
        }
        // ".." and ". ." endings come from the source data; one mark is enough.
        var end = sb.Length;
        while (end > 0 && (sb[end - 1] is '.' or '?' or '!' or ' ' or ',' or ';' or ':'))
        {
            end--;
        }
        if (end == 0)
        {
            return "";
        }
        var mark = sb[^1] is '?' or '!' ? sb[^1] : '.';
        sb.Length = end;
        sb.Append(mark);
        return sb.ToString();
    }

    /// <summary>Case-folded word tokens: maximal runs of letters or digits.</summary>
    public static List<string> Tokens(string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return tokens;
        }
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (sb.Length > 0)
            {
                tokens.Add(sb.ToString());
                sb.Clear();
            }
        }
        if (sb.Length > 0)
        {
            tokens.Add(sb.ToString());
        }
        return tokens;
    }

    /// <summary>The de-duplication key: the tokens joined by single spaces.</summary>
    public static string Key(string text) => string.Join(' ', Tokens(text));

    /// <summary>
    /// Splits the typed partial sentence into its complete words and the partially typed last word
    /// ("" when the prefix ends with whitespace or punctuation).
    /// </summary>
    public static (List<string> Words, string Partial) SplitPrefix(string? prefix)
    {
        var tokens = Tokens(prefix);
        if (tokens.Count == 0 || string.IsNullOrEmpty(prefix) || !char.IsLetterOrDigit(prefix[^1]))
        {
            return (tokens, "");
        }
        var partial = tokens[^1];
        tokens.RemoveAt(tokens.Count - 1);
        return (tokens, partial);
    }

    /// <summary>
    /// Joins what the user typed with the remainder of a candidate sentence so the typed characters are
    /// kept exactly: the candidate's words after the prefix's words are appended to the prefix.
    /// </summary>
    public static string ContinueFrom(string prefix, string sentence)
    {
        if (string.IsNullOrWhiteSpace(prefix))
        {
            return sentence;
        }
        var (words, partial) = SplitPrefix(prefix);
        var wordsToSkip = words.Count;
        var pos = 0;
        // Walk the candidate word by word over the complete prefix words.
        for (var w = 0; w < wordsToSkip; w++)
        {
            while (pos < sentence.Length && !char.IsLetterOrDigit(sentence[pos])) pos++;
            while (pos < sentence.Length && char.IsLetterOrDigit(sentence[pos])) pos++;
        }
        if (partial.Length > 0)
        {
            while (pos < sentence.Length && !char.IsLetterOrDigit(sentence[pos])) pos++;
            // Keep the rest of the partially typed word from the candidate.
            var wordStart = pos;
            while (pos < sentence.Length && char.IsLetterOrDigit(sentence[pos])) pos++;
            var rest = sentence[Math.Min(wordStart + partial.Length, pos)..];
            return prefix + rest;
        }
        var remainder = sentence[pos..];
        if (prefix.Length > 0 && char.IsWhiteSpace(prefix[^1]))
        {
            remainder = remainder.TrimStart();
        }
        return prefix + remainder;
    }
}
