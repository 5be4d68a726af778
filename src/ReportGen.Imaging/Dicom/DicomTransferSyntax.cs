namespace ReportGen.Imaging.Dicom;

/// <summary>The transfer syntaxes we know by name (PS3.6 Annex A), and which of them we decode.</summary>
public static class DicomTransferSyntax
{
    /// <summary>Implicit VR Little Endian.</summary>
    public const string ImplicitVrLittleEndian = "1.2.840.10008.1.2";
    /// <summary>Explicit VR Little Endian.</summary>
    public const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";
    /// <summary>Deflated Explicit VR Little Endian.</summary>
    public const string DeflatedExplicitVrLittleEndian = "1.2.840.10008.1.2.1.99";
    /// <summary>Explicit VR Big Endian (retired, still found in old archives).</summary>
    public const string ExplicitVrBigEndian = "1.2.840.10008.1.2.2";
    /// <summary>JPEG Baseline (Process 1), encapsulated.</summary>
    public const string JpegBaseline = "1.2.840.10008.1.2.4.50";
    /// <summary>JPEG Extended (Process 2 &amp; 4).</summary>
    public const string JpegExtended = "1.2.840.10008.1.2.4.51";

    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        [ImplicitVrLittleEndian] = "Implicit VR Little Endian",
        [ExplicitVrLittleEndian] = "Explicit VR Little Endian",
        ["1.2.840.10008.1.2.1.98"] = "Encapsulated Uncompressed Explicit VR Little Endian",
        [DeflatedExplicitVrLittleEndian] = "Deflated Explicit VR Little Endian",
        [ExplicitVrBigEndian] = "Explicit VR Big Endian (retired)",
        [JpegBaseline] = "JPEG Baseline (Process 1)",
        [JpegExtended] = "JPEG Extended (Process 2 & 4)",
        ["1.2.840.10008.1.2.4.52"] = "JPEG Extended (Process 3 & 5) (retired)",
        ["1.2.840.10008.1.2.4.53"] = "JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8) (retired)",
        ["1.2.840.10008.1.2.4.54"] = "JPEG Spectral Selection, Non-Hierarchical (Process 7 & 9) (retired)",
        ["1.2.840.10008.1.2.4.55"] = "JPEG Full Progression, Non-Hierarchical (Process 10 & 12) (retired)",
        ["1.2.840.10008.1.2.4.56"] = "JPEG Full Progression, Non-Hierarchical (Process 11 & 13) (retired)",
        ["1.2.840.10008.1.2.4.57"] = "JPEG Lossless, Non-Hierarchical (Process 14)",
        ["1.2.840.10008.1.2.4.58"] = "JPEG Lossless, Non-Hierarchical (Process 15) (retired)",
        ["1.2.840.10008.1.2.4.59"] = "JPEG Extended, Hierarchical (Process 16 & 18) (retired)",
        ["1.2.840.10008.1.2.4.60"] = "JPEG Extended, Hierarchical (Process 17 & 19) (retired)",
        ["1.2.840.10008.1.2.4.61"] = "JPEG Spectral Selection, Hierarchical (Process 20 & 22) (retired)",
        ["1.2.840.10008.1.2.4.62"] = "JPEG Spectral Selection, Hierarchical (Process 21 & 23) (retired)",
        ["1.2.840.10008.1.2.4.63"] = "JPEG Full Progression, Hierarchical (Process 24 & 26) (retired)",
        ["1.2.840.10008.1.2.4.64"] = "JPEG Full Progression, Hierarchical (Process 25 & 27) (retired)",
        ["1.2.840.10008.1.2.4.65"] = "JPEG Lossless, Hierarchical (Process 28) (retired)",
        ["1.2.840.10008.1.2.4.66"] = "JPEG Lossless, Hierarchical (Process 29) (retired)",
        ["1.2.840.10008.1.2.4.70"] = "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 SV1)",
        ["1.2.840.10008.1.2.4.80"] = "JPEG-LS Lossless",
        ["1.2.840.10008.1.2.4.81"] = "JPEG-LS Near-Lossless",
        ["1.2.840.10008.1.2.4.90"] = "JPEG 2000 Lossless Only",
        ["1.2.840.10008.1.2.4.91"] = "JPEG 2000",
        ["1.2.840.10008.1.2.4.92"] = "JPEG 2000 Part 2 Multi-component Lossless Only",
        ["1.2.840.10008.1.2.4.93"] = "JPEG 2000 Part 2 Multi-component",
        ["1.2.840.10008.1.2.4.94"] = "JPIP Referenced",
        ["1.2.840.10008.1.2.4.95"] = "JPIP Referenced Deflate",
        ["1.2.840.10008.1.2.4.100"] = "MPEG2 Main Profile / Main Level",
        ["1.2.840.10008.1.2.4.100.1"] = "Fragmentable MPEG2 Main Profile / Main Level",
        ["1.2.840.10008.1.2.4.101"] = "MPEG2 Main Profile / High Level",
        ["1.2.840.10008.1.2.4.101.1"] = "Fragmentable MPEG2 Main Profile / High Level",
        ["1.2.840.10008.1.2.4.102"] = "MPEG-4 AVC/H.264 High Profile / Level 4.1",
        ["1.2.840.10008.1.2.4.102.1"] = "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1",
        ["1.2.840.10008.1.2.4.103"] = "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1",
        ["1.2.840.10008.1.2.4.103.1"] = "Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1",
        ["1.2.840.10008.1.2.4.104"] = "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video",
        ["1.2.840.10008.1.2.4.104.1"] = "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video",
        ["1.2.840.10008.1.2.4.105"] = "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video",
        ["1.2.840.10008.1.2.4.105.1"] = "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video",
        ["1.2.840.10008.1.2.4.106"] = "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2",
        ["1.2.840.10008.1.2.4.106.1"] = "Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2",
        ["1.2.840.10008.1.2.4.107"] = "HEVC/H.265 Main Profile / Level 5.1",
        ["1.2.840.10008.1.2.4.108"] = "HEVC/H.265 Main 10 Profile / Level 5.1",
        ["1.2.840.10008.1.2.4.110"] = "JPEG XL Lossless",
        ["1.2.840.10008.1.2.4.111"] = "JPEG XL JPEG Recompression",
        ["1.2.840.10008.1.2.4.112"] = "JPEG XL",
        ["1.2.840.10008.1.2.4.201"] = "High-Throughput JPEG 2000 Lossless Only",
        ["1.2.840.10008.1.2.4.202"] = "High-Throughput JPEG 2000 with RPCL Options Lossless Only",
        ["1.2.840.10008.1.2.4.203"] = "High-Throughput JPEG 2000",
        ["1.2.840.10008.1.2.4.204"] = "JPIP HTJ2K Referenced",
        ["1.2.840.10008.1.2.4.205"] = "JPIP HTJ2K Referenced Deflate",
        ["1.2.840.10008.1.2.5"] = "RLE Lossless",
        ["1.2.840.10008.1.2.6.1"] = "RFC 2557 MIME Encapsulation (retired)",
        ["1.2.840.10008.1.2.6.2"] = "XML Encoding (retired)",
        ["1.2.840.10008.1.2.7.1"] = "SMPTE ST 2110-20 Uncompressed Progressive Active Video",
        ["1.2.840.10008.1.2.7.2"] = "SMPTE ST 2110-20 Uncompressed Interlaced Active Video",
        ["1.2.840.10008.1.2.7.3"] = "SMPTE ST 2110-30 PCM Digital Audio",
        ["1.2.840.10008.1.20"] = "Papyrus 3 Implicit VR Little Endian (retired)",
        ["1.2.840.113619.5.2"] = "GE Private Implicit VR Big Endian",
    };

    /// <summary>Every transfer syntax UID we know by name, in PS3.6 order (for support tables and tests).</summary>
    public static IEnumerable<string> Known => Names.Keys;

    /// <summary>A human name for a transfer syntax UID ("unknown" when we do not know it).</summary>
    public static string NameOf(string uid) => Names.TryGetValue(uid, out var n) ? n : "unknown";

    /// <summary>Syntaxes whose pixel data is native (uncompressed) and read by <see cref="DicomFile"/> itself.</summary>
    internal static bool IsNative(string uid) =>
        uid is ImplicitVrLittleEndian or ExplicitVrLittleEndian or DeflatedExplicitVrLittleEndian or ExplicitVrBigEndian;

    /// <summary>Whether <see cref="DicomFile"/> decodes pixel data in this transfer syntax: native, or a codec is registered.</summary>
    public static bool IsSupported(string uid) => IsNative(uid) || DicomFrameCodecs.TryGet(uid, out _);

    internal static ImageDecodeException Unsupported(string uid) =>
        new(ImageDecodeErrorCodes.UnsupportedTransferSyntax, $"unsupported transfer syntax {uid} ({NameOf(uid)})");
}
