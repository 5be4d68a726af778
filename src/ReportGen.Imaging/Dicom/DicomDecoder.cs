namespace ReportGen.Imaging.Dicom;

/// <summary>Decodes DICOM Part 10 bytes to images (see <see cref="DicomFile"/> for attributes and modality values).</summary>
public static class DicomDecoder
{
    /// <summary>Frame <see cref="ImageDecodeOptions.Frame"/> (default 0) as a <see cref="PixelImage"/>.</summary>
    public static PixelImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        return DicomFile.Parse(data, options).DecodeFrame(options.Frame);
    }

    /// <summary>All frames of a (multi-frame) DICOM.</summary>
    public static IReadOnlyList<PixelImage> DecodeAllFrames(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null) =>
        DicomFile.Parse(data, options).DecodeAllFrames();
}
