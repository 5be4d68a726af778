using System.Text;

namespace ReportGen.Core.Text;

/// <summary>Why report text was refused.</summary>
public enum ReportTextProblem
{
    /// <summary>Missing or only whitespace.</summary>
    Empty,
    /// <summary>Control characters or undecodable bytes: a binary file read as text.</summary>
    Binary,
    /// <summary>Larger than the limit.</summary>
    TooLarge,
}

/// <summary>
/// Report text that no pipeline accepts. <see cref="Field"/> names the request field (or CLI input) it came from,
/// <see cref="Code"/> is the stable wire code; the message names the problem, never the text.
/// </summary>
public sealed class ReportTextException : Exception
{
    /// <summary>Creates the error for <paramref name="field"/>.</summary>
    public ReportTextException(string field, ReportTextProblem problem, string message) : base(message)
    {
        Field = field;
        Problem = problem;
    }

    /// <summary>The field that held the text ("text", "candidate", "reference", ...).</summary>
    public string Field { get; }

    /// <summary>What is wrong.</summary>
    public ReportTextProblem Problem { get; }

    /// <summary>The wire code: empty_text, binary_text or text_too_large.</summary>
    public string Code => Problem switch
    {
        ReportTextProblem.Empty => "empty_text",
        ReportTextProblem.Binary => "binary_text",
        _ => "text_too_large",
    };
}

/// <summary>
/// The one check every pipeline (structure, classify, judge, batch jobs, CLI) runs on report text before using it:
/// not empty, not binary, not larger than a limit. One rule set, so the API answers the same way on every endpoint.
/// </summary>
public static class ReportText
{
    /// <summary>The default limit, in UTF-8 bytes (1 MiB; real reports are a few KB).</summary>
    public const int DefaultMaxBytes = 1024 * 1024;

    /// <summary>
    /// Whether <paramref name="c"/> is a control character report text may not hold: below U+0020 except the
    /// whitespace ones (tab, line feed, vertical tab, form feed, carriage return), or DEL.
    /// </summary>
    public static bool IsForbiddenControl(char c) => c < ' ' && c is not ('\t' or '\n' or '\v' or '\f' or '\r') || c == '\x7f';

    /// <summary>
    /// Throws <see cref="ReportTextException"/> naming <paramref name="field"/> when <paramref name="text"/> is empty or
    /// whitespace, larger than <paramref name="maxBytes"/> UTF-8 bytes, holds a control character other than
    /// whitespace (tab, line feed, vertical tab, form feed, carriage return), or is at least 1% U+FFFD (bytes that
    /// were not UTF-8).
    /// </summary>
    public static void Validate(string? text, string field = "text", int maxBytes = DefaultMaxBytes)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new ReportTextException(field, ReportTextProblem.Empty, $"'{field}' is empty");
        // UTF-8 needs one to three bytes per UTF-16 char: count bytes only when the length leaves it open.
        if (text.Length > maxBytes || (text.Length * 3L > maxBytes && Encoding.UTF8.GetByteCount(text) > maxBytes))
            throw new ReportTextException(field, ReportTextProblem.TooLarge, $"'{field}' is larger than the limit of {maxBytes} bytes");
        var replacement = 0;
        foreach (var c in text)
        {
            if (IsForbiddenControl(c))
                throw new ReportTextException(field, ReportTextProblem.Binary, $"'{field}' contains a control character (U+{(int)c:X4}); binary data is not report text");
            if (c == '\uFFFD') replacement++;
        }
        if (replacement > 0 && replacement * 100 >= text.Length)
            throw new ReportTextException(field, ReportTextProblem.Binary, $"'{field}' is not valid UTF-8 text");
    }
}
