using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using ReportGen.Imaging.Dicom;
using ReportGen.Imaging.Jpeg2000;
using ReportGen.Imaging.Tests.Fixtures;
using ReportGen.TestSupport;

namespace ReportGen.Imaging.Tests;

/// <summary>
/// JPEG 2000 against OpenJPEG: every codestream in TestFiles/j2k/codestreams.json (made by make_j2k_fixtures.py with
/// opj_compress, expected samples from opj_decompress) must decode bit-exactly when lossless and within ±1 when 9/7.
/// </summary>
[Fast]
public sealed class Jpeg2000DecoderTests(ITestOutputHelper output)
{
    internal static string Dir => Path.Combine(AppContext.BaseDirectory, "TestFiles", "j2k");

    internal static byte[] TestFile(string name) => File.ReadAllBytes(Path.Combine(Dir, name));

    private static JsonElement Table() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "codestreams.json"))).RootElement;

    public static TheoryData<string> Codestreams()
    {
        var data = new TheoryData<string>();
        foreach (var f in Table().GetProperty("files").EnumerateArray()) data.Add(f.GetProperty("file").GetString()!);
        return data;
    }

    internal static string Sha256(int[] samples)
    {
        var bytes = new byte[samples.Length * 4];
        for (int i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), samples[i]);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    [Theory]
    [MemberData(nameof(Codestreams))]
    public void Decodes_like_opj_decompress(string file)
    {
        var entry = Table().GetProperty("files").EnumerateArray().First(f => f.GetProperty("file").GetString() == file);
        var frame = Jpeg2000Decoder.Decode(TestFile(file), ImageDecodeOptions.Default);
        if (Environment.GetEnvironmentVariable("J2K_DUMP") is { } dump)
            File.WriteAllBytes(Path.Combine(dump, file + ".ours.i32"), frame.Samples.SelectMany(BitConverter.GetBytes).ToArray());
        frame.Width.ShouldBe(entry.GetProperty("width").GetInt32());
        frame.Height.ShouldBe(entry.GetProperty("height").GetInt32());
        frame.Components.ShouldBe(entry.GetProperty("components").GetInt32());
        frame.Precision.ShouldBe(entry.GetProperty("precision").GetInt32());
        frame.Signed.ShouldBe(entry.GetProperty("signed").GetBoolean());
        var expected = entry.GetProperty("expected");
        if (entry.GetProperty("lossless").GetBoolean())
        {
            bool same = Sha256(frame.Samples) == expected.GetProperty("sha256").GetString();
            same.ShouldBeTrue($"{file}: samples differ from opj_decompress (ours min {frame.Samples.Min()} max {frame.Samples.Max()} " +
                $"mean {frame.Samples.Average():F6}; expected {expected.GetProperty("min")} {expected.GetProperty("max")} {expected.GetProperty("mean")})");
            return;
        }
        var raw = TestFile(entry.GetProperty("expectedSamples").GetString()!);
        raw.Length.ShouldBe(frame.Samples.Length * 2);
        int maxDiff = 0, differing = 0;
        for (int i = 0; i < frame.Samples.Length; i++)
        {
            int reference = frame.Signed ? BinaryPrimitives.ReadInt16LittleEndian(raw.AsSpan(i * 2)) : BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(i * 2));
            int d = Math.Abs(frame.Samples[i] - reference);
            if (d != 0) differing++;
            maxDiff = Math.Max(maxDiff, d);
        }
        output.WriteLine($"{file}: max |ours - opj_decompress| = {maxDiff}, {differing} of {frame.Samples.Length} samples differ");
        maxDiff.ShouldBeLessThanOrEqualTo(1, $"{file}: 9/7 output must stay within ±1 of OpenJPEG");
    }

    /// <summary>
    /// No encoder here writes packed packet headers, so the test makes them: the SOP/EPH fixture's packets are split
    /// at their markers (SOP, header, EPH, body) and the headers moved into PPT markers (per tile-part) or one PPM
    /// marker (main header). Both must decode to the same samples as the original.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Packed_packet_headers_in_ppm_or_ppt_decode_like_inline_ones(bool ppm)
    {
        var cs = TestFile("grey8_sop_eph_tp.j2k");
        var expected = Jpeg2000Decoder.Decode(cs, ImageDecodeOptions.Default).Samples;
        int firstSot = IndexOf(cs, 0xFF, 0x90, 2);
        var tileParts = new List<(byte[] Header, byte[] Packed, byte[] Bodies)>();
        for (int pos = firstSot; pos + 12 <= cs.Length && cs[pos + 1] == 0x90;)
        {
            int psot = (int)BinaryPrimitives.ReadUInt32BigEndian(cs.AsSpan(pos + 6));
            int sod = IndexOf(cs, 0xFF, 0x93, pos + 12);
            var header = new List<byte>(cs[pos..(pos + 12)]);
            for (int m = pos + 12; m < sod;) // keep the tile-part's markers except PLT (its lengths would be wrong)
            {
                int len = BinaryPrimitives.ReadUInt16BigEndian(cs.AsSpan(m + 2));
                if (cs[m + 1] != 0x58) header.AddRange(cs[m..(m + 2 + len)]);
                m += 2 + len;
            }
            var packed = new List<byte>();
            var bodies = new List<byte>();
            int end = pos + psot, p = sod + 2;
            while (p < end)
            {
                cs[p].ShouldBe((byte)0xFF);
                cs[p + 1].ShouldBe((byte)0x91);
                int eph = IndexOf(cs, 0xFF, 0x92, p + 6);
                int next = Math.Min(IndexOf(cs, 0xFF, 0x91, eph + 2), end);
                bodies.AddRange(cs[p..(p + 6)]);
                packed.AddRange(cs[(p + 6)..(eph + 2)]);
                bodies.AddRange(cs[(eph + 2)..next]);
                p = next;
            }
            tileParts.Add((header.ToArray(), packed.ToArray(), bodies.ToArray()));
            pos = end;
        }
        tileParts.Count.ShouldBeGreaterThan(4); // several tiles, each split into tile-parts per resolution
        var output = new List<byte>(cs[..firstSot]);
        if (ppm)
        {
            var all = tileParts.SelectMany(t => BigEndian(t.Packed.Length, 4).Concat(t.Packed)).ToArray();
            output.AddRange([0xFF, 0x60, .. BigEndian(all.Length + 3, 2), 0, .. all]);
        }
        foreach (var (header, packed, bodies) in tileParts)
        {
            var h = new List<byte>(header);
            if (!ppm) h.AddRange([0xFF, 0x61, .. BigEndian(packed.Length + 3, 2), 0, .. packed]);
            h.AddRange([0xFF, 0x93]);
            BinaryPrimitives.WriteUInt32BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(h).Slice(6), (uint)(h.Count + bodies.Length));
            output.AddRange(h);
            output.AddRange(bodies);
        }
        output.AddRange([0xFF, 0xD9]);
        Jpeg2000Decoder.Decode(output.ToArray(), ImageDecodeOptions.Default).Samples.ShouldBe(expected);
    }

    private static int IndexOf(byte[] data, byte a, byte b, int from)
    {
        for (int i = from; i + 1 < data.Length; i++)
            if (data[i] == a && data[i + 1] == b) return i;
        return data.Length;
    }

    private static byte[] BigEndian(int value, int size) =>
        size == 2 ? [(byte)(value >> 8), (byte)value] : [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    [Fact]
    public void Htj2k_capability_marker_is_refused_by_name()
    {
        // Insert a CAP marker (FF50, Pcap bit 15 = Part 15) after SIZ of a valid codestream.
        var cs = TestFile("grey8_53.j2k");
        int sizEnd = 4 + BinaryPrimitives.ReadUInt16BigEndian(cs.AsSpan(6)) + 2;
        byte[] cap = [0xFF, 0x50, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00];
        var withCap = cs[..sizEnd].Concat(cap).Concat(cs[sizEnd..]).ToArray();
        var e = Should.Throw<ImageDecodeException>(() => Jpeg2000Decoder.Decode(withCap, ImageDecodeOptions.Default));
        e.Code.ShouldBe(ImageDecodeErrorCodes.Unsupported);
        e.Message.ShouldContain("HTJ2K");
    }

    [Theory]
    [InlineData("1.2.840.10008.1.2.4.201")]
    [InlineData("1.2.840.10008.1.2.4.203")]
    public void Htj2k_dicom_is_an_unsupported_transfer_syntax_naming_it(string ts)
    {
        var dcm = new DicomWriter(ts)
            .US(0x0028, 0x0002, 1).Str(0x0028, 0x0004, "CS", "MONOCHROME2").US(0x0028, 0x0010, 47).US(0x0028, 0x0011, 61)
            .US(0x0028, 0x0100, 8).US(0x0028, 0x0101, 8).US(0x0028, 0x0102, 7).US(0x0028, 0x0103, 0)
            .Encapsulated([TestFile("grey8_53.j2k")], withOffsetTable: true).Build();
        var e = Should.Throw<ImageDecodeException>(() => ImageDecoder.Decode(dcm));
        e.Code.ShouldBe(ImageDecodeErrorCodes.UnsupportedTransferSyntax);
        e.Message.ShouldContain("High-Throughput JPEG 2000");
    }

    [Fact]
    public void Absurd_siz_is_refused_before_allocating()
    {
        // SIZ of 65535 x 65535 with 16 components of 16 bits: refused on the header alone.
        var siz = new List<byte> { 0xFF, 0x4F, 0xFF, 0x51 };
        int csiz = 16;
        var body = new byte[36 + 3 * csiz];
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(2), 65535);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(6), 65535);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(18), 65535);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(22), 65535);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(34), (ushort)csiz);
        for (int c = 0; c < csiz; c++) (body[36 + 3 * c], body[37 + 3 * c], body[38 + 3 * c]) = (15, 1, 1);
        siz.Add((byte)((body.Length + 2) >> 8));
        siz.Add((byte)(body.Length + 2));
        siz.AddRange(body);
        var e = Should.Throw<ImageDecodeException>(() => Jpeg2000Decoder.Decode(siz.ToArray(), new ImageDecodeOptions { MaxPixels = 1 << 22 }));
        e.Code.ShouldBe(ImageDecodeErrorCodes.TooLarge);
    }

    [Fact]
    public void Truncated_codestream_decodes_what_is_there_or_fails_typed()
    {
        // A stream cut inside its packets still yields an image (lower quality), as OpenJPEG does; cut in the header it fails.
        var cs = TestFile("grey16_53_layers_rpcl.j2k");
        var partial = Jpeg2000Decoder.Decode(cs[..(cs.Length * 2 / 3)], ImageDecodeOptions.Default);
        partial.Width.ShouldBe(61);
        Should.Throw<ImageDecodeException>(() => Jpeg2000Decoder.Decode(cs[..40], ImageDecodeOptions.Default)).Code.ShouldBe(ImageDecodeErrorCodes.Truncated);
    }
}

/// <summary>DICOM files compressed by gdcmconv --j2k, end to end: stored samples and the decoded image.</summary>
[Fast]
public sealed class Jpeg2000DicomTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        var table = JsonDocument.Parse(File.ReadAllText(Path.Combine(Jpeg2000DecoderTests.Dir, "j2k_dicom.fixtures.json"))).RootElement;
        foreach (var f in table.GetProperty("files").EnumerateArray()) data.Add(f.GetProperty("file").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Stored_samples_match_opj_decompress_and_the_image_decodes(string file)
    {
        var table = JsonDocument.Parse(File.ReadAllText(Path.Combine(Jpeg2000DecoderTests.Dir, "j2k_dicom.fixtures.json"))).RootElement;
        var entry = table.GetProperty("files").EnumerateArray().First(f => f.GetProperty("file").GetString() == file);
        var bytes = Jpeg2000DecoderTests.TestFile(file);
        var dicom = DicomFile.Parse(bytes);
        DicomTransferSyntax.IsSupported(dicom.TransferSyntaxUid).ShouldBeTrue();
        var all = Enumerable.Range(0, dicom.NumberOfFrames).SelectMany(i => DicomPixelData.StoredFrame(dicom, i).Samples).ToArray();
        var stored = entry.GetProperty("stored");
        if (entry.GetProperty("lossless").GetBoolean())
            Jpeg2000DecoderTests.Sha256(all).ShouldBe(stored.GetProperty("sha256").GetString());
        else
        {
            int tolerance = entry.GetProperty("tolerance").GetInt32();
            Math.Abs(all.Min() - stored.GetProperty("min").GetInt32()).ShouldBeLessThanOrEqualTo(tolerance);
            Math.Abs(all.Max() - stored.GetProperty("max").GetInt32()).ShouldBeLessThanOrEqualTo(tolerance);
            Math.Abs(all.Average() - stored.GetProperty("mean").GetDouble()).ShouldBeLessThanOrEqualTo(tolerance);
        }
        var image = ImageDecoder.Decode(bytes);
        image.Width.ShouldBe(entry.GetProperty("columns").GetInt32());
        image.Height.ShouldBe(entry.GetProperty("rows").GetInt32());
        image.Pixels.Max().ShouldBeGreaterThan(image.Pixels.Min());
    }
}
