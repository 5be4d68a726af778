using System.Text;

namespace ReportGen.Core.Text;

/// <summary>
/// Lower-cases and strips the common Latin diacritics (é→e, ü→u, ø→o, ...) so "Impresión" and "IMPRESION"
/// look the same. Table-driven because the service runs with invariant globalization (no ICU normalisation).
/// </summary>
public static class TextFolding
{
    private const string From = "áàâäãåāéèêëēíìîïīóòôöõøōúùûüūýÿçñ";
    private const string To = "aaaaaaaeeeeeiiiiiooooooouuuuuyycn";

    /// <summary>The folded form of <paramref name="text"/>: lower-case, diacritics removed, æ→ae, œ→oe, ß→ss.</summary>
    public static string Fold(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var lower = char.ToLowerInvariant(c);
            if (lower < 128) { sb.Append(lower); continue; }
            var i = From.IndexOf(lower, StringComparison.Ordinal);
            if (i >= 0) sb.Append(To[i]);
            else if (lower == 'æ') sb.Append("ae");
            else if (lower == 'œ') sb.Append("oe");
            else if (lower == 'ß') sb.Append("ss");
            else if (lower == '\u3000') sb.Append(' ');
            else sb.Append(lower);
        }
        return sb.ToString();
    }
}
