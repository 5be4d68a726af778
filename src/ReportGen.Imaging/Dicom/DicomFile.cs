using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace ReportGen.Imaging.Dicom;

/// <summary>
/// A parsed DICOM Part 10 file: the attributes a report and the pixel pipeline need, and the pixel data.
/// Reads explicit and implicit VR little endian (and deflated explicit VR LE); sequences of defined or
/// undefined length are skipped; pixel data may be native or encapsulated (JPEG baseline/extended 8-bit).
/// </summary>
public sealed class DicomFile
{
    private const uint TagPixelData = 0x7FE00010;
    private const uint TagItem = 0xFFFEE000, TagItemDelimiter = 0xFFFEE00D, TagSequenceDelimiter = 0xFFFEE0DD;
    private const int MaxSequenceDepth = 32;

    private readonly byte[] _data;
    private readonly Dictionary<uint, (int Offset, int Length)> _elements = [];
    private readonly ImageDecodeOptions _options;
    private (int Offset, int Length) _nativePixels = (-1, 0);
    private List<(int Offset, int Length)>? _fragments;
    private uint[]? _basicOffsets;

    private DicomFile(byte[] data, ImageDecodeOptions options)
    {
        _data = data;
        _options = options;
    }

    /// <summary>Transfer Syntax UID from the file meta information.</summary>
    public string TransferSyntaxUid { get; private set; } = "";
    /// <summary>True when the pixel data is encapsulated (compressed fragments).</summary>
    public bool IsEncapsulated => _fragments is not null;
    /// <summary>Rows (0028,0010).</summary>
    public int Rows { get; private set; }
    /// <summary>Columns (0028,0011).</summary>
    public int Columns { get; private set; }
    /// <summary>Samples per Pixel (0028,0002): 1 or 3.</summary>
    public int SamplesPerPixel { get; private set; } = 1;
    /// <summary>Bits Allocated (0028,0100).</summary>
    public int BitsAllocated { get; private set; }
    /// <summary>Bits Stored (0028,0101).</summary>
    public int BitsStored { get; private set; }
    /// <summary>High Bit (0028,0102).</summary>
    public int HighBit { get; private set; }
    /// <summary>Pixel Representation (0028,0103): 0 unsigned, 1 two's complement.</summary>
    public int PixelRepresentation { get; private set; }
    /// <summary>Planar Configuration (0028,0006): 0 interleaved, 1 colour-by-plane.</summary>
    public int PlanarConfiguration { get; private set; }
    /// <summary>Number of Frames (0028,0008), 1 when absent.</summary>
    public int NumberOfFrames { get; private set; } = 1;
    /// <summary>Photometric Interpretation (0028,0004).</summary>
    public string PhotometricInterpretation { get; private set; } = "";
    /// <summary>Rescale Slope (0028,1053), 1 when absent.</summary>
    public double RescaleSlope { get; private set; } = 1;
    /// <summary>Rescale Intercept (0028,1052), 0 when absent.</summary>
    public double RescaleIntercept { get; private set; }
    /// <summary>First value of Window Center (0028,1050).</summary>
    public double? WindowCenter { get; private set; }
    /// <summary>First value of Window Width (0028,1051).</summary>
    public double? WindowWidth { get; private set; }
    /// <summary>Modality (0008,0060).</summary>
    public string? Modality => GetString(0x0008, 0x0060);
    /// <summary>View Position (0018,5101).</summary>
    public string? ViewPosition => GetString(0x0018, 0x5101);
    /// <summary>Body Part Examined (0018,0015).</summary>
    public string? BodyPart => GetString(0x0018, 0x0015);
    /// <summary>Study Date (0008,0020).</summary>
    public string? StudyDate => GetString(0x0008, 0x0020);
    /// <summary>Series Instance UID (0020,000E).</summary>
    public string? SeriesInstanceUid => GetString(0x0020, 0x000E);
    /// <summary>Pixel Spacing (0028,0030), else Imager Pixel Spacing (0018,1164): row, column in mm.</summary>
    public (double Row, double Column)? PixelSpacing =>
        (GetNumbers(0x0028, 0x0030) ?? GetNumbers(0x0018, 0x1164)) is [var r, var c, ..] ? (r, c) : null;
    /// <summary>Image Position (Patient) (0020,0032).</summary>
    public double[]? ImagePositionPatient => GetNumbers(0x0020, 0x0032) is { Length: >= 3 } p ? p[..3] : null;
    /// <summary>Image Orientation (Patient) (0020,0037).</summary>
    public double[]? ImageOrientationPatient => GetNumbers(0x0020, 0x0037) is { Length: >= 6 } o ? o[..6] : null;
    /// <summary>Slice Thickness (0018,0050).</summary>
    public double? SliceThickness => GetNumbers(0x0018, 0x0050) is [var t, ..] ? t : null;
    /// <summary>Instance Number (0020,0013).</summary>
    public int? InstanceNumber => GetNumbers(0x0020, 0x0013) is [var n, ..] && n is >= int.MinValue and <= int.MaxValue ? (int)n : null;

    /// <summary>Parses a Part 10 file ("DICM" at offset 128).</summary>
    /// <exception cref="ImageDecodeException">Bad magic, truncation, lying lengths, unsupported transfer syntax, over-limit sizes.</exception>
    public static DicomFile Parse(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        if (data.Length > options.MaxInputBytes) throw Fail.TooLarge($"DICOM of {data.Length} bytes exceeds MaxInputBytes {options.MaxInputBytes}");
        if (data.Length < 132 || !data.Slice(128, 4).SequenceEqual("DICM"u8))
            throw new ImageDecodeException(ImageDecodeErrorCodes.BadMagic, "not a DICOM Part 10 file: 'DICM' missing at offset 128");
        var bytes = data.ToArray();
        // File meta information: always explicit VR little endian, group 0002.
        var meta = new DicomFile(bytes, options);
        int pos = 132;
        meta.ReadDataset(ref pos, bytes.Length, explicitVr: true, depth: 0, metaOnly: true, out _);
        int metaEnd = pos;
        var ts = meta.GetString(0x0002, 0x0010)?.TrimEnd('\0', ' ')
                 ?? throw Fail.Corrupt("DICOM file meta information has no Transfer Syntax UID (0002,0010)");
        if (!DicomTransferSyntax.IsSupported(ts)) throw DicomTransferSyntax.Unsupported(ts);

        DicomFile file;
        int start;
        if (ts == DicomTransferSyntax.DeflatedExplicitVrLittleEndian)
        {
            var inflated = Inflate(bytes.AsSpan(metaEnd), options);
            file = new DicomFile(inflated, options);
            start = 0;
        }
        else
        {
            file = new DicomFile(bytes, options);
            start = metaEnd;
        }
        foreach (var kv in meta._elements) file._elements[kv.Key] = kv.Value.Offset >= 0 && ts != DicomTransferSyntax.DeflatedExplicitVrLittleEndian ? kv.Value : (-1, 0);
        file.TransferSyntaxUid = ts;
        pos = start;
        file.ReadDataset(ref pos, file._data.Length, explicitVr: ts != DicomTransferSyntax.ImplicitVrLittleEndian, depth: 0, metaOnly: false, out bool delimited);
        if (delimited) throw Fail.Corrupt("DICOM item delimiter at the top level of the data set");
        file.ReadImageAttributes();
        return file;
    }

    private static byte[] Inflate(ReadOnlySpan<byte> compressed, ImageDecodeOptions options)
    {
        long limit = (long)Math.Min(Math.Min(options.MaxInflatedBytes, Array.MaxLength), Math.Max(1, compressed.Length) * options.MaxCompressionRatio);
        using var input = new MemoryStream(compressed.ToArray());
        using var z = new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buf = new byte[81920];
        try
        {
            int n;
            while ((n = z.Read(buf, 0, buf.Length)) > 0)
            {
                if (output.Length + n > limit) throw Fail.Bomb($"deflated DICOM inflates past {limit} bytes ({options.MaxCompressionRatio}:1 limit)");
                output.Write(buf, 0, n);
            }
        }
        catch (InvalidDataException e)
        {
            throw new ImageDecodeException(ImageDecodeErrorCodes.Corrupt, "corrupt data: deflated DICOM data set is invalid", e);
        }
        return output.ToArray();
    }

    private static bool HasLongLength(ushort vr) => vr switch
    {
        ('O' << 8) | 'B' or ('O' << 8) | 'D' or ('O' << 8) | 'F' or ('O' << 8) | 'L' or ('O' << 8) | 'V' or ('O' << 8) | 'W'
            or ('S' << 8) | 'Q' or ('U' << 8) | 'C' or ('U' << 8) | 'N' or ('U' << 8) | 'R' or ('U' << 8) | 'T'
            or ('S' << 8) | 'V' or ('U' << 8) | 'V' => true,
        _ => false,
    };

    private const ushort VrSQ = ('S' << 8) | 'Q';

    /// <summary>Reads elements until <paramref name="end"/>, an item delimiter (consumed; <paramref name="delimited"/> true), or (metaOnly) the end of group 0002.</summary>
    private void ReadDataset(ref int pos, int end, bool explicitVr, int depth, bool metaOnly, out bool delimited)
    {
        delimited = false;
        if (depth > MaxSequenceDepth) throw Fail.Corrupt($"DICOM sequences nested deeper than {MaxSequenceDepth}");
        var d = _data;
        while (pos < end)
        {
            if (end - pos < 8) throw Fail.Truncated($"DICOM element header at offset {pos}");
            ushort group = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(pos));
            ushort element = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(pos + 2));
            uint tag = (uint)group << 16 | element;
            if (metaOnly && group != 0x0002) return;
            if (tag == TagItemDelimiter)
            {
                pos += 8;
                delimited = true;
                return;
            }
            if (tag is TagItem or TagSequenceDelimiter)
                throw Fail.Corrupt($"DICOM item tag ({group:X4},{element:X4}) outside a sequence at offset {pos}");
            ushort vr = 0;
            uint length;
            int headerLen;
            if (explicitVr)
            {
                vr = (ushort)(d[pos + 4] << 8 | d[pos + 5]);
                if (HasLongLength(vr))
                {
                    if (end - pos < 12) throw Fail.Truncated($"DICOM element ({group:X4},{element:X4}) header");
                    length = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(pos + 8));
                    headerLen = 12;
                }
                else
                {
                    length = BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(pos + 6));
                    headerLen = 8;
                }
            }
            else
            {
                length = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(pos + 4));
                headerLen = 8;
            }
            pos += headerLen;
            if (length == 0xFFFFFFFF)
            {
                if (tag == TagPixelData && depth == 0)
                {
                    ReadEncapsulated(ref pos, end);
                    continue;
                }
                // An undefined length is only legal for sequences (and UN holding one): skip its items.
                SkipSequence(ref pos, end, explicitVr && vr != (('U' << 8) | 'N'), depth + 1);
                continue;
            }
            if (length > end - pos)
                throw Fail.Truncated($"DICOM element ({group:X4},{element:X4}) declares {length} bytes, only {end - pos} remain");
            if (depth == 0 && vr != VrSQ)
            {
                _elements[tag] = (pos, (int)length);
                if (tag == TagPixelData) _nativePixels = (pos, (int)length);
            }
            pos += (int)length;
        }
    }

    private void SkipSequence(ref int pos, int end, bool explicitVr, int depth)
    {
        if (depth > MaxSequenceDepth) throw Fail.Corrupt($"DICOM sequences nested deeper than {MaxSequenceDepth}");
        var d = _data;
        while (true)
        {
            if (end - pos < 8) throw Fail.Truncated("DICOM sequence of undefined length has no delimiter");
            uint tag = (uint)BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(pos)) << 16 | BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(pos + 2));
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(pos + 4));
            pos += 8;
            if (tag == TagSequenceDelimiter) return;
            if (tag != TagItem) throw Fail.Corrupt($"DICOM sequence holds tag {tag:X8} where an item was expected");
            if (length == 0xFFFFFFFF)
            {
                ReadDataset(ref pos, end, explicitVr, depth + 1, metaOnly: false, out bool closed);
                if (!closed) throw Fail.Truncated("DICOM item of undefined length has no delimiter");
                continue;
            }
            if (length > end - pos) throw Fail.Truncated($"DICOM sequence item declares {length} bytes, only {end - pos} remain");
            pos += (int)length;
        }
    }

    private void ReadEncapsulated(ref int pos, int end)
    {
        var d = _data;
        var fragments = new List<(int, int)>();
        bool first = true;
        while (true)
        {
            if (end - pos < 8) throw Fail.Truncated("DICOM encapsulated pixel data has no sequence delimiter");
            uint tag = (uint)BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(pos)) << 16 | BinaryPrimitives.ReadUInt16LittleEndian(d.AsSpan(pos + 2));
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(pos + 4));
            pos += 8;
            if (tag == TagSequenceDelimiter) break;
            if (tag != TagItem) throw Fail.Corrupt($"DICOM encapsulated pixel data holds tag {tag:X8} where a fragment was expected");
            if (length > end - pos) throw Fail.Truncated($"DICOM pixel data fragment declares {length} bytes, only {end - pos} remain");
            if (first)
            {
                if (length % 4 != 0) throw Fail.Corrupt("DICOM basic offset table length is not a multiple of 4");
                _basicOffsets = new uint[length / 4];
                for (int i = 0; i < _basicOffsets.Length; i++) _basicOffsets[i] = BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(pos + i * 4));
                first = false;
            }
            else
            {
                fragments.Add((pos, (int)length));
            }
            pos += (int)length;
        }
        if (first) throw Fail.Corrupt("DICOM encapsulated pixel data has no basic offset table item");
        _fragments = fragments;
    }

    /// <summary>A top-level attribute as text (trailing spaces/NULs trimmed), or null when absent.</summary>
    public string? GetString(ushort group, ushort element)
    {
        if (!_elements.TryGetValue((uint)group << 16 | element, out var e) || e.Offset < 0) return null;
        return Encoding.Latin1.GetString(_data, e.Offset, e.Length).TrimEnd(' ', '\0');
    }

    /// <summary>A top-level decimal/integer string attribute (DS/IS, backslash-separated) as numbers, or null.</summary>
    public double[]? GetNumbers(ushort group, ushort element)
    {
        var s = GetString(group, element);
        if (string.IsNullOrWhiteSpace(s)) return null;
        var parts = s.Split('\\');
        var result = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out result[i]) || !double.IsFinite(result[i]))
                return null;
        }
        return result;
    }

    private int? GetUShort(ushort group, ushort element)
    {
        if (!_elements.TryGetValue((uint)group << 16 | element, out var e) || e.Offset < 0 || e.Length < 2) return null;
        return BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(e.Offset));
    }

    private void ReadImageAttributes()
    {
        Rows = GetUShort(0x0028, 0x0010) ?? 0;
        Columns = GetUShort(0x0028, 0x0011) ?? 0;
        SamplesPerPixel = GetUShort(0x0028, 0x0002) ?? 1;
        BitsAllocated = GetUShort(0x0028, 0x0100) ?? 0;
        BitsStored = GetUShort(0x0028, 0x0101) ?? BitsAllocated;
        HighBit = GetUShort(0x0028, 0x0102) ?? BitsStored - 1;
        PixelRepresentation = GetUShort(0x0028, 0x0103) ?? 0;
        PlanarConfiguration = GetUShort(0x0028, 0x0006) ?? 0;
        PhotometricInterpretation = GetString(0x0028, 0x0004)?.Trim() ?? (SamplesPerPixel == 3 ? "RGB" : "MONOCHROME2");
        var frames = GetNumbers(0x0028, 0x0008);
        NumberOfFrames = frames is [var f, ..] ? (f >= 1 && f <= int.MaxValue ? (int)f : throw Fail.Corrupt($"DICOM Number of Frames {f}")) : 1;
        RescaleSlope = GetNumbers(0x0028, 0x1053) is [var s, ..] && s != 0 ? s : 1;
        RescaleIntercept = GetNumbers(0x0028, 0x1052) is [var i, ..] ? i : 0;
        WindowCenter = GetNumbers(0x0028, 0x1050) is [var c, ..] ? c : null;
        WindowWidth = GetNumbers(0x0028, 0x1051) is [var w, ..] ? w : null;
    }

    /// <summary>What the file says about itself, for <see cref="PixelImage.Metadata"/>.</summary>
    public ImageMetadata Metadata => new()
    {
        Format = "dicom",
        Modality = Modality,
        ViewPosition = ViewPosition,
        BodyPart = BodyPart,
        StudyDate = StudyDate,
        PixelSpacing = PixelSpacing,
        BitsStored = BitsStored,
        PhotometricInterpretation = PhotometricInterpretation,
        TransferSyntaxUid = TransferSyntaxUid,
        SeriesInstanceUid = SeriesInstanceUid,
        NumberOfFrames = NumberOfFrames,
        RescaleSlope = RescaleSlope,
        RescaleIntercept = RescaleIntercept,
        ImagePositionPatient = ImagePositionPatient,
        ImageOrientationPatient = ImageOrientationPatient,
        SliceThickness = SliceThickness,
        InstanceNumber = InstanceNumber,
    };

    /// <summary>
    /// Modality values of a greyscale frame (stored values after Bits Stored masking, sign and Rescale Slope/Intercept;
    /// Hounsfield units for CT), row-major, Rows × Columns.
    /// </summary>
    /// <exception cref="ImageDecodeException">Bad frame index, colour image, or pixel data that does not match the header.</exception>
    public float[] ReadModalityValues(int frame = 0) => DicomPixelData.ModalityValues(this, frame);

    /// <summary>One frame as a <see cref="PixelImage"/> in [0, 1]: VOI window (or min/max), MONOCHROME1 inverted; RGB for colour.</summary>
    /// <exception cref="ImageDecodeException">Bad frame index or pixel data.</exception>
    public PixelImage DecodeFrame(int frame = 0) => DicomPixelData.DecodeFrame(this, frame);

    /// <summary>Every frame, in order.</summary>
    public IReadOnlyList<PixelImage> DecodeAllFrames()
    {
        var frames = new PixelImage[NumberOfFrames];
        for (int i = 0; i < frames.Length; i++) frames[i] = DicomPixelData.DecodeFrame(this, i);
        return frames;
    }

    internal byte[] Data => _data;
    internal (int Offset, int Length) NativePixels => _nativePixels;
    internal IReadOnlyList<(int Offset, int Length)>? Fragments => _fragments;
    internal uint[]? BasicOffsets => _basicOffsets;
    internal ImageDecodeOptions Options => _options;
}

