namespace ReportGen.Imaging;

/// <summary>
/// The one exception type image decoding throws for bad input. <see cref="Code"/> is machine-readable
/// (see <see cref="ImageDecodeErrorCodes"/>); the message names the problem but never patient data.
/// </summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImageDecodeException(string code, string message, Exception? inner = null)
        : base(message, inner) => Code = code;

    /// <summary>Machine-readable reason, one of <see cref="ImageDecodeErrorCodes"/>.</summary>
    public string Code { get; }
}

/// <summary>The values of <see cref="ImageDecodeException.Code"/>.</summary>
public static class ImageDecodeErrorCodes
{
    /// <summary>The data ends before the structure it announces.</summary>
    public const string Truncated = "truncated";
    /// <summary>Not a format we recognise (signature / magic missing).</summary>
    public const string BadMagic = "bad_magic";
    /// <summary>File, pixel count or a declared length exceeds a limit of <see cref="ImageDecodeOptions"/>.</summary>
    public const string TooLarge = "too_large";
    /// <summary>Compressed data inflates far beyond what the header says (zip/zlib bomb).</summary>
    public const string DecompressionBomb = "decompression_bomb";
    /// <summary>A DICOM transfer syntax we do not decode.</summary>
    public const string UnsupportedTransferSyntax = "unsupported_transfer_syntax";
    /// <summary>A valid but unsupported feature (e.g. 12-bit JPEG, arithmetic coding, a photometric interpretation).</summary>
    public const string Unsupported = "unsupported";
    /// <summary>Internally inconsistent or damaged data (bad CRC, bad Huffman code, header contradicts data).</summary>
    public const string Corrupt = "corrupt";
    /// <summary>A CT series whose slices do not fit together (sizes, orientation, positions).</summary>
    public const string InconsistentSeries = "inconsistent_series";
    /// <summary>A valid DICOM object that holds no image (structured report, RT plan, ECG waveform…); the message names its SOP Class.</summary>
    public const string NotAnImage = "not_an_image";
    /// <summary>The input is a CT series (zip) where a single image was asked for.</summary>
    public const string IsSeries = "is_series";
}

/// <summary>Throw helpers so decoders stay readable.</summary>
internal static class Fail
{
    public static ImageDecodeException Truncated(string what) =>
        new(ImageDecodeErrorCodes.Truncated, $"truncated data: {what}");

    public static ImageDecodeException Corrupt(string what) =>
        new(ImageDecodeErrorCodes.Corrupt, $"corrupt data: {what}");

    public static ImageDecodeException Unsupported(string what) =>
        new(ImageDecodeErrorCodes.Unsupported, $"unsupported: {what}");

    public static ImageDecodeException TooLarge(string what) =>
        new(ImageDecodeErrorCodes.TooLarge, $"too large: {what}");

    public static ImageDecodeException Bomb(string what) =>
        new(ImageDecodeErrorCodes.DecompressionBomb, $"decompression bomb: {what}");
}
