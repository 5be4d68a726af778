using System.Buffers.Binary;
using System.IO.Compression;

namespace ReportGen.Imaging.Dicom;

/// <summary>
/// A parsed DICOM file: the attributes a report and the pixel pipeline need, and the pixel data.
/// Reads Part 10 files ("DICM" at offset 128) and bare data sets without preamble and meta information (as dcmtk and
/// pydicom do); explicit and implicit VR little endian, deflated explicit VR little endian and explicit VR big endian.
/// Sequences are skipped except those the pixel pipeline needs (Modality/VOI LUT, functional groups), whose items are read.
/// Pixel data may be native or encapsulated (decoded by the codec registered for the transfer syntax).
/// </summary>
public sealed class DicomFile
{
    private const uint TagPixelData = 0x7FE00010, TagFloatPixelData = 0x7FE00008, TagDoublePixelData = 0x7FE00009;
    private const uint TagItem = 0xFFFEE000, TagItemDelimiter = 0xFFFEE00D, TagSequenceDelimiter = 0xFFFEE0DD;
    private const int MaxSequenceDepth = 32;
    private const ushort VrSQ = ('S' << 8) | 'Q', VrUN = ('U' << 8) | 'N';

    /// <summary>Sequences whose items the pixel pipeline reads; every other sequence is skipped unread.</summary>
    private static readonly HashSet<uint> ReadSequences =
    [
        0x00283000, // Modality LUT Sequence
        0x00283010, // VOI LUT Sequence
        0x52009229, // Shared Functional Groups Sequence
        0x52009230, // Per-frame Functional Groups Sequence
        0x00289145, // Pixel Value Transformation Sequence
        0x00289132, // Frame VOI LUT Sequence
    ];

    private readonly byte[] _data;
    private readonly bool _bigEndian;
    private readonly DicomItem _root;
    private DicomItem _meta;
    private readonly ImageDecodeOptions _options;
    private (int Offset, int Length, ushort Vr) _nativePixels = (-1, 0, 0);
    private uint _pixelTag;
    private List<(int Offset, int Length)>? _fragments;
    private uint[]? _basicOffsets;

    private DicomFile(byte[] data, ImageDecodeOptions options, bool bigEndian)
    {
        _data = data;
        _options = options;
        _bigEndian = bigEndian;
        _root = new DicomItem(data, bigEndian);
        _meta = _root;
    }

    /// <summary>Transfer Syntax UID from the file meta information (or, for a bare data set, the encoding we detected).</summary>
    public string TransferSyntaxUid { get; private set; } = "";
    /// <summary>True when the file had the 128-byte preamble, "DICM" and file meta information.</summary>
    public bool HasFileMeta { get; private set; }
    /// <summary>True when the pixel data is encapsulated (compressed fragments).</summary>
    public bool IsEncapsulated => _fragments is not null;
    /// <summary>True when the data set holds Pixel Data (7FE0,0010) or Float/Double Float Pixel Data (7FE0,0008/0009).</summary>
    public bool HasPixelData => _fragments is not null || _nativePixels.Offset >= 0;
    /// <summary>SOP Class UID (0008,0016), else Media Storage SOP Class UID (0002,0002).</summary>
    public string? SopClassUid => GetString(0x0008, 0x0016) ?? GetString(0x0002, 0x0002);
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
    /// <summary>VOI LUT Function (0028,1056): LINEAR (default), LINEAR_EXACT or SIGMOID.</summary>
    public string VoiLutFunction { get; private set; } = "LINEAR";
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

    /// <summary>The top-level data set (for attributes and sequences this class has no property for).</summary>
    public DicomItem Dataset => _root;

    internal DicomLut? ModalityLut { get; private set; }
    internal DicomLut? VoiLut { get; private set; }

    /// <summary>Parses a DICOM file (Part 10, or a bare data set) whose pixel data we can decode.</summary>
    /// <exception cref="ImageDecodeException">Bad magic, truncation, lying lengths, unsupported transfer syntax, over-limit sizes, unparseable numbers.</exception>
    public static DicomFile Parse(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null)
    {
        var file = ReadHeader(data, options);
        if (file.HasPixelData && !DicomTransferSyntax.IsSupported(file.TransferSyntaxUid)) throw DicomTransferSyntax.Unsupported(file.TransferSyntaxUid);
        return file;
    }

    /// <summary>
    /// Parses the data set whatever its transfer syntax, without decoding pixel data: enough to say what a file is
    /// (see ImageInspector). Compressed syntaxes we do not decode still have an explicit VR little endian data set.
    /// </summary>
    /// <exception cref="ImageDecodeException">Not DICOM, or a damaged data set.</exception>
    public static DicomFile ReadHeader(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        if (data.Length > options.MaxInputBytes) throw Fail.TooLarge($"DICOM of {data.Length} bytes exceeds MaxInputBytes {options.MaxInputBytes}");
        int metaStart;
        if (data.Length >= 132 && data.Slice(128, 4).SequenceEqual("DICM"u8)) metaStart = 132;
        else if (data.Length >= 4 && data[..4].SequenceEqual("DICM"u8)) metaStart = 4; // preamble stripped, prefix kept
        else if (DetectEncoding(data) is { } bare)
        {
            metaStart = bare.Meta ? 0 : -1;
            if (!bare.Meta) return ReadBody(data.ToArray(), 0, bare.Syntax, meta: null, options);
        }
        else
        {
            throw new ImageDecodeException(ImageDecodeErrorCodes.BadMagic,
                "not a DICOM file: no 'DICM' at offset 128 and no data set (group 0002 or 0008) at offset 0");
        }
        var bytes = data.ToArray();
        // File meta information: always explicit VR little endian, group 0002.
        var meta = new DicomFile(bytes, options, bigEndian: false);
        int pos = metaStart;
        meta.ReadDataset(ref pos, bytes.Length, explicitVr: true, depth: 0, metaOnly: true, meta._root, out _);
        var ts = meta._root.GetString(0x0002, 0x0010)?.TrimEnd('\0', ' ');
        if (string.IsNullOrEmpty(ts))
        {
            // As pydicom does: a meta group without Transfer Syntax UID, so take the encoding the data set itself shows.
            ts = DetectEncoding(bytes.AsSpan(pos))?.Syntax
                 ?? throw Fail.Corrupt("DICOM file meta information has no Transfer Syntax UID (0002,0010)");
        }
        var file = ReadBody(bytes, pos, ts, meta._root, options);
        file.HasFileMeta = metaStart > 0;
        return file;
    }

    private static DicomFile ReadBody(byte[] bytes, int start, string ts, DicomItem? meta, ImageDecodeOptions options)
    {
        DicomFile file;
        if (ts == DicomTransferSyntax.DeflatedExplicitVrLittleEndian)
        {
            file = new DicomFile(Inflate(bytes.AsSpan(start), options), options, bigEndian: false);
            start = 0;
        }
        else
        {
            file = new DicomFile(bytes, options, bigEndian: ts == DicomTransferSyntax.ExplicitVrBigEndian);
        }
        if (meta is not null) file._meta = meta;
        file.TransferSyntaxUid = ts;
        int pos = start;
        bool explicitVr = ts is not (DicomTransferSyntax.ImplicitVrLittleEndian or "1.2.840.10008.1.20" or "1.2.840.113619.5.2");
        file.ReadDataset(ref pos, file._data.Length, explicitVr, depth: 0, metaOnly: false, file._root, out bool delimited);
        if (delimited) throw Fail.Corrupt("DICOM item delimiter at the top level of the data set");
        file.ReadImageAttributes();
        return file;
    }

    /// <summary>Whether bytes start like a DICOM file: "DICM" at 128 (or 0), or a bare data set <see cref="DetectEncoding"/> accepts.</summary>
    internal static bool LooksLikeDicom(ReadOnlySpan<byte> data) =>
        (data.Length >= 132 && data.Slice(128, 4).SequenceEqual("DICM"u8)) || (data.Length >= 4 && data[..4].SequenceEqual("DICM"u8))
        || DetectEncoding(data) is not null;

    /// <summary>
    /// The encoding of a data set starting at <paramref name="d"/>[0], told apart as dcmtk and pydicom do: the first tag must
    /// be in group 0002 (meta information) or 0008 (identification, where every image data set starts); two upper-case
    /// letters of a known VR after it mean explicit VR; group 0008 read big endian means explicit VR big endian.
    /// </summary>
    internal static (string Syntax, bool Meta)? DetectEncoding(ReadOnlySpan<byte> d)
    {
        if (d.Length < 8) return null;
        ushort le = BinaryPrimitives.ReadUInt16LittleEndian(d), be = BinaryPrimitives.ReadUInt16BigEndian(d);
        bool explicitVr = IsKnownVr(d[4], d[5]);
        if (le is 0x0002 or 0x0008)
        {
            if (le == 0x0002 && !explicitVr) return null; // meta information is always explicit VR
            if (!explicitVr && BinaryPrimitives.ReadUInt32LittleEndian(d[4..]) > d.Length - 8) return null;
            return (explicitVr ? DicomTransferSyntax.ExplicitVrLittleEndian : DicomTransferSyntax.ImplicitVrLittleEndian, le == 0x0002);
        }
        if (be == 0x0008 && explicitVr) return (DicomTransferSyntax.ExplicitVrBigEndian, false);
        return null;
    }

    private static bool IsKnownVr(byte a, byte b) => ((char)a, (char)b) switch
    {
        ('A', 'E' or 'S' or 'T') or ('C', 'S') or ('D', 'A' or 'S' or 'T') or ('F', 'L' or 'D') or ('I', 'S') or ('L', 'O' or 'T')
            or ('O', 'B' or 'D' or 'F' or 'L' or 'V' or 'W') or ('P', 'N') or ('S', 'H' or 'L' or 'Q' or 'S' or 'T' or 'V')
            or ('T', 'M') or ('U', 'C' or 'I' or 'L' or 'N' or 'R' or 'S' or 'T' or 'V') => true,
        _ => false,
    };

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

    /// <summary>Whether an explicit-VR element of this VR has 2 reserved bytes and a 32-bit length (the reader and <see cref="DicomEncoder"/> share this rule).</summary>
    internal static bool HasLongLength(ushort vr) => vr switch
    {
        ('O' << 8) | 'B' or ('O' << 8) | 'D' or ('O' << 8) | 'F' or ('O' << 8) | 'L' or ('O' << 8) | 'V' or ('O' << 8) | 'W'
            or ('S' << 8) | 'Q' or ('U' << 8) | 'C' or ('U' << 8) | 'N' or ('U' << 8) | 'R' or ('U' << 8) | 'T'
            or ('S' << 8) | 'V' or ('U' << 8) | 'V' => true,
        _ => false,
    };

    private ushort U16(int at) => _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(_data.AsSpan(at)) : BinaryPrimitives.ReadUInt16LittleEndian(_data.AsSpan(at));
    private uint U32(int at) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(_data.AsSpan(at)) : BinaryPrimitives.ReadUInt32LittleEndian(_data.AsSpan(at));

    /// <summary>
    /// Reads elements into <paramref name="target"/> (null: parse but keep nothing) until <paramref name="end"/>, an item
    /// delimiter (consumed; <paramref name="delimited"/> true), or (metaOnly) the end of group 0002.
    /// </summary>
    private void ReadDataset(ref int pos, int end, bool explicitVr, int depth, bool metaOnly, DicomItem? target, out bool delimited)
    {
        delimited = false;
        if (depth > MaxSequenceDepth) throw Fail.Corrupt($"DICOM sequences nested deeper than {MaxSequenceDepth}");
        var d = _data;
        while (pos < end)
        {
            if (end - pos < 8) throw Fail.Truncated($"DICOM element header at offset {pos}");
            ushort group = U16(pos), element = U16(pos + 2);
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
                    length = U32(pos + 8);
                    headerLen = 12;
                }
                else
                {
                    length = U16(pos + 6);
                    headerLen = 8;
                }
            }
            else
            {
                length = U32(pos + 4);
                headerLen = 8;
            }
            pos += headerLen;
            bool wanted = target is not null && ReadSequences.Contains(tag);
            if (length == 0xFFFFFFFF)
            {
                if (tag == TagPixelData && depth == 0)
                {
                    ReadEncapsulated(ref pos, end);
                    continue;
                }
                // An undefined length is only legal for sequences (and UN holding one, in implicit VR): read or skip its items.
                var items = wanted ? new List<DicomItem>() : null;
                ReadSequence(ref pos, end, definedLength: false, explicitVr && vr != VrUN, depth + 1, items);
                if (items is not null) target!.SetSequence(tag, items);
                continue;
            }
            if (length > end - pos)
                throw Fail.Truncated($"DICOM element ({group:X4},{element:X4}) declares {length} bytes, only {end - pos} remain");
            if (wanted && (vr == VrSQ || !explicitVr))
            {
                // Implicit VR does not say "sequence": the tags we read as sequences are sequences by the dictionary.
                var items = new List<DicomItem>();
                int p = pos;
                ReadSequence(ref p, pos + (int)length, definedLength: true, explicitVr, depth + 1, items);
                target!.SetSequence(tag, items);
            }
            else if (target is not null && vr != VrSQ)
            {
                target.Set(tag, pos, (int)length, vr);
                if (depth == 0 && tag is TagPixelData or TagFloatPixelData or TagDoublePixelData && _nativePixels.Offset < 0)
                {
                    _nativePixels = (pos, (int)length, vr);
                    _pixelTag = tag;
                }
            }
            pos += (int)length;
        }
    }

    /// <summary>Reads (items non-null) or skips the items of a sequence, up to its delimiter or, when defined, its end.</summary>
    private void ReadSequence(ref int pos, int end, bool definedLength, bool explicitVr, int depth, List<DicomItem>? items)
    {
        if (depth > MaxSequenceDepth) throw Fail.Corrupt($"DICOM sequences nested deeper than {MaxSequenceDepth}");
        while (true)
        {
            if (definedLength && pos == end) return;
            if (end - pos < 8) throw Fail.Truncated(definedLength ? "DICOM sequence item header" : "DICOM sequence of undefined length has no delimiter");
            uint tag = (uint)U16(pos) << 16 | U16(pos + 2);
            uint length = U32(pos + 4);
            pos += 8;
            if (tag == TagSequenceDelimiter)
            {
                if (definedLength) throw Fail.Corrupt("DICOM sequence delimiter in a sequence of defined length");
                return;
            }
            if (tag != TagItem) throw Fail.Corrupt($"DICOM sequence holds tag {tag:X8} where an item was expected");
            var item = items is not null ? new DicomItem(_data, _bigEndian) : null;
            if (length == 0xFFFFFFFF)
            {
                ReadDataset(ref pos, end, explicitVr, depth + 1, metaOnly: false, item, out bool closed);
                if (!closed) throw Fail.Truncated("DICOM item of undefined length has no delimiter");
            }
            else
            {
                if (length > end - pos) throw Fail.Truncated($"DICOM sequence item declares {length} bytes, only {end - pos} remain");
                int itemEnd = pos + (int)length;
                if (item is not null)
                {
                    ReadDataset(ref pos, itemEnd, explicitVr, depth + 1, metaOnly: false, item, out bool closed);
                    if (closed) throw Fail.Corrupt("DICOM item delimiter inside an item of defined length");
                }
                pos = itemEnd;
            }
            if (item is not null) items!.Add(item);
        }
    }

    private void ReadEncapsulated(ref int pos, int end)
    {
        if (_bigEndian) throw Fail.Corrupt("DICOM encapsulated pixel data in an explicit VR big endian data set");
        var fragments = new List<(int, int)>();
        bool first = true;
        while (true)
        {
            if (end - pos < 8) throw Fail.Truncated("DICOM encapsulated pixel data has no sequence delimiter");
            uint tag = (uint)U16(pos) << 16 | U16(pos + 2);
            uint length = U32(pos + 4);
            pos += 8;
            if (tag == TagSequenceDelimiter) break;
            if (tag != TagItem) throw Fail.Corrupt($"DICOM encapsulated pixel data holds tag {tag:X8} where a fragment was expected");
            if (length > end - pos) throw Fail.Truncated($"DICOM pixel data fragment declares {length} bytes, only {end - pos} remain");
            if (first)
            {
                if (length % 4 != 0) throw Fail.Corrupt("DICOM basic offset table length is not a multiple of 4");
                _basicOffsets = new uint[length / 4];
                for (int i = 0; i < _basicOffsets.Length; i++) _basicOffsets[i] = U32(pos + i * 4);
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

    /// <summary>A top-level attribute as text (trailing spaces/NULs trimmed), or null when absent; group 0002 comes from the file meta information.</summary>
    public string? GetString(ushort group, ushort element) => (group == 0x0002 ? _meta : _root).GetString(group, element);

    /// <summary>A top-level decimal/integer string attribute (DS/IS, backslash-separated) as numbers, or null when absent or empty.</summary>
    /// <exception cref="ImageDecodeException"><c>corrupt</c> when a value is not a finite number.</exception>
    public double[]? GetNumbers(ushort group, ushort element) => _root.GetNumbers(group, element);

    private void ReadImageAttributes()
    {
        var r = _root;
        Rows = r.GetUShort(0x0028, 0x0010) ?? 0;
        Columns = r.GetUShort(0x0028, 0x0011) ?? 0;
        SamplesPerPixel = r.GetUShort(0x0028, 0x0002) ?? 1;
        BitsAllocated = r.GetUShort(0x0028, 0x0100) ?? (_pixelTag == TagFloatPixelData ? 32 : _pixelTag == TagDoublePixelData ? 64 : 0);
        BitsStored = r.GetUShort(0x0028, 0x0101) ?? BitsAllocated;
        HighBit = r.GetUShort(0x0028, 0x0102) ?? BitsStored - 1;
        PixelRepresentation = r.GetUShort(0x0028, 0x0103) ?? 0;
        PlanarConfiguration = r.GetUShort(0x0028, 0x0006) ?? 0;
        PhotometricInterpretation = r.GetString(0x0028, 0x0004)?.Trim() ?? (SamplesPerPixel == 3 ? "RGB" : "MONOCHROME2");
        var frames = GetNumbers(0x0028, 0x0008);
        NumberOfFrames = frames is [var f, ..] ? (f >= 1 && f <= int.MaxValue && f == Math.Floor(f) ? (int)f : throw Fail.Corrupt($"DICOM Number of Frames (0028,0008) is {f}")) : 1;
        (RescaleSlope, RescaleIntercept) = ReadRescale(FunctionalGroup(0x9145, frame: null));
        (WindowCenter, WindowWidth, VoiLutFunction) = ReadWindow(FunctionalGroup(0x9132, frame: null));
        ModalityLut = r.Items(0x0028, 0x3000) is [var m, ..] ? DicomLut.Read(m, PixelRepresentation == 1, "Modality LUT") : null;
        // A VOI LUT maps modality values, which rescaling may make negative even for unsigned stored values.
        bool voiSigned = PixelRepresentation == 1 || (ModalityLut is null && RescaleIntercept < 0);
        VoiLut = r.Items(0x0028, 0x3010) is [var v, ..] ? DicomLut.Read(v, voiSigned, "VOI LUT") : null;
    }

    private static (double Slope, double Intercept) ReadRescale(DicomItem item)
    {
        double slope = item.GetNumbers(0x0028, 0x1053) is [var s, ..] ? s : 1;
        if (slope == 0) throw Fail.Corrupt("DICOM Rescale Slope (0028,1053) is 0");
        return (slope, item.GetNumbers(0x0028, 0x1052) is [var i, ..] ? i : 0);
    }

    private static (double? Center, double? Width, string Function) ReadWindow(DicomItem item)
    {
        double? c = item.GetNumbers(0x0028, 0x1050) is [var cv, ..] ? cv : null;
        double? w = item.GetNumbers(0x0028, 0x1051) is [var wv, ..] ? wv : null;
        var fn = item.GetString(0x0028, 0x1056)?.Trim() is { Length: > 0 } f ? f : "LINEAR";
        if (fn is not ("LINEAR" or "LINEAR_EXACT" or "SIGMOID")) throw Fail.Unsupported($"DICOM VOI LUT Function (0028,1056) {fn}");
        return (c, w, fn);
    }

    /// <summary>
    /// Where a frame's Pixel Value Transformation (0028,9145) or Frame VOI LUT (0028,9132) attributes live: the top level
    /// when it has them, else that frame's item of the Per-frame Functional Groups, else the Shared Functional Groups
    /// (enhanced multi-frame CT/MR keep rescale and window there), else the top level.
    /// </summary>
    private DicomItem FunctionalGroup(ushort macro, int? frame)
    {
        uint[] own = macro == 0x9145 ? [0x00281052, 0x00281053] : [0x00281050, 0x00281051];
        if (own.Any(_root.Has)) return _root;
        if (frame is { } i && _root.Items(0x5200, 0x9230) is { } perFrame && i < perFrame.Count && perFrame[i].Items(0x0028, macro) is [var pf, ..]) return pf;
        if (_root.Items(0x5200, 0x9229) is [var shared, ..] && shared.Items(0x0028, macro) is [var sf, ..]) return sf;
        return frame is null && _root.Items(0x5200, 0x9230) is [var first, ..] && first.Items(0x0028, macro) is [var ff, ..] ? ff : _root;
    }

    /// <summary>Rescale slope and intercept of one frame (functional groups of enhanced objects may differ per frame).</summary>
    internal (double Slope, double Intercept) RescaleOf(int frame) =>
        _root.Items(0x5200, 0x9230).Count > 0 ? ReadRescale(FunctionalGroup(0x9145, frame)) : (RescaleSlope, RescaleIntercept);

    /// <summary>VOI window and function of one frame.</summary>
    internal (double? Center, double? Width, string Function) WindowOf(int frame) =>
        _root.Items(0x5200, 0x9230).Count > 0 ? ReadWindow(FunctionalGroup(0x9132, frame)) : (WindowCenter, WindowWidth, VoiLutFunction);

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
    /// Modality values of a greyscale frame (stored values after Bits Stored masking, sign and Rescale Slope/Intercept or
    /// the Modality LUT; Hounsfield units for CT), row-major, Rows × Columns.
    /// </summary>
    /// <exception cref="ImageDecodeException">Bad frame index, colour image, or pixel data that does not match the header.</exception>
    public float[] ReadModalityValues(int frame = 0) => DicomPixelData.ModalityValues(this, frame);

    /// <summary>One frame as a <see cref="PixelImage"/> in [0, 1]: VOI LUT or window (or min/max), MONOCHROME1 inverted; RGB for colour.</summary>
    /// <exception cref="ImageDecodeException">Bad frame index or pixel data; <c>not_an_image</c> when the object has no pixel data.</exception>
    public PixelImage DecodeFrame(int frame = 0) => DicomPixelData.DecodeFrame(this, frame);

    /// <summary>Every frame, in order (decoded in parallel on up to <see cref="Environment.ProcessorCount"/> threads).</summary>
    public IReadOnlyList<PixelImage> DecodeAllFrames()
    {
        var frames = new PixelImage[NumberOfFrames];
        DicomPixelData.Validate(this, 0);
        BoundedParallel.For(frames.Length, i => frames[i] = DicomPixelData.DecodeFrame(this, i));
        return frames;
    }

    /// <summary>Red, Green and Blue Palette Color LUTs (PS3.3 C.7.6.3.1.5); segmented palettes are refused by name.</summary>
    internal DicomLut[] PaletteLuts()
    {
        if (_root.Has(0x00281221) || _root.Has(0x00281222) || _root.Has(0x00281223))
            throw Fail.Unsupported("DICOM segmented palette colour lookup tables (0028,1221-1223)");
        var luts = new DicomLut[3];
        string[] names = ["Red", "Green", "Blue"];
        for (int ch = 0; ch < 3; ch++)
        {
            uint descriptor = 0x00281101u + (uint)ch, data = 0x00281201u + (uint)ch;
            if (!_root.Has(descriptor) || !_root.Has(data))
                throw Fail.Corrupt($"DICOM PALETTE COLOR without {names[ch]} Palette Color Lookup Table Descriptor/Data");
            luts[ch] = DicomLut.Read(_root, descriptor, data, PixelRepresentation == 1, $"{names[ch]} Palette Color Lookup Table");
        }
        return luts;
    }

    internal byte[] Data => _data;
    internal bool BigEndian => _bigEndian;
    internal (int Offset, int Length, ushort Vr) NativePixels => _nativePixels;
    /// <summary>True when the pixel data is Float (7FE0,0008) or Double Float (7FE0,0009) Pixel Data.</summary>
    internal bool IsFloatPixelData => _pixelTag is TagFloatPixelData or TagDoublePixelData;
    /// <summary>4 for Float, 8 for Double Float Pixel Data, else 0.</summary>
    internal int FloatPixelBytes => _pixelTag == TagFloatPixelData ? 4 : _pixelTag == TagDoublePixelData ? 8 : 0;
    internal IReadOnlyList<(int Offset, int Length)>? Fragments => _fragments;
    internal uint[]? BasicOffsets => _basicOffsets;
    internal ImageDecodeOptions Options => _options;
}
