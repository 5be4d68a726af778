using System.Text.Json;

namespace ReportGen.Core.Json;

/// <summary>
/// The one rule for grammar-constrained model output that hit its token limit: the document is cut off when it is
/// not a complete JSON value. A grammar makes every prefix of the output look plausible, so a cut-off document must be
/// reported as such (CLI: non-zero exit; pipelines: a <c>truncated</c> result), never parsed as an answer.
/// </summary>
public static class ConstrainedOutput
{
    /// <summary>
    /// True when <paramref name="stoppedAtLimit"/> (the generation ended because of its token limit) and
    /// <paramref name="text"/> is not one complete JSON value (a document that closed on exactly its last allowed
    /// token is complete, not cut off).
    /// </summary>
    public static bool IsCutOff(bool stoppedAtLimit, string? text) => stoppedAtLimit && !IsCompleteJson(text);

    /// <summary>True when <paramref name="text"/> is exactly one JSON value (surrounding whitespace allowed).</summary>
    public static bool IsCompleteJson(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return false;
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
