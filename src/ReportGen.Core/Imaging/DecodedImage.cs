namespace ReportGen.Core.Imaging;

/// <summary>Whether a study file held one image or a whole CT series.</summary>
public enum DecodedImageKind
{
    /// <summary>A single 2-D image (PNG, JPEG, a DICOM frame).</summary>
    Image,
    /// <summary>A CT series (a zip of the series' DICOM files).</summary>
    Series,
}

/// <summary>
/// A study file decoded once, where it entered the service: what pipelines need to know about it (kind, size, media
/// type, DICOM modality) and the decoder's own pixels, which travel on with the file so the image-embedding provider
/// does not decode the bytes a second time.
/// </summary>
public sealed record DecodedImage
{
    /// <summary>Media type of a CT series: the bytes are a zip of the series' DICOM files.</summary>
    public const string CtSeriesMediaType = "image/x-ct-series+zip";

    /// <summary>One image or a series.</summary>
    public required DecodedImageKind Kind { get; init; }

    /// <summary><c>image/png</c>, <c>image/jpeg</c>, <c>application/dicom</c> or <see cref="CtSeriesMediaType"/>.</summary>
    public required string MediaType { get; init; }

    /// <summary>Width in pixels (of one slice, for a series).</summary>
    public required int Width { get; init; }

    /// <summary>Height in pixels (of one slice, for a series).</summary>
    public required int Height { get; init; }

    /// <summary>The source format as the decoder names it (png, jpeg, dicom), when known.</summary>
    public string? Format { get; init; }

    /// <summary>DICOM Modality (0008,0060) of a DICOM source, e.g. CR, DX, CT; null otherwise.</summary>
    public string? DicomModality { get; init; }

    /// <summary>
    /// The decoded pixels in the decoder's own type (the imaging project's <c>PixelImage</c> or <c>CtVolume</c>):
    /// opaque here, read back by the embedding provider that knows that type.
    /// </summary>
    public required object Pixels { get; init; }
}

/// <summary>Why an input (an image file, a request field) was refused: what a host maps to a status code.</summary>
public enum InputProblem
{
    /// <summary>Malformed, damaged or not allowed here (HTTP 400).</summary>
    Invalid,
    /// <summary>Over a size, pixel or decompression limit (HTTP 413).</summary>
    TooLarge,
    /// <summary>A valid file using a feature or transfer syntax we do not decode (HTTP 415).</summary>
    Unsupported,
}

/// <summary>An image file that cannot be decoded; <see cref="Code"/> is the decoder's machine-readable reason.</summary>
/// <param name="code">The decoder's code (truncated, bad_magic, too_large, corrupt, ...).</param>
/// <param name="problem">The kind of problem (what a host maps to a status).</param>
/// <param name="message">What is wrong; never patient data.</param>
/// <param name="inner">The decoder's own exception.</param>
public sealed class ImageInputException(string code, InputProblem problem, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The decoder's machine-readable reason.</summary>
    public string Code { get; } = code;

    /// <summary>The kind of problem.</summary>
    public InputProblem Problem { get; } = problem;
}

/// <summary>Decodes the image files of a study (implemented by the imaging project; used by the pipelines' front doors).</summary>
public interface IStudyImageDecoder
{
    /// <summary>Decodes a PNG, JPEG or DICOM file, or a zip of a CT series' DICOM files.</summary>
    /// <param name="bytes">The file.</param>
    /// <param name="maxBytes">Largest file accepted (a larger one is <see cref="InputProblem.TooLarge"/>).</param>
    /// <exception cref="ImageInputException">The bytes are not a decodable image or series.</exception>
    DecodedImage Decode(ReadOnlyMemory<byte> bytes, long maxBytes);
}
