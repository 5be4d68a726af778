namespace ReportGen.Pipelines.Structuring;

/// <summary>
/// Report text the structuring service refuses. <see cref="Code"/> is stable for callers
/// ("empty", "binary", "too_large"); the message names the problem, never the text.
/// </summary>
public sealed class StructuringInputException : Exception
{
    /// <summary>Text is missing or only whitespace.</summary>
    public const string EmptyCode = "empty";
    /// <summary>Text holds NUL/control bytes or undecodable bytes: not a text report.</summary>
    public const string BinaryCode = "binary";
    /// <summary>Text is larger than the configured limit.</summary>
    public const string TooLargeCode = "too_large";

    public StructuringInputException(string code, string message) : base(message) => Code = code;

    public StructuringInputException() : this(EmptyCode, "report text is invalid") { }

    public StructuringInputException(string message) : this(EmptyCode, message) { }

    public StructuringInputException(string message, Exception innerException) : base(message, innerException) => Code = EmptyCode;

    /// <summary>The machine-readable reason.</summary>
    public string Code { get; }
}
