namespace ReportGen.Imaging;

/// <summary>
/// A decoded 2-D image as the encoders consume it: interleaved (HWC) float samples in [0, 1] after
/// any DICOM rescale, VOI window and MONOCHROME1 inversion, with 1 (grey), 3 (RGB) or 4 (RGBA) channels.
/// </summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Channels">1, 3 or 4.</param>
/// <param name="Pixels">Width × Height × Channels samples, row-major, channels interleaved.</param>
public sealed record PixelImage(int Width, int Height, int Channels, float[] Pixels)
{
    /// <summary>Tags and facts a report needs (modality, view, body part, study date, pixel spacing), when the source had them.</summary>
    public ImageMetadata Metadata { get; init; } = ImageMetadata.Empty;
}

/// <summary>What the source file says about the image (mostly DICOM tags).</summary>
public sealed record ImageMetadata
{
    /// <summary>No metadata.</summary>
    public static ImageMetadata Empty { get; } = new();
    /// <summary>Source format: png, jpeg, dicom.</summary>
    public string? Format { get; init; }
    /// <summary>DICOM Modality (0008,0060), e.g. CR, DX, CT.</summary>
    public string? Modality { get; init; }
    /// <summary>DICOM View Position (0018,5101), e.g. PA, AP, LL.</summary>
    public string? ViewPosition { get; init; }
    /// <summary>DICOM Body Part Examined (0018,0015).</summary>
    public string? BodyPart { get; init; }
    /// <summary>DICOM Study Date (0008,0020), yyyyMMdd.</summary>
    public string? StudyDate { get; init; }
    /// <summary>Pixel spacing in mm (row, column), when known.</summary>
    public (double Row, double Column)? PixelSpacing { get; init; }
    /// <summary>Bits stored in the source (8, 12, 16).</summary>
    public int? BitsStored { get; init; }
}
