namespace ReportGen.Pipelines.Classification.Rules;

/// <summary>A word or punctuation token of a sentence, with its character span in the sentence text.</summary>
internal readonly record struct Token(string Text, int Start, int End)
{
    public bool IsPunctuation => Text.Length == 1 && !char.IsLetterOrDigit(Text[0]);
}

/// <summary>One sentence of folded (lower-cased) report text and its tokens.</summary>
internal sealed class Sentence
{
    public Sentence(string text)
    {
        Text = text;
        Tokens = Tokenize(text);
    }

    public string Text { get; }
    public IReadOnlyList<Token> Tokens { get; }

    /// <summary>Splits folded text into sentences at ". ", "? ", "! " and line breaks (the CheXpert cleaning
    /// puts a space after every period, so "2.5" arrives as "2. 5"; a split there is harmless for labelling).</summary>
    public static List<Sentence> Split(string text)
    {
        var result = new List<Sentence>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var end = c is '\n' or '\r' || (c is '.' or '?' or '!' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])));
            if (!end) continue;
            Add(text[start..(i + 1)]);
            start = i + 1;
        }
        if (start < text.Length) Add(text[start..]);
        return result;

        void Add(string s)
        {
            if (!string.IsNullOrWhiteSpace(s)) result.Add(new Sentence(s));
        }
    }

    // Words are runs of letters, digits, hyphens and inner periods-free characters; apostrophes split
    // (French elision: "d'epanchement" -> "d", "'", "epanchement"); every other character is its own token.
    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (IsWordChar(c))
            {
                var s = i;
                while (i < text.Length && (IsWordChar(text[i]) || (text[i] == '-' && i + 1 < text.Length && IsWordChar(text[i + 1])))) i++;
                tokens.Add(new Token(text[s..i], s, i));
                continue;
            }
            tokens.Add(new Token(c.ToString(), i, i + 1));
            i++;
        }
        return tokens;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c);

    /// <summary>The first and last token overlapping a character span; (-1,-1) when none. Binary search.</summary>
    public (int First, int Last) TokenRange(int start, int end)
    {
        int lo = 0, hi = Tokens.Count - 1, first = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (Tokens[mid].End > start) { first = mid; hi = mid - 1; }
            else lo = mid + 1;
        }
        if (first < 0 || Tokens[first].Start >= end) return (-1, -1);
        var last = first;
        while (last + 1 < Tokens.Count && Tokens[last + 1].Start < end) last++;
        return (first, last);
    }
}
