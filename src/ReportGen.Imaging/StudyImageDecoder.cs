using ReportGen.Core.Imaging;

namespace ReportGen.Imaging;

/// <summary>
/// <see cref="IStudyImageDecoder"/> over <see cref="ImageDecoder"/>: decodes a study file once (a single image, or a
/// zip of a CT series) and keeps the <see cref="PixelImage"/> or <see cref="Ct.CtVolume"/> as
/// <see cref="DecodedImage.Pixels"/> for the embedding provider. Decoder failures become <see cref="ImageInputException"/>
/// with the decoder's code.
/// </summary>
/// <param name="options">Decoder limits; null for the defaults (<see cref="ImageDecodeOptions.MaxInputBytes"/> is lowered per call).</param>
public sealed class StudyImageDecoder(ImageDecodeOptions? options = null) : IStudyImageDecoder
{
    private readonly ImageDecodeOptions _options = options ?? ImageDecodeOptions.Default;

    /// <inheritdoc />
    public DecodedImage Decode(ReadOnlyMemory<byte> bytes, long maxBytes)
    {
        var limits = _options with { MaxInputBytes = Math.Min(maxBytes, _options.MaxInputBytes) };
        DecodedInput decoded;
        try
        {
            decoded = ImageDecoder.DecodeAny(bytes.Span, limits);
        }
        catch (ImageDecodeException e)
        {
            var problem = e.Code switch
            {
                ImageDecodeErrorCodes.TooLarge or ImageDecodeErrorCodes.DecompressionBomb => InputProblem.TooLarge,
                ImageDecodeErrorCodes.Unsupported or ImageDecodeErrorCodes.UnsupportedTransferSyntax => InputProblem.Unsupported,
                _ => InputProblem.Invalid,
            };
            throw new ImageInputException(e.Code, problem, e.Message, e);
        }
        if (decoded.Volume is { } volume)
        {
            return new DecodedImage
            {
                Kind = DecodedImageKind.Series, MediaType = DecodedImage.CtSeriesMediaType, Width = volume.Width, Height = volume.Height,
                Format = "zip", DicomModality = volume.Metadata.Modality, Pixels = volume,
            };
        }
        var image = decoded.Image!;
        return new DecodedImage
        {
            Kind = DecodedImageKind.Image, MediaType = MediaTypeOf(bytes.Span), Width = image.Width, Height = image.Height,
            Format = image.Metadata.Format, DicomModality = image.Metadata.Modality, Pixels = image,
        };
    }

    /// <summary>The media type a chat client routes a file as, from its magic bytes (a zip is a CT series).</summary>
    public static string MediaTypeOf(ReadOnlySpan<byte> bytes) => ImageDecoder.Sniff(bytes) switch
    {
        ImageFormat.Png => "image/png",
        ImageFormat.Jpeg => "image/jpeg",
        ImageFormat.Dicom => "application/dicom",
        ImageFormat.Zip => DecodedImage.CtSeriesMediaType,
        _ => "application/octet-stream",
    };
}
