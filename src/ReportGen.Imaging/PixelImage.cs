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
    /// <summary>DICOM Photometric Interpretation (0028,0004) of the source, e.g. MONOCHROME1 (already inverted in the pixels).</summary>
    public string? PhotometricInterpretation { get; init; }
    /// <summary>DICOM Transfer Syntax UID (0002,0010).</summary>
    public string? TransferSyntaxUid { get; init; }
    /// <summary>DICOM Series Instance UID (0020,000E).</summary>
    public string? SeriesInstanceUid { get; init; }
    /// <summary>DICOM Number of Frames (0028,0008), 1 when absent.</summary>
    public int? NumberOfFrames { get; init; }
    /// <summary>Which frame (0-based) of a multi-frame source this image is.</summary>
    public int? FrameIndex { get; init; }
    /// <summary>Rescale Slope (0028,1053) applied to stored values (1 when absent).</summary>
    public double? RescaleSlope { get; init; }
    /// <summary>Rescale Intercept (0028,1052) applied to stored values (0 when absent).</summary>
    public double? RescaleIntercept { get; init; }
    /// <summary>The window (centre, width) that mapped modality values to [0, 1]: the VOI window, a named CT window, or the frame's min/max.</summary>
    public (double Center, double Width)? Window { get; init; }
    /// <summary>DICOM Image Position (Patient) (0020,0032): x, y, z of the first pixel in mm.</summary>
    public IReadOnlyList<double>? ImagePositionPatient { get; init; }
    /// <summary>DICOM Image Orientation (Patient) (0020,0037): row then column direction cosines.</summary>
    public IReadOnlyList<double>? ImageOrientationPatient { get; init; }
    /// <summary>DICOM Slice Thickness (0018,0050) in mm.</summary>
    public double? SliceThickness { get; init; }
    /// <summary>DICOM Instance Number (0020,0013).</summary>
    public int? InstanceNumber { get; init; }
}
