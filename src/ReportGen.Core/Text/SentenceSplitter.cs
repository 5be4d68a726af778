namespace ReportGen.Core.Text;

/// <summary>A sentence: its text (trimmed) and where it starts in the text it was split from.</summary>
/// <param name="Text">The sentence, without surrounding whitespace.</param>
/// <param name="Start">Offset of its first character in the source text.</param>
public sealed record Sentence(string Text, int Start)
{
    /// <summary>Offset just past its last character.</summary>
    public int End => Start + Text.Length;
}

/// <summary>
/// Splits report text into sentences. A period ends a sentence only when whitespace and then an upper-case
/// letter, a digit, an opening bracket or the end of the text follow, and the word before it is not an
/// abbreviation ("e.g.", "i.e.", "Dr.", "vs.", "approx.", ...) or a list number at the start of a sentence
/// ("1."). So "2.5 cm", "e.g. the left lung" and "1. Small effusion." stay whole. "!" and "?" end sentences
/// the same way; Japanese/Chinese "。！？" always end one; blank lines and new list items end one too.
/// </summary>
public static class SentenceSplitter
{
    // Abbreviations written with a final period that do not end a sentence (folded, without the final period).
    private static readonly HashSet<string> Abbreviations = new(StringComparer.Ordinal)
    {
        "e.g", "i.e", "eg", "ie", "dr", "drs", "mr", "mrs", "ms", "prof", "vs", "approx", "appr", "ca", "cf", "resp",
        "incl", "fig", "figs", "st", "pt", "pts", "al", "vol", "ref", "sr", "jr",
        "z.b", "bzw", "ggf", "evtl", "v.a", "inkl", "sog", "p.ej", "aprox", "env", "mme", "mlle",
        "dvs", "f.eks", "bl.a", "st.p", "s.p",
    };

    /// <summary>The sentences of <paramref name="text"/>, in order, each trimmed; empty ones are dropped.</summary>
    public static IReadOnlyList<Sentence> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sentences = new List<Sentence>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '。' or '！' or '？')
            {
                Add(sentences, text, start, i + 1);
                start = i + 1;
            }
            else if (c is '.' or '!' or '?' && EndsSentence(text, start, i))
            {
                Add(sentences, text, start, i + 1);
                start = i + 1;
            }
            else if (c == '\n' && StartsNewBlock(text, i))
            {
                Add(sentences, text, start, i);
                start = i + 1;
            }
        }
        Add(sentences, text, start, text.Length);
        return sentences;
    }

    /// <summary>The sentences as strings.</summary>
    public static IReadOnlyList<string> SplitToStrings(string text) => Split(text).Select(s => s.Text).ToList();

    private static bool EndsSentence(string text, int sentenceStart, int i)
    {
        var next = i + 1;
        // Runs of terminators ("?!", "...") end where the run ends.
        if (next < text.Length && text[next] is '.' or '!' or '?') return false;
        if (next < text.Length && !char.IsWhiteSpace(text[next]) && text[next] is not ('"' or '\'' or ')')) return false;
        var j = next;
        while (j < text.Length && (char.IsWhiteSpace(text[j]) || text[j] is '"' or '\'' or ')')) j++;
        if (j < text.Length)
        {
            var n = text[j];
            var opensSentence = char.IsUpper(n) || char.IsDigit(n) || n is '(' or '[' or '-' or '*' or '•' or '¿' or '¡' || n > 0x2E80;
            if (!opensSentence) return false;
        }
        if (text[i] != '.') return true;

        // The word before the period.
        var w = i;
        while (w > sentenceStart && !char.IsWhiteSpace(text[w - 1]) && text[w - 1] is not ('(' or '"')) w--;
        var word = text.AsSpan(w, i - w);
        if (word.IsEmpty) return true;
        if (Abbreviations.Contains(TextFolding.Fold(word))) return false;
        // A list number ("1.") as the first word of a sentence.
        return !(IsListNumber(word) && IsOnlyWhitespace(text, sentenceStart, w));
    }

    private static bool IsListNumber(ReadOnlySpan<char> word)
    {
        if (word.Length is 0 or > 3) return false;
        foreach (var c in word) if (!char.IsDigit(c)) return false;
        return true;
    }

    private static bool IsOnlyWhitespace(string text, int from, int to)
    {
        for (var k = from; k < to; k++) if (!char.IsWhiteSpace(text[k])) return false;
        return true;
    }

    // A blank line, or a line that starts a list item ("1.", "2)", "-", "*", "•"), starts a new sentence.
    private static bool StartsNewBlock(string text, int newline)
    {
        var j = newline + 1;
        while (j < text.Length && text[j] is ' ' or '\t' or '\r') j++;
        if (j >= text.Length) return false;
        if (text[j] == '\n') return true;
        if (text[j] is '-' or '*' or '•') return true;
        var d = j;
        while (d < text.Length && char.IsDigit(text[d])) d++;
        return d > j && d - j <= 3 && d < text.Length && text[d] is '.' or ')';
    }

    private static void Add(List<Sentence> sentences, string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        if (end > start) sentences.Add(new Sentence(text[start..end], start));
    }
}
