namespace ReportGen.Imaging.Dicom;

/// <summary>
/// What the DICOM header says one frame is, handed to a codec so it can check its stream against it (and so RLE,
/// whose stream has no header of its own, can decode at all).
/// </summary>
internal readonly record struct FrameGeometry(int Rows, int Columns, int SamplesPerPixel, int BitsAllocated, int BitsStored, bool Signed)
{
    /// <summary>
    /// The header's Photometric Interpretation, a hint for codecs whose stream may not say its colour space (a JPEG
    /// with neither JFIF nor Adobe marker nor telling component ids); null when unknown.
    /// </summary>
    public string? PhotometricInterpretation { get; init; }
}

/// <summary>
/// One decoded frame of encapsulated pixel data: integer samples interleaved by pixel (R,G,B,R,G,B,… for three
/// components), with the size, component count, precision and signedness the codestream itself declares.
/// Colour is returned as the stream holds it (no YCbCr→RGB here unless the codec's own format requires it);
/// the DICOM layer decides from the Photometric Interpretation.
/// </summary>
internal sealed record DecodedFrame(int Width, int Height, int Components, int Precision, bool Signed, int[] Samples)
{
    /// <summary>
    /// True when the codec's own format already turned three components into RGB (JPEG's YCbCr per JFIF/Adobe, a
    /// JPEG 2000 multiple-component transform), so the DICOM layer must not convert a YBR photometric again.
    /// </summary>
    public bool IsRgb { get; init; }
}

/// <summary>Decodes one frame's bytes (its fragments concatenated). Every failure is an <see cref="ImageDecodeException"/>.</summary>
internal delegate DecodedFrame FrameCodec(ReadOnlySpan<byte> data, FrameGeometry expected, ImageDecodeOptions options);

/// <summary>The codec for each compressed transfer syntax we decode: one line per syntax.</summary>
internal static class DicomFrameCodecs
{
    private static readonly Dictionary<string, FrameCodec> Codecs = new(StringComparer.Ordinal)
    {
        [DicomTransferSyntax.JpegBaseline] = Jpeg.JpegDecoder.DecodeFrame,
        [DicomTransferSyntax.JpegExtended] = Jpeg.JpegDecoder.DecodeFrame, // 8- and 12-bit
        ["1.2.840.10008.1.2.4.53"] = Jpeg.JpegDecoder.DecodeFrame, // retired spectral selection: progressive Huffman JPEG
        ["1.2.840.10008.1.2.4.55"] = Jpeg.JpegDecoder.DecodeFrame, // retired full progression: progressive Huffman JPEG
        ["1.2.840.10008.1.2.4.57"] = Jpeg.JpegDecoder.DecodeFrame, // JPEG Lossless, Process 14
        ["1.2.840.10008.1.2.4.70"] = Jpeg.JpegDecoder.DecodeFrame, // JPEG Lossless, Process 14 SV1
        ["1.2.840.10008.1.2.4.80"] = JpegLs.JpegLsDecoder.Decode, // JPEG-LS Lossless
        ["1.2.840.10008.1.2.4.81"] = JpegLs.JpegLsDecoder.Decode, // JPEG-LS Near-Lossless
        ["1.2.840.10008.1.2.5"] = Rle.RleCodec.Decode, // RLE Lossless
        ["1.2.840.10008.1.2.4.90"] = Jpeg2000.Jpeg2000Decoder.DecodeFrame, // JPEG 2000 Lossless Only
        ["1.2.840.10008.1.2.4.91"] = Jpeg2000.Jpeg2000Decoder.DecodeFrame, // JPEG 2000 (lossy or lossless)
        ["1.2.840.10008.1.2.4.92"] = Jpeg2000.Jpeg2000Decoder.DecodeFrame, // Part 2 multi-component lossless: Part 1 streams decode, Part 2 markers are refused
        ["1.2.840.10008.1.2.4.93"] = Jpeg2000.Jpeg2000Decoder.DecodeFrame, // Part 2 multi-component
    };

    /// <summary>The codec for a transfer syntax UID, if we have one.</summary>
    public static bool TryGet(string transferSyntaxUid, out FrameCodec codec) => Codecs.TryGetValue(transferSyntaxUid, out codec!);

    /// <summary>Every transfer syntax UID with a codec line.</summary>
    public static IEnumerable<string> Registered => Codecs.Keys;
}
