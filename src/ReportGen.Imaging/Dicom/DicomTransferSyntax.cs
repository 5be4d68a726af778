namespace ReportGen.Imaging.Dicom;

/// <summary>The transfer syntaxes we know by name, and which of them we decode.</summary>
public static class DicomTransferSyntax
{
    /// <summary>Implicit VR Little Endian.</summary>
    public const string ImplicitVrLittleEndian = "1.2.840.10008.1.2";
    /// <summary>Explicit VR Little Endian.</summary>
    public const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";
    /// <summary>Deflated Explicit VR Little Endian.</summary>
    public const string DeflatedExplicitVrLittleEndian = "1.2.840.10008.1.2.1.99";
    /// <summary>JPEG Baseline (Process 1), encapsulated.</summary>
    public const string JpegBaseline = "1.2.840.10008.1.2.4.50";
    /// <summary>JPEG Extended (Process 2 &amp; 4): decoded when the stream is 8-bit Huffman.</summary>
    public const string JpegExtended = "1.2.840.10008.1.2.4.51";

    private static readonly Dictionary<string, string> Names = new()
    {
        [ImplicitVrLittleEndian] = "Implicit VR Little Endian",
        [ExplicitVrLittleEndian] = "Explicit VR Little Endian",
        [DeflatedExplicitVrLittleEndian] = "Deflated Explicit VR Little Endian",
        ["1.2.840.10008.1.2.2"] = "Explicit VR Big Endian",
        [JpegBaseline] = "JPEG Baseline (Process 1)",
        [JpegExtended] = "JPEG Extended (Process 2 & 4)",
        ["1.2.840.10008.1.2.4.57"] = "JPEG Lossless, Non-Hierarchical (Process 14)",
        ["1.2.840.10008.1.2.4.70"] = "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 SV1)",
        ["1.2.840.10008.1.2.4.80"] = "JPEG-LS Lossless",
        ["1.2.840.10008.1.2.4.81"] = "JPEG-LS Near-Lossless",
        ["1.2.840.10008.1.2.4.90"] = "JPEG 2000 Lossless Only",
        ["1.2.840.10008.1.2.4.91"] = "JPEG 2000",
        ["1.2.840.10008.1.2.4.92"] = "JPEG 2000 Part 2 Multi-component Lossless Only",
        ["1.2.840.10008.1.2.4.93"] = "JPEG 2000 Part 2 Multi-component",
        ["1.2.840.10008.1.2.4.100"] = "MPEG2 Main Profile / Main Level",
        ["1.2.840.10008.1.2.4.102"] = "MPEG-4 AVC/H.264 High Profile / Level 4.1",
        ["1.2.840.10008.1.2.4.201"] = "High-Throughput JPEG 2000 Lossless Only",
        ["1.2.840.10008.1.2.4.202"] = "High-Throughput JPEG 2000 with RPCL Options Lossless Only",
        ["1.2.840.10008.1.2.4.203"] = "High-Throughput JPEG 2000",
        ["1.2.840.10008.1.2.5"] = "RLE Lossless",
    };

    /// <summary>A human name for a transfer syntax UID ("unknown" when we do not know it).</summary>
    public static string NameOf(string uid) => Names.TryGetValue(uid, out var n) ? n : "unknown";

    /// <summary>Whether <see cref="DicomFile"/> decodes pixel data in this transfer syntax.</summary>
    public static bool IsSupported(string uid) =>
        uid is ImplicitVrLittleEndian or ExplicitVrLittleEndian or DeflatedExplicitVrLittleEndian or JpegBaseline or JpegExtended;

    internal static ImageDecodeException Unsupported(string uid) =>
        new(ImageDecodeErrorCodes.UnsupportedTransferSyntax, $"unsupported transfer syntax {uid} ({NameOf(uid)})");
}
