namespace ReportGen.Core.Models;

/// <summary>
/// The model runtime refused a request's input before generating anything: a prompt too long for the context, an
/// image for a text-only model, image markers that do not match the images. The caller's input is at fault (HTTP
/// 400, CLI exit 2), never the service. Derives from <see cref="ArgumentException"/> because that is what it is.
/// </summary>
public sealed class ModelInputException : ArgumentException
{
    /// <summary>The input does not fit the model (length, image size, markers).</summary>
    public const string Rejected = "model_input_rejected";

    /// <summary>The model cannot take this kind of content (an image for a text-only model, an unknown media type).</summary>
    public const string Unsupported = "model_input_unsupported";

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, without the input's text.</param>
    /// <param name="code"><see cref="Rejected"/> or <see cref="Unsupported"/>.</param>
    public ModelInputException(string message, string code = Rejected) : base(message) => Code = code;

    /// <summary>A stable machine-readable reason: <see cref="Rejected"/> or <see cref="Unsupported"/>.</summary>
    public string Code { get; }
}
