using System.Text;

namespace ReportGen.Llama;

/// <summary>
/// Turns token pieces (raw bytes) into text incrementally. Byte-fallback tokens split one character over
/// several tokens (e.g. "é" = &lt;0xC3&gt;&lt;0xA9&gt;), so incomplete UTF-8 sequences are held back until the next piece
/// completes them; only whole characters are ever returned.
/// </summary>
public sealed class Utf8PieceDecoder
{
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();
    private char[] _chars = new char[64];

    /// <summary>Adds bytes; returns the text completed so far (possibly empty).</summary>
    public string Append(ReadOnlySpan<byte> bytes) => Decode(bytes, flush: false);

    /// <summary>Ends the stream: a dangling partial character becomes U+FFFD.</summary>
    public string Flush() => Decode([], flush: true);

    private string Decode(ReadOnlySpan<byte> bytes, bool flush)
    {
        var needed = _decoder.GetCharCount(bytes, flush);
        if (needed > _chars.Length) _chars = new char[Math.Max(needed, _chars.Length * 2)];
        var n = _decoder.GetChars(bytes, _chars, flush);
        return n == 0 ? "" : new string(_chars, 0, n);
    }
}
