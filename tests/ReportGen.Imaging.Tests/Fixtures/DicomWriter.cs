using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using ReportGen.Imaging.Dicom;

namespace ReportGen.Imaging.Tests.Fixtures;

/// <summary>
/// Writes small DICOM Part 10 files for tests: explicit or implicit VR little endian (optionally deflated),
/// native or encapsulated pixel data, and sequences of defined and undefined length to exercise skipping.
/// </summary>
internal sealed class DicomWriter(string transferSyntax = "1.2.840.10008.1.2.1")
{
    private readonly SortedDictionary<uint, byte[]> _encoded = [];
    private bool Explicit => transferSyntax != "1.2.840.10008.1.2";
    private bool Deflated => transferSyntax == "1.2.840.10008.1.2.1.99";

    public DicomWriter Str(ushort g, ushort e, string vr, string value) => Raw(g, e, vr, DicomEncoder.StringValue(value, vr));

    public DicomWriter US(ushort g, ushort e, ushort value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        return Raw(g, e, "US", b);
    }

    public DicomWriter Raw(ushort g, ushort e, string vr, byte[] value, bool undefinedLength = false)
    {
        _encoded[(uint)g << 16 | e] = Element(g, e, vr, value, Explicit, undefinedLength);
        return this;
    }

    /// <summary>A sequence with one item holding a nested sequence, in defined or undefined lengths.</summary>
    public DicomWriter Sequence(ushort g, ushort e, bool undefinedLengths)
    {
        // The inner item holds a string and a nested sequence, so skipping must recurse.
        var innerItemBody = Element(0x0008, 0x0100, "SH", Encoding.ASCII.GetBytes("CODE01"), Explicit, false);
        var nestedSeq = Element(0x0040, 0xA730, "SQ", Item(innerItemBody, undefinedLengths), Explicit, undefinedLengths, sequence: true);
        var itemBody = Element(0x0008, 0x0104, "LO", Encoding.ASCII.GetBytes("Meaning "), Explicit, false).Concat(nestedSeq).ToArray();
        // A (7FE0,0010)-looking element inside an item must not be taken for the pixel data.
        itemBody = itemBody.Concat(Element(0x0028, 0x0010, "US", [0x34, 0x12], Explicit, false)).ToArray();
        _encoded[(uint)g << 16 | e] = Element(g, e, "SQ", Item(itemBody, undefinedLengths), Explicit, undefinedLengths, sequence: true);
        return this;
    }

    private static byte[] Item(byte[] body, bool undefined)
    {
        var ms = new MemoryStream();
        Tag(ms, 0xFFFE, 0xE000);
        U32(ms, undefined ? 0xFFFFFFFF : (uint)body.Length);
        ms.Write(body);
        if (undefined) { Tag(ms, 0xFFFE, 0xE00D); U32(ms, 0); }
        return ms.ToArray();
    }

    public DicomWriter NativePixels(byte[] pixels, bool ow = true) =>
        Raw(0x7FE0, 0x0010, ow ? "OW" : "OB", pixels.Length % 2 == 1 ? [.. pixels, 0] : pixels);

    /// <summary>Encapsulated pixel data: a basic offset table (optional) and fragments.</summary>
    public DicomWriter Encapsulated(IReadOnlyList<byte[]> fragments, bool withOffsetTable, int[]? frameStartFragments = null)
    {
        frameStartFragments ??= Enumerable.Range(0, fragments.Count).ToArray();
        var ms = new MemoryStream();
        var padded = fragments.Select(f => f.Length % 2 == 1 ? [.. f, 0] : f).ToList();
        Tag(ms, 0xFFFE, 0xE000);
        if (withOffsetTable)
        {
            U32(ms, (uint)(4 * frameStartFragments.Length));
            foreach (var start in frameStartFragments) U32(ms, (uint)padded.Take(start).Sum(f => 8 + f.Length));
        }
        else
        {
            U32(ms, 0);
        }
        foreach (var f in padded) { Tag(ms, 0xFFFE, 0xE000); U32(ms, (uint)f.Length); ms.Write(f); }
        Tag(ms, 0xFFFE, 0xE0DD); U32(ms, 0);
        var body = ms.ToArray();
        var el = new MemoryStream();
        Tag(el, 0x7FE0, 0x0010);
        el.Write("OB"u8); el.Write([0, 0]); U32(el, 0xFFFFFFFF);
        el.Write(body);
        _encoded[0x7FE00010] = el.ToArray();
        return this;
    }

    public byte[] Build()
    {
        var ms = new MemoryStream();
        DicomEncoder.WriteHeader(ms, transferSyntax, "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5.6.7", "1.2.3.4");
        var body = new MemoryStream();
        foreach (var e in _encoded.Values) body.Write(e);
        if (Deflated)
        {
            using var z = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true);
            z.Write(body.ToArray());
        }
        else
        {
            ms.Write(body.ToArray());
        }
        return ms.ToArray();
    }

    private static byte[] Element(ushort g, ushort e, string vr, byte[] value, bool explicitVr, bool undefinedLength, bool sequence = false)
    {
        var ms = new MemoryStream();
        DicomEncoder.WriteElement(ms, g, e, vr, value, explicitVr, undefinedLength);
        if (undefinedLength && sequence) { Tag(ms, 0xFFFE, 0xE0DD); U32(ms, 0); }
        return ms.ToArray();
    }

    private static void Tag(Stream s, ushort g, ushort e)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(b, g);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), e);
        s.Write(b);
    }

    private static void U32(Stream s, uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        s.Write(b);
    }

    /// <summary>A greyscale image with the usual attributes; values are stored samples (as ints).</summary>
    public static DicomWriter Grey(int rows, int cols, int bitsAllocated, int bitsStored, bool signed, int[] stored,
        string ts = "1.2.840.10008.1.2.1", int frames = 1, string photometric = "MONOCHROME2")
    {
        var w = new DicomWriter(ts)
            .Str(0x0008, 0x0060, "CS", "CT")
            .Str(0x0008, 0x0020, "DA", "20240131")
            .Str(0x0018, 0x0015, "CS", "CHEST")
            .Str(0x0018, 0x5101, "CS", "PA")
            .US(0x0028, 0x0002, 1)
            .Str(0x0028, 0x0004, "CS", photometric)
            .US(0x0028, 0x0010, (ushort)rows)
            .US(0x0028, 0x0011, (ushort)cols)
            .Str(0x0028, 0x0030, "DS", "0.5\\0.25")
            .US(0x0028, 0x0100, (ushort)bitsAllocated)
            .US(0x0028, 0x0101, (ushort)bitsStored)
            .US(0x0028, 0x0102, (ushort)(bitsStored - 1))
            .US(0x0028, 0x0103, (ushort)(signed ? 1 : 0));
        if (frames > 1) w.Str(0x0028, 0x0008, "IS", frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        int bytesPer = bitsAllocated / 8;
        var px = new byte[stored.Length * bytesPer];
        int mask = (1 << bitsStored) - 1;
        for (int i = 0; i < stored.Length; i++)
        {
            int v = stored[i] & mask;
            if (bytesPer == 1) px[i] = (byte)v;
            else BinaryPrimitives.WriteUInt16LittleEndian(px.AsSpan(i * 2), (ushort)v);
        }
        return w.NativePixels(px, ow: bitsAllocated == 16);
    }
}
