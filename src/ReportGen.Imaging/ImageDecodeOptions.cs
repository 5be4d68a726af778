namespace ReportGen.Imaging;

/// <summary>Limits and choices for <see cref="ImageDecoder"/>. The defaults suit one radiograph or a CT series.</summary>
public sealed record ImageDecodeOptions
{
    /// <summary>Every limit at its default (listed on each property); used when a caller passes no options.</summary>
    public static ImageDecodeOptions Default { get; } = new();

    /// <summary>Largest input accepted, in bytes (a file, or a zip of a series). Default 1 GiB.</summary>
    public long MaxInputBytes { get; init; } = 1L << 30;

    /// <summary>Largest width × height × frames (× slices for a series) accepted. Default 2^28 (≈268 M).</summary>
    public long MaxPixels { get; init; } = 1L << 28;

    /// <summary>
    /// Decompression-bomb limit: largest ratio of inflated to compressed bytes accepted for a zip entry or a
    /// deflated DICOM (zlib cannot legitimately exceed ≈1032:1). PNG inflation is bounded by its header instead.
    /// </summary>
    public double MaxCompressionRatio { get; init; } = 1100;

    /// <summary>Largest total of inflated bytes over all entries of a zip. Default 4 GiB.</summary>
    public long MaxInflatedBytes { get; init; } = 4L << 30;

    /// <summary>Check PNG chunk CRCs (a mismatch is <see cref="ImageDecodeErrorCodes.Corrupt"/>). Default true.</summary>
    public bool VerifyPngCrc { get; init; } = true;

    /// <summary>Which frame of a multi-frame DICOM <see cref="ImageDecoder.Decode(ReadOnlySpan{byte}, ImageDecodeOptions?)"/> returns (0-based). Default 0.</summary>
    public int Frame { get; init; }

    /// <summary>
    /// Map DICOM values to [0, 1] through the VOI window (Window Center/Width, first value; else the frame's
    /// min/max). When false, the min/max of the modality values is always used. Default true.
    /// </summary>
    public bool ApplyVoiWindow { get; init; } = true;

    /// <summary>Most files accepted in a CT series (zip entries or paths). Default 4096.</summary>
    public int MaxSeriesFiles { get; init; } = 4096;
}
