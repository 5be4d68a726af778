using System.Text;

namespace ReportGen.Pipelines.Classification;

/// <summary>Refuses text that is not a report: empty, binary, or too large. Messages never quote the text.</summary>
public static class ReportTextValidator
{
    /// <summary>The largest accepted report, in UTF-8 bytes (just under 1 MB; real reports are a few KB).</summary>
    public const int MaxBytes = 999_999;

    /// <summary>Throws a <see cref="ClassificationException"/> when <paramref name="text"/> is unusable.</summary>
    public static void Validate(string? text, string field = "text")
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ClassificationException(ClassificationErrorCode.EmptyText, $"'{field}' is empty");
        }
        // Length first so a huge input is refused before it is scanned character by character.
        if (text.Length > MaxBytes || Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            throw new ClassificationException(ClassificationErrorCode.TextTooLarge, $"'{field}' is larger than the 1 MB limit");
        }
        var suspicious = 0;
        foreach (var c in text)
        {
            if (c == '\0') throw Binary(field);
            if ((char.IsControl(c) && c is not '\n' and not '\r' and not '\t' and not '\f') || c == '\uFFFD') suspicious++;
        }
        // A few stray control characters happen in pasted text; many mean a binary file was read as text.
        if (suspicious > 8 && suspicious * 50 > text.Length) throw Binary(field);
    }

    private static ClassificationException Binary(string field) =>
        new(ClassificationErrorCode.BinaryText, $"'{field}' looks like binary data, not report text");
}
