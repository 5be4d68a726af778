using System.Buffers.Binary;
using ReportGen.Imaging.Dicom;

namespace ReportGen.Eval.Bench;

/// <summary>
/// Writes a minimal DICOM Part 10 file (explicit VR little endian, one frame, MONOCHROME2, unsigned 16-bit with
/// 12 bits stored) in memory, so the encoder benchmark has a large radiograph without shipping one.
/// </summary>
public static class SyntheticDicom
{
    /// <summary>A <paramref name="width"/> x <paramref name="height"/> chest-like gradient with rib-like stripes, 12 bits stored.</summary>
    public static byte[] Create(int width = 2048, int height = 2048)
    {
        using var ms = new MemoryStream();
        Preamble(ms, "1.2.840.10008.5.1.4.1.1.1", "1.2.826.0.1.3680043.10.1234.1");

        Element(ms, 0x0008, 0x0060, "CS", Text("CR"));
        Element(ms, 0x0018, 0x0015, "CS", Text("CHEST"));
        Element(ms, 0x0018, 0x5101, "CS", Text("PA"));
        PixelModule(ms, width, height);

        var pixels = new byte[width * height * 2];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var dx = (x - width / 2.0) / width;
                var dy = (y - height / 2.0) / height;
                var v = 2400 + 1200 * Math.Cos(dx * 5) * Math.Cos(dy * 3) + 300 * Math.Sin(y / 40.0);
                BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan((y * width + x) * 2), (ushort)Math.Clamp(v, 0, 4095));
            }
        Element(ms, 0x7FE0, 0x0010, "OW", pixels);
        return ms.ToArray();
    }

    /// <summary>
    /// One multi-frame file (explicit VR little endian, MONOCHROME2, 16 bits allocated, 12 stored, unsigned) whose
    /// samples come from <paramref name="sample"/>(frame, x, y), for the decode benchmark's compressible-but-noisy
    /// radiographs and CT volumes.
    /// </summary>
    public static byte[] CreateFrames(int width, int height, int frames, Func<int, int, int, int> sample)
    {
        using var ms = new MemoryStream();
        Preamble(ms, "1.2.840.10008.5.1.4.1.1.7", "1.2.826.0.1.3680043.10.1234.2");
        Element(ms, 0x0008, 0x0060, "CS", Text("OT"));
        PixelModule(ms, width, height, frames);
        var pixels = new byte[(long)width * height * frames * 2];
        for (var f = 0; f < frames; f++)
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                    BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan((int)((((long)f * height + y) * width + x) * 2)), (ushort)Math.Clamp(sample(f, x, y), 0, 4095));
        Element(ms, 0x7FE0, 0x0010, "OW", pixels);
        return ms.ToArray();
    }

    /// <summary>
    /// A synthetic chest CT series, one DICOM file per slice (CT, 16-bit signed HU with rescale 1/-1024 stored as
    /// unsigned, positions along z every 5 mm): a soft-tissue body ellipse with two air-filled lungs, a bony spine and,
    /// when <paramref name="noduleRadius"/> &gt; 0, a soft-tissue nodule in the right lung on the middle slices. Slice
    /// files come in a scrambled order so readers must sort by position.
    /// </summary>
    public static IReadOnlyList<byte[]> CreateCtSeries(int slices = 12, int size = 64, double noduleRadius = 0, string seriesUid = "1.2.826.0.1.3680043.10.1234.77")
    {
        var files = new List<byte[]>();
        for (var z = 0; z < slices; z++)
        {
            var hu = new short[size * size];
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                {
                    double u = (x - size / 2.0) / (size / 2.0), v = (y - size / 2.0) / (size / 2.0);
                    double value = -1000; // air outside the body
                    if (u * u / 0.85 + v * v / 0.55 < 1) value = 40;                                          // soft tissue
                    if (Math.Pow((u + 0.42) / 0.3, 2) + Math.Pow(v / 0.4, 2) < 1) value = -820;              // right lung (image left)
                    if (Math.Pow((u - 0.42) / 0.3, 2) + Math.Pow(v / 0.4, 2) < 1) value = -820;              // left lung
                    if (Math.Pow(u / 0.12, 2) + Math.Pow((v - 0.5) / 0.12, 2) < 1) value = 700;              // spine
                    var mid = Math.Abs(z - slices / 2.0) < slices / 4.0;
                    if (noduleRadius > 0 && mid && Math.Pow(u + 0.42, 2) + Math.Pow(v + 0.1, 2) < noduleRadius * noduleRadius) value = 60; // nodule
                    hu[y * size + x] = (short)value;
                }
            files.Add(CtSlice(size, z, hu, seriesUid));
        }
        // Scramble: the reader must order by Image Position (Patient), not by file order.
        return files.Select((f, i) => (f, key: (i * 7) % slices)).OrderBy(p => p.key).Select(p => p.f).ToList();
    }

    /// <summary>The 128-byte preamble, "DICM" and the file meta group (explicit VR little endian transfer syntax).</summary>
    private static void Preamble(MemoryStream ms, string sopClassUid, string sopInstanceUid) =>
        DicomEncoder.WriteHeader(ms, DicomTransferSyntax.ExplicitVrLittleEndian, sopClassUid, sopInstanceUid);

    /// <summary>Image pixel module: one MONOCHROME2 sample, 16 bits allocated, 12 stored, unsigned.</summary>
    private static void PixelModule(MemoryStream ms, int width, int height, int frames = 1)
    {
        Element(ms, 0x0028, 0x0002, "US", U16(1));
        Element(ms, 0x0028, 0x0004, "CS", Text("MONOCHROME2"));
        if (frames > 1) Element(ms, 0x0028, 0x0008, "IS", Text(frames.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Element(ms, 0x0028, 0x0010, "US", U16((ushort)height));
        Element(ms, 0x0028, 0x0011, "US", U16((ushort)width));
        Element(ms, 0x0028, 0x0100, "US", U16(16));
        Element(ms, 0x0028, 0x0101, "US", U16(12));
        Element(ms, 0x0028, 0x0102, "US", U16(11));
        Element(ms, 0x0028, 0x0103, "US", U16(0));
    }

    private static byte[] CtSlice(int size, int z, short[] hu, string seriesUid)
    {
        using var ms = new MemoryStream();
        Preamble(ms, "1.2.840.10008.5.1.4.1.1.2", $"{seriesUid}.{z + 1}");

        var ci = System.Globalization.CultureInfo.InvariantCulture;
        Element(ms, 0x0008, 0x0060, "CS", Text("CT"));
        Element(ms, 0x0018, 0x0015, "CS", Text("CHEST"));
        Element(ms, 0x0018, 0x0050, "DS", Text("5"));
        Element(ms, 0x0020, 0x000E, "UI", Uid(seriesUid));
        Element(ms, 0x0020, 0x0013, "IS", Text((z + 1).ToString(ci)));
        Element(ms, 0x0020, 0x0032, "DS", Text($"-160\\-160\\{(z * 5.0).ToString("0.0", ci)}"));
        Element(ms, 0x0020, 0x0037, "DS", Text("1\\0\\0\\0\\1\\0"));
        PixelModule(ms, size, size);
        Element(ms, 0x0028, 0x1052, "DS", Text("-1024"));
        Element(ms, 0x0028, 0x1053, "DS", Text("1"));
        var pixels = new byte[size * size * 2];
        for (var i = 0; i < hu.Length; i++) BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan(i * 2), (ushort)Math.Clamp(hu[i] + 1024, 0, 4095));
        Element(ms, 0x7FE0, 0x0010, "OW", pixels);
        return ms.ToArray();
    }

    /// <summary>The series as one zip (the form <c>reportgen draft --modality ct</c> and the API take).</summary>
    public static byte[] Zip(IReadOnlyList<byte[]> files)
    {
        using var ms = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(ms, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            for (var i = 0; i < files.Count; i++)
            {
                using var entry = zip.CreateEntry($"slice{i:D3}.dcm").Open();
                entry.Write(files[i]);
            }
        return ms.ToArray();
    }

    private static byte[] Uid(string uid) => DicomEncoder.StringValue(uid, "UI");
    private static byte[] Text(string s) => DicomEncoder.StringValue(s, "CS");

    private static byte[] U16(ushort v)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        return b;
    }

    private static void Element(Stream s, ushort group, ushort element, string vr, byte[] value) =>
        DicomEncoder.WriteElement(s, group, element, vr, value);
}
