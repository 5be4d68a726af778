using ReportGen.Core.Imaging;

namespace ReportGen.Imaging;

/// <summary>
/// <see cref="IRgbImageDecoder"/> over <see cref="ImageDecoder"/>: PNG, JPEG and DICOM (rescale, VOI window, MONOCHROME1
/// already applied) to 8-bit RGB for llama.cpp's multimodal library. Grey is replicated into R, G and B; alpha is dropped
/// (as stb_image does when llama.cpp asks it for three channels). An 8-bit source keeps its exact byte values.
/// </summary>
/// <param name="options">Decoder limits; null for the defaults.</param>
public sealed class RgbImageDecoder(ImageDecodeOptions? options = null) : IRgbImageDecoder
{
    /// <inheritdoc />
    /// <exception cref="ImageDecodeException">Not a decodable single image (a CT series zip included).</exception>
    public RgbImage Decode(ReadOnlyMemory<byte> image, string? mediaType, DecodedImage? decoded = null) =>
        ToRgb(decoded?.Pixels as PixelImage ?? ImageDecoder.Decode(image.Span, options));

    /// <summary>Converts decoded [0, 1] samples to 8-bit RGB.</summary>
    public static RgbImage ToRgb(PixelImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var n = image.Width * image.Height;
        var rgb = new byte[n * 3];
        var src = image.Pixels;
        var c = image.Channels;
        for (var i = 0; i < n; i++)
        {
            if (c < 3)
            {
                var g = ToByte(src[i * c]);
                rgb[i * 3] = g;
                rgb[i * 3 + 1] = g;
                rgb[i * 3 + 2] = g;
            }
            else
            {
                rgb[i * 3] = ToByte(src[i * c]);
                rgb[i * 3 + 1] = ToByte(src[i * c + 1]);
                rgb[i * 3 + 2] = ToByte(src[i * c + 2]);
            }
        }
        return new RgbImage(image.Width, image.Height, rgb);
    }

    private static byte ToByte(float v) => (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f);
}
