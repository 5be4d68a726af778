using System.Text;

namespace ReportGen.Pipelines.Classification.Rules;

/// <summary>
/// Case and accent folding so "Épanchement", "epanchement" and "ÉPANCHEMENT" match one synonym. Danish
/// æ/ø/å are kept (they are letters, not accented vowels); ß becomes ss and œ becomes oe.
/// </summary>
internal static class TextFolding
{
    public static string Fold(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            var c = char.ToLowerInvariant(ch);
            switch (c)
            {
                case 'á' or 'à' or 'â' or 'ä' or 'ã': sb.Append('a'); break;
                case 'é' or 'è' or 'ê' or 'ë': sb.Append('e'); break;
                case 'í' or 'ì' or 'î' or 'ï': sb.Append('i'); break;
                case 'ó' or 'ò' or 'ô' or 'ö' or 'õ': sb.Append('o'); break;
                case 'ú' or 'ù' or 'û' or 'ü': sb.Append('u'); break;
                case 'ñ': sb.Append('n'); break;
                case 'ç': sb.Append('c'); break;
                case 'ß': sb.Append("ss"); break;
                case 'œ': sb.Append("oe"); break;
                case '’' or '`' or '´': sb.Append('\''); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
