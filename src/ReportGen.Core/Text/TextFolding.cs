using System.Text;

namespace ReportGen.Core.Text;

/// <summary>
/// The one case and accent folding for matching report text against word lists (section headers, abbreviations,
/// classification cues, language stopwords), so "Épanchement", "epanchement" and "ÉPANCHEMENT" look the same.
/// </summary>
/// <remarks>
/// Rules, per language quirk:
/// <list type="bullet">
/// <item>everything is lower-cased (invariant culture);</item>
/// <item>accented vowels lose their accent (es "Impresión", fr "Épanchement", de "Größe" → "impresion",
/// "epanchement", "grosse"), as do macrons of romanised Japanese (ō → o), ý/ÿ, ç and ñ;</item>
/// <item>Danish æ, ø and å are kept: they are letters of their own ("før" and "for" are different words);</item>
/// <item>ß becomes ss and œ becomes oe (de "Erguß" = "Erguss", fr "cœur" = "coeur");</item>
/// <item>typographic apostrophes ’ ` ´ become ' (fr "n’est" = "n'est");</item>
/// <item>the ideographic space U+3000 becomes a space (ja "所見　：").</item>
/// </list>
/// Table-driven because the service runs with invariant globalization (no ICU normalisation).
/// </remarks>
public static class TextFolding
{
    // Accented letters and the letter each folds to, position by position. æ, ø and å are deliberately absent.
    private const string From = "áàâäãāéèêëēíìîïīóòôöõōúùûüūýÿçñ’`´\u3000";
    private const string To = "aaaaaaeeeeeiiiiioooooouuuuuyycn''' ";

    /// <summary>The folded form of <paramref name="text"/> (see the remarks for the rules).</summary>
    public static string Fold(string text) => Fold(text.AsSpan());

    /// <summary>The folded form of <paramref name="text"/> (see the remarks for the rules).</summary>
    public static string Fold(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var lower = char.ToLowerInvariant(c);
            if (lower < 128 && lower != '`') { sb.Append(lower); continue; }
            var i = From.IndexOf(lower, StringComparison.Ordinal);
            if (i >= 0) sb.Append(To[i]);
            else if (lower == 'ß') sb.Append("ss");
            else if (lower == 'œ') sb.Append("oe");
            else sb.Append(lower);
        }
        return sb.ToString();
    }
}
