namespace ReportGen.Pipelines.Classification;

/// <summary>
/// Why a classification request was refused. The wire form is the snake_case name. Bad report text is a
/// <see cref="ReportGen.Core.Text.ReportTextException"/>, as in every pipeline.
/// </summary>
public enum ClassificationErrorCode
{
    UnknownTaxonomy,
    DuplicateLabels,
    EmptyLabels,
    InvalidTaxonomy,
    LlmUnavailable,
}

/// <summary>
/// Bad input to classification (never a crash). The message names the field and the problem, never the
/// report text.
/// </summary>
public sealed class ClassificationException(ClassificationErrorCode code, string message) : Exception(message)
{
    /// <summary>The machine-readable reason.</summary>
    public ClassificationErrorCode Code { get; } = code;

    /// <summary>The code as snake_case (empty_text, unknown_taxonomy, ...).</summary>
    public string CodeName => Code switch
    {
        ClassificationErrorCode.UnknownTaxonomy => "unknown_taxonomy",
        ClassificationErrorCode.DuplicateLabels => "duplicate_labels",
        ClassificationErrorCode.EmptyLabels => "empty_labels",
        ClassificationErrorCode.InvalidTaxonomy => "invalid_taxonomy",
        _ => "llm_unavailable",
    };
}
