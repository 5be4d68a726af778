namespace ReportGen.Core.Text;

/// <summary>One word of the RadGraph word sequence, with its place in the original text.</summary>
/// <param name="Text">The word as written.</param>
/// <param name="Start">Offset of its first character in the original text.</param>
/// <param name="Length">Its length in characters.</param>
public readonly record struct RadGraphWord(string Text, int Start, int Length)
{
    /// <summary>Offset just past the word.</summary>
    public int End => Start + Length;
}

/// <summary>
/// The word tokenisation of the <c>radgraph</c> package (its DyGIE preprocessing): every one of
/// <c>/ , : . ! ? ( )</c> becomes a word of its own, then the text is split on whitespace.
/// RadGraph entity indices (<c>start_ix</c>, <c>end_ix</c>) count these words, and the document text is
/// the words joined by single spaces. Hyphens, apostrophes and other symbols stay inside words, as there.
/// </summary>
public static class RadGraphTokenizer
{
    /// <summary>True for the characters the radgraph preprocessing splits off as words.</summary>
    public static bool IsSplitPunctuation(char c) => c is '/' or ',' or ':' or '.' or '!' or '?' or '(' or ')';

    /// <summary>The words of <paramref name="text"/> with their offsets.</summary>
    public static IReadOnlyList<RadGraphWord> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<RadGraphWord>(text.Length / 5 + 4);
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (IsSeparator(c))
            {
                if (start >= 0) { words.Add(Word(text, start, i)); start = -1; }
            }
            else if (IsSplitPunctuation(c))
            {
                if (start >= 0) { words.Add(Word(text, start, i)); start = -1; }
                words.Add(new RadGraphWord(PunctuationStrings[PunctuationIndex(c)], i, 1));
            }
            else if (start < 0)
            {
                start = i;
            }
        }
        if (start >= 0) words.Add(Word(text, start, text.Length));
        return words;
    }

    /// <summary>The words of <paramref name="text"/> as strings.</summary>
    public static string[] Words(string text)
    {
        var words = Tokenize(text);
        var result = new string[words.Count];
        for (var i = 0; i < result.Length; i++) result[i] = words[i].Text;
        return result;
    }

    /// <summary>The radgraph document text: the words joined by single spaces.</summary>
    public static string Join(IEnumerable<RadGraphWord> words) => string.Join(' ', words.Select(w => w.Text));

    /// <summary>The radgraph document text of <paramref name="text"/>.</summary>
    public static string Normalize(string text) => string.Join(' ', Words(text));

    // Python's str.split() separators: Unicode whitespace plus the ASCII file/group/record/unit separators.
    private static bool IsSeparator(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    private static RadGraphWord Word(string text, int start, int end) => new(text[start..end], start, end - start);

    private static readonly string[] PunctuationStrings = ["/", ",", ":", ".", "!", "?", "(", ")"];

    private static int PunctuationIndex(char c) => c switch
    {
        '/' => 0, ',' => 1, ':' => 2, '.' => 3, '!' => 4, '?' => 5, '(' => 6, _ => 7,
    };
}
