namespace ReportGen.Eval.Metrics.Text;

/// <summary>n-gram counting over whitespace-split words (pycocoevalcap's <c>precook</c>).</summary>
internal static class NGrams
{
    /// <summary>Words as Python's <c>str.split()</c> gives them: runs of whitespace separate, no empty words.</summary>
    public static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Counts of every n-gram with 1 &lt;= n &lt;= maxN; an n-gram is its words joined by a space.</summary>
    public static Dictionary<NGram, int> Count(string[] words, int maxN)
    {
        var counts = new Dictionary<NGram, int>();
        for (var n = 1; n <= maxN; n++)
        {
            for (var i = 0; i + n <= words.Length; i++)
            {
                var key = new NGram(n, string.Join(' ', words, i, n));
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }
        return counts;
    }
}

/// <summary>An n-gram: its order and its words joined by single spaces (words never contain spaces).</summary>
internal readonly record struct NGram(int Order, string Words);
