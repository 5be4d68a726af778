using System.Buffers.Binary;
using System.IO.Compression;
using ReportGen.Imaging.Ct;
using ReportGen.Imaging.Dicom;
using ReportGen.Imaging.Jpeg;
using ReportGen.Imaging.Png;
using ReportGen.Imaging.Tests.Fixtures;
using ReportGen.TestSupport;

namespace ReportGen.Imaging.Tests;

/// <summary>Hostile input: every corruption must come out as <see cref="ImageDecodeException"/> (or decode), nothing else.</summary>
public sealed class CorruptInputTests
{
    // Small limits keep memory bounded when a mutation makes a header announce a huge image.
    private static readonly ImageDecodeOptions FuzzOptions = new() { MaxPixels = 1 << 22 };

    private static byte[] Png(int colorType, int bitDepth, bool interlace, int w = 23, int h = 17)
    {
        int spp = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        var rng = new Random(colorType * 31 + bitDepth);
        var samples = Enumerable.Range(0, w * h * spp).Select(_ => (ushort)rng.Next(1 << bitDepth)).ToArray();
        byte[]? palette = colorType == 3 ? Enumerable.Range(0, 3 << bitDepth).Select(i => (byte)i).ToArray() : null;
        byte[]? trns = colorType == 3 ? [0, 128] : null;
        return PngWriter.Write(w, h, colorType, bitDepth, samples, interlace, palette, trns);
    }

    private static byte[] EncapsulatedJpegDicom()
    {
        var jpg = JpegDecoderTests.TestFile("rgb420_progressive.jpg");
        return new DicomWriter(DicomTransferSyntax.JpegBaseline)
            .US(0x0028, 0x0002, 3).Str(0x0028, 0x0004, "CS", "YBR_FULL_422").US(0x0028, 0x0010, 45).US(0x0028, 0x0011, 67)
            .US(0x0028, 0x0100, 8).US(0x0028, 0x0101, 8).US(0x0028, 0x0102, 7).US(0x0028, 0x0103, 0)
            .Encapsulated([jpg[..300], jpg[300..]], withOffsetTable: true, [0]).Build();
    }

    public static IEnumerable<(string Name, string Kind, byte[] Data)> Seeds()
    {
        yield return ("png-grey8", "png", Png(0, 8, false));
        yield return ("png-grey1-adam7", "png", Png(0, 1, true));
        yield return ("png-grey16-adam7", "png", Png(0, 16, true));
        yield return ("png-rgba16", "png", Png(6, 16, false));
        yield return ("png-ga8-adam7", "png", Png(4, 8, true));
        yield return ("png-palette4-trns-adam7", "png", Png(3, 4, true));
        foreach (var f in new[] { "grey_baseline", "grey_progressive_restart", "rgb422_baseline", "rgb420_progressive", "rgb420_restart", "rgb444_progressive" })
            yield return ("jpeg-" + f, "jpeg", JpegDecoderTests.TestFile(f + ".jpg"));
        var ramp = Enumerable.Range(0, 12 * 10).Select(i => i * 300 - 9000).ToArray();
        yield return ("dicom-explicit-signed", "dicom", DicomWriter.Grey(10, 12, 16, 16, true, ramp).Sequence(0x0008, 0x1140, true).Build());
        yield return ("dicom-implicit-seq", "dicom", DicomWriter.Grey(10, 12, 16, 12, false, ramp.Select(v => v + 9000).ToArray(), "1.2.840.10008.1.2")
            .Sequence(0x0008, 0x1140, true).Sequence(0x0008, 0x1150, false).Str(0x0028, 0x1050, "DS", "100\\200").Str(0x0028, 0x1051, "DS", "50").Build());
        yield return ("dicom-deflated", "dicom", DicomWriter.Grey(10, 12, 16, 16, false, ramp.Select(v => v + 9000).ToArray(), "1.2.840.10008.1.2.1.99").Build());
        yield return ("dicom-multiframe8", "dicom", DicomWriter.Grey(6, 5, 8, 8, false, Enumerable.Range(0, 90).ToArray(), frames: 3, photometric: "MONOCHROME1").Build());
        yield return ("dicom-encapsulated-jpeg", "dicom", EncapsulatedJpegDicom());
        // The data set layer's fixtures (TestFiles/dicom): byte orders, bare data sets, LUTs, palettes, YBR, bit depths, non-images.
        foreach (var f in new[]
                 {
                     "MR_small_bigendian", "rtdose_expb", "ExplVR_BigEnd", "grey8_2frames_be", "mr_bare_implicit", "ExplVR_BigEndNoMeta",
                     "palette8", "palette16", "voi_lut_sequence", "modality_lut_sequence", "voi_sigmoid", "ybr_full_native",
                     "SC_ybr_full_422_uncompressed", "enhanced_ct_functional_groups", "reportsi", "jpeg_progressive_4_55", "rtdose_1frame",
                 })
            yield return ("dicom-" + f, "dicom", File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestFiles", "dicom", f + ".dcm")));
        yield return ("zip-series", "zip", CtSeriesTests.Zip(CtSeriesTests.SeriesFiles().Take(3), extras: false));
    }

    /// <summary>400 by default; set REPORTGEN_FUZZ_MUTATIONS for a longer local run.</summary>
    private static int MutationsPerSeed =>
        int.TryParse(Environment.GetEnvironmentVariable("REPORTGEN_FUZZ_MUTATIONS"), out var n) && n > 0 ? n : 400;

    private static void DecodeDirect(string kind, byte[] data)
    {
        switch (kind)
        {
            case "png":
                PngDecoder.Decode(data, FuzzOptions);
                break;
            case "jpeg":
                JpegDecoder.Decode(data, FuzzOptions);
                break;
            case "dicom":
            {
                // Describing a file must never throw for bad input: it reports the problem instead.
                var info = ImageFileInfo.Describe(data, FuzzOptions);
                var f = DicomFile.Parse(data, FuzzOptions);
                _ = (f.Modality, f.PixelSpacing, f.ImagePositionPatient, f.InstanceNumber, f.Metadata);
                if (!f.HasPixelData)
                {
                    info.Error!.Code.ShouldBe(ImageDecodeErrorCodes.NotAnImage);
                    return;
                }
                f.DecodeAllFrames();
                break;
            }
            default:
            {
                var v = CtSeriesReader.ReadZip(data, FuzzOptions);
                v.SampleSlices(2);
                v.ToTensor(3, 8, 8);
                break;
            }
        }
    }

    [Fact]
    public void Truncations_and_random_corruptions_only_ever_raise_ImageDecodeException()
    {
        var failures = new List<string>();
        int attempts = 0, rejected = 0;
        var rng = new Random(12345);
        foreach (var (name, kind, data) in Seeds())
        {
            DecodeDirect(kind, data); // the seed itself is valid (or, for a non-image object, says so)
            var mutants = new List<(string, byte[])>();
            int step = Math.Max(1, data.Length / 400);
            for (int cut = 0; cut < data.Length; cut += step) mutants.Add(($"truncated at {cut}", data[..cut]));
            for (int cut = Math.Max(0, data.Length - 16); cut < data.Length; cut++) mutants.Add(($"truncated at {cut}", data[..cut]));
            for (int i = 0; i < MutationsPerSeed; i++)
            {
                var m = (byte[])data.Clone();
                int flips = 1 + rng.Next(4);
                for (int j = 0; j < flips; j++) m[rng.Next(m.Length)] = (byte)rng.Next(256);
                mutants.Add(($"mutation {i}", m));
            }
            for (int i = 0; i < 40; i++)
            {
                // Overwrite a 4-byte window with extreme values: lying lengths and sizes.
                var m = (byte[])data.Clone();
                int at = rng.Next(Math.Max(1, m.Length - 4));
                uint v = (i % 4) switch { 0 => 0xFFFFFFFF, 1 => 0x7FFFFFFF, 2 => 0x0000FFFF, _ => (uint)rng.Next() };
                BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(at), v);
                mutants.Add(($"lying value at {at}", m));
            }
            foreach (var (what, m) in mutants)
            {
                attempts++;
                try
                {
                    DecodeDirect(kind, m);
                }
                catch (ImageDecodeException e)
                {
                    rejected++;
                    e.Code.ShouldNotBeNullOrWhiteSpace();
                }
                catch (Exception e)
                {
                    if (failures.Count < 20) failures.Add($"{name} {what}: {e.GetType().Name}: {e.Message} @ {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
                    else failures.Add("");
                }
            }
        }
        failures.ShouldBeEmpty($"{failures.Count} of {attempts} corrupted inputs escaped as other exceptions:\n" + string.Join("\n", failures.Take(20)));
        rejected.ShouldBeGreaterThan(attempts / 3);
    }

    private static string CodeOf(Action decode) => Should.Throw<ImageDecodeException>(decode).Code;

    [Fast]
    [Fact]
    public void Bad_magic_and_empty_input()
    {
        CodeOf(() => ImageDecoder.Decode(ReadOnlySpan<byte>.Empty)).ShouldBe(ImageDecodeErrorCodes.BadMagic);
        CodeOf(() => ImageDecoder.Decode("hello, this is not an image"u8)).ShouldBe(ImageDecodeErrorCodes.BadMagic);
        CodeOf(() => PngDecoder.Decode(JpegDecoderTests.TestFile("grey_baseline.jpg"))).ShouldBe(ImageDecodeErrorCodes.BadMagic);
        CodeOf(() => DicomFile.Parse(new byte[200])).ShouldBe(ImageDecodeErrorCodes.BadMagic);
        CodeOf(() => ImageDecoder.Decode([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])).ShouldBe(ImageDecodeErrorCodes.Truncated);
        CodeOf(() => ImageDecoder.Decode([0xFF, 0xD8, 0xFF])).ShouldBe(ImageDecodeErrorCodes.Truncated);
    }

    [Fast]
    [Fact]
    public void Size_limits()
    {
        var png = Png(0, 8, false);
        CodeOf(() => ImageDecoder.Decode(png, new ImageDecodeOptions { MaxInputBytes = 100 })).ShouldBe(ImageDecodeErrorCodes.TooLarge);
        CodeOf(() => ImageDecoder.Decode(new MemoryStream(png), new ImageDecodeOptions { MaxInputBytes = 100 })).ShouldBe(ImageDecodeErrorCodes.TooLarge);
        CodeOf(() => ImageDecoder.Decode(png, new ImageDecodeOptions { MaxPixels = 100 })).ShouldBe(ImageDecodeErrorCodes.TooLarge);
        CodeOf(() => ImageDecoder.Decode(JpegDecoderTests.TestFile("rgb420_baseline.jpg"), new ImageDecodeOptions { MaxPixels = 100 }))
            .ShouldBe(ImageDecodeErrorCodes.TooLarge);
        // A DICOM announcing 65535 × 65535 × 1000 frames.
        var dcm = DicomWriter.Grey(2, 2, 8, 8, false, [1, 2, 3, 4]).US(0x0028, 0x0010, 65535).US(0x0028, 0x0011, 65535)
            .Str(0x0028, 0x0008, "IS", "1000").Build();
        CodeOf(() => ImageDecoder.Decode(dcm)).ShouldBe(ImageDecodeErrorCodes.TooLarge);
        // PNG IHDR of 100000 × 100000.
        var huge = (byte[])png.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(16), 100000);
        BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(20), 100000);
        CodeOf(() => ImageDecoder.Decode(huge, new ImageDecodeOptions { VerifyPngCrc = false })).ShouldBe(ImageDecodeErrorCodes.TooLarge);
    }

    [Fast]
    [Fact]
    public void Lying_headers()
    {
        // PNG header says 4000 × 4000 but carries a few hundred bytes of data.
        var png = Png(0, 8, false);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 4000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), 4000);
        CodeOf(() => PngDecoder.Decode(png, new ImageDecodeOptions { VerifyPngCrc = false })).ShouldBe(ImageDecodeErrorCodes.DecompressionBomb);
        // PNG header says 30 rows, the data holds 17.
        var shortPng = Png(0, 8, false);
        BinaryPrimitives.WriteUInt32BigEndian(shortPng.AsSpan(20), 30);
        CodeOf(() => PngDecoder.Decode(shortPng, new ImageDecodeOptions { VerifyPngCrc = false })).ShouldBe(ImageDecodeErrorCodes.Truncated);
        // PNG chunk length beyond the file.
        var longChunk = Png(0, 8, false);
        BinaryPrimitives.WriteUInt32BigEndian(longChunk.AsSpan(33), 0x00FFFFFF);
        CodeOf(() => PngDecoder.Decode(longChunk)).ShouldBe(ImageDecodeErrorCodes.Truncated);
        // DICOM element length far beyond the file.
        var dcm = DicomWriter.Grey(2, 2, 8, 8, false, [1, 2, 3, 4]).Str(0x0010, 0x0010, "PN", "X").Build();
        int at = IndexOf(dcm, [0x10, 0x00, 0x10, 0x00, (byte)'P', (byte)'N']);
        BinaryPrimitives.WriteUInt16LittleEndian(dcm.AsSpan(at + 6), 0xFFF0);
        CodeOf(() => DicomFile.Parse(dcm)).ShouldBe(ImageDecodeErrorCodes.Truncated);
        // JPEG frame header says 8000 × 8000 for a 1 KB file.
        var jpg = JpegDecoderTests.TestFile("grey_baseline.jpg");
        int sof = JpegDecoderTests.FindMarker(jpg, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(sof + 5), 8000);
        BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(sof + 7), 8000);
        CodeOf(() => JpegDecoder.Decode(jpg)).ShouldBe(ImageDecodeErrorCodes.DecompressionBomb);
        // JPEG cut inside its entropy-coded data.
        var cut = JpegDecoderTests.TestFile("rgb420_baseline.jpg");
        CodeOf(() => JpegDecoder.Decode(cut[..(cut.Length * 2 / 3)])).ShouldBe(ImageDecodeErrorCodes.Truncated);
    }

    [Fast]
    [Fact]
    public void Zlib_bomb_in_png_is_refused_without_inflating_it()
    {
        // A valid 16 × 16 header followed by 50 MB of zeros in IDAT (about 50 KB compressed).
        var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, 16);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), 16);
        ihdr[8] = 8;
        PngWriter.Chunk(ms, "IHDR", ihdr);
        PngWriter.Chunk(ms, "IDAT", ZlibZeros(50_000_000));
        PngWriter.Chunk(ms, "IEND", []);
        CodeOf(() => ImageDecoder.Decode(ms.ToArray())).ShouldBe(ImageDecodeErrorCodes.DecompressionBomb);
    }

    private static byte[] ZlibZeros(int count)
    {
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int left = count; left > 0; left -= zeros.Length) zs.Write(zeros, 0, Math.Min(zeros.Length, left));
        }
        return z.ToArray();
    }

    [Fast]
    [Fact]
    public void Deflated_dicom_and_zip_bombs()
    {
        var big = DicomWriter.Grey(1000, 1000, 16, 16, false, new int[1_000_000], "1.2.840.10008.1.2.1.99").Build(); // 2 MB of zeros, ~2 KB deflated
        CodeOf(() => DicomFile.Parse(big, new ImageDecodeOptions { MaxCompressionRatio = 100 })).ShouldBe(ImageDecodeErrorCodes.DecompressionBomb);
        CodeOf(() => DicomFile.Parse(big, new ImageDecodeOptions { MaxInflatedBytes = 100_000 })).ShouldBe(ImageDecodeErrorCodes.DecompressionBomb);

        var zeros = new byte[20_000_000];
        var zip = new MemoryStream();
        using (var a = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        using (var s = a.CreateEntry("bomb.dcm", CompressionLevel.SmallestSize).Open()) s.Write(zeros);
        var bytes = zip.ToArray();
        CodeOf(() => CtSeriesReader.ReadZip(bytes, new ImageDecodeOptions { MaxCompressionRatio = 100 })).ShouldBe(ImageDecodeErrorCodes.DecompressionBomb);
        CodeOf(() => ImageDecoder.DecodeAny(bytes, new ImageDecodeOptions { MaxInflatedBytes = 1_000_000 })).ShouldBe(ImageDecodeErrorCodes.DecompressionBomb);

        // Central directory lies: claims 1000 bytes for the 20 MB entry.
        var lying = (byte[])bytes.Clone();
        int cd = IndexOf(lying, [0x50, 0x4B, 0x01, 0x02]);
        BinaryPrimitives.WriteUInt32LittleEndian(lying.AsSpan(cd + 24), 1000);
        CodeOf(() => CtSeriesReader.ReadZip(lying)).ShouldBeOneOf(ImageDecodeErrorCodes.DecompressionBomb, ImageDecodeErrorCodes.Corrupt);
    }

    private static int IndexOf(byte[] data, byte[] pattern) => data.AsSpan().IndexOf(pattern);
}
