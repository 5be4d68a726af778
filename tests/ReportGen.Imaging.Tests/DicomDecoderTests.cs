using System.Buffers.Binary;
using ReportGen.Imaging.Dicom;
using ReportGen.Imaging.Tests.Fixtures;
using ReportGen.TestSupport;

namespace ReportGen.Imaging.Tests;

public sealed class DicomDecoderTests
{
    private static int[] Ramp(int n, int start, int step) => Enumerable.Range(0, n).Select(i => start + i * step).ToArray();

    [Theory]
    [InlineData("1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.1.2")]
    [InlineData("1.2.840.10008.1.2.1.99")]
    public void Reads_unsigned_16_bit_with_rescale_and_tags_in_every_little_endian_syntax(string ts)
    {
        var stored = Ramp(12 * 10, 0, 500); // 0 .. 59500
        var dcm = DicomWriter.Grey(10, 12, 16, 16, signed: false, stored, ts)
            .Str(0x0028, 0x1052, "DS", "-1024")
            .Str(0x0028, 0x1053, "DS", "0.5")
            .Str(0x0020, 0x0032, "DS", "-100\\-120.5\\42")
            .Str(0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0")
            .Str(0x0018, 0x0050, "DS", "2.5")
            .Str(0x0020, 0x0013, "IS", "7")
            .Sequence(0x0008, 0x1140, undefinedLengths: true)
            .Sequence(0x0040, 0x0275, undefinedLengths: false)
            .Build();
        var file = DicomFile.Parse(dcm);
        file.TransferSyntaxUid.ShouldBe(ts);
        file.Rows.ShouldBe(10);   // not the (0028,0010) = 0x1234 hidden inside the sequence item
        file.Modality.ShouldBe("CT");
        file.ViewPosition.ShouldBe("PA");
        file.BodyPart.ShouldBe("CHEST");
        file.StudyDate.ShouldBe("20240131");
        file.PixelSpacing.ShouldBe((0.5, 0.25));
        file.ImagePositionPatient.ShouldBe([-100, -120.5, 42]);
        file.ImageOrientationPatient.ShouldBe([1, 0, 0, 0, 1, 0]);
        file.SliceThickness.ShouldBe(2.5);
        file.InstanceNumber.ShouldBe(7);
        var values = file.ReadModalityValues();
        values[0].ShouldBe(-1024f);
        values[^1].ShouldBe(59500 * 0.5f - 1024);
        var img = file.DecodeFrame();
        img.Pixels[0].ShouldBe(0f);
        img.Pixels[^1].ShouldBe(1f);
        img.Pixels[60].ShouldBe((60 * 500 * 0.5f) / (59500 * 0.5f), 1e-6f);
        img.Metadata.Format.ShouldBe("dicom");
        img.Metadata.Modality.ShouldBe("CT");
        img.Metadata.PixelSpacing.ShouldBe((0.5, 0.25));
    }

    [Fact]
    public void Signed_values_and_bits_stored_masking_with_high_bit()
    {
        // 12 bits stored, signed, high bit 11: the top four bits carry junk (an overlay) that must be masked off.
        int[] values = [-2048, -1, 0, 1, 2047, -1000];
        var px = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(px.AsSpan(i * 2), (ushort)((values[i] & 0xFFF) | 0xA000));
        var dcm = DicomWriter.Grey(2, 3, 16, 12, signed: true, new int[6]).NativePixels(px).Build();
        DicomFile.Parse(dcm).ReadModalityValues().ShouldBe(values.Select(v => (float)v).ToArray());
    }

    [Fact]
    public void Signed_16_bit_full_range()
    {
        int[] values = [-32768, -1024, 0, 3071, 32767, 5];
        var dcm = DicomWriter.Grey(2, 3, 16, 16, signed: true, values).Build();
        DicomFile.Parse(dcm).ReadModalityValues().ShouldBe(values.Select(v => (float)v).ToArray());
    }

    [Fact]
    public void Voi_window_uses_first_value_and_dicom_linear_function_and_monochrome1_inverts()
    {
        int[] stored = [0, 40, 50, 60, 100, 1000];
        var dcm = DicomWriter.Grey(2, 3, 16, 16, signed: false, stored)
            .Str(0x0028, 0x1050, "DS", "50\\300")
            .Str(0x0028, 0x1051, "DS", "21\\800")
            .Build();
        var img = DicomDecoder.Decode(dcm);
        img.Metadata.Window.ShouldBe((50.0, 21.0));
        // (x - (c - 0.5)) / (w - 1) + 0.5, clipped
        float[] expected = stored.Select(x => Math.Clamp((float)((x - 49.5) / 20 + 0.5), 0f, 1f)).ToArray();
        for (int i = 0; i < 6; i++) img.Pixels[i].ShouldBe(expected[i], 1e-6f);

        var inverted = DicomDecoder.Decode(DicomWriter.Grey(2, 3, 16, 16, false, stored, photometric: "MONOCHROME1")
            .Str(0x0028, 0x1050, "DS", "50").Str(0x0028, 0x1051, "DS", "21").Build());
        for (int i = 0; i < 6; i++) inverted.Pixels[i].ShouldBe(1 - expected[i], 1e-6f);

        // Without applying the VOI window the min/max of the frame is used.
        var raw = DicomDecoder.Decode(dcm, new ImageDecodeOptions { ApplyVoiWindow = false });
        raw.Pixels[1].ShouldBe(40f / 1000, 1e-6f);
    }

    [Fact]
    public void Multi_frame_decodes_the_asked_frame_or_all()
    {
        const int r = 4, c = 5, frames = 3;
        var stored = Enumerable.Range(0, r * c * frames).Select(i => i / (r * c) * 100 + i % (r * c)).ToArray();
        var dcm = DicomWriter.Grey(r, c, 8, 8, false, stored, frames: frames).Build();
        var file = DicomFile.Parse(dcm);
        file.NumberOfFrames.ShouldBe(3);
        file.ReadModalityValues(2)[0].ShouldBe(200f);
        file.ReadModalityValues(1)[19].ShouldBe(119f);
        var all = file.DecodeAllFrames();
        all.Count.ShouldBe(3);
        all[2].Metadata.FrameIndex.ShouldBe(2);
        DicomDecoder.Decode(dcm, new ImageDecodeOptions { Frame = 1 }).Metadata.FrameIndex.ShouldBe(1);
        Should.Throw<ImageDecodeException>(() => file.DecodeFrame(3)).Code.ShouldBe(ImageDecodeErrorCodes.Corrupt);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Rgb_interleaved_and_planar(int planar)
    {
        const int n = 6;
        var rgb = Enumerable.Range(0, n * 3).Select(i => (byte)(i * 13)).ToArray();
        var px = planar == 0 ? rgb : Enumerable.Range(0, n * 3).Select(i => rgb[(i % n) * 3 + i / n]).ToArray();
        var dcm = new DicomWriter()
            .US(0x0028, 0x0002, 3).Str(0x0028, 0x0004, "CS", "RGB").US(0x0028, 0x0006, (ushort)planar)
            .US(0x0028, 0x0010, 2).US(0x0028, 0x0011, 3).US(0x0028, 0x0100, 8).US(0x0028, 0x0101, 8).US(0x0028, 0x0102, 7)
            .US(0x0028, 0x0103, 0).NativePixels(px, ow: false).Build();
        var img = DicomDecoder.Decode(dcm);
        img.Channels.ShouldBe(3);
        for (int i = 0; i < n * 3; i++) img.Pixels[i].ShouldBe(rgb[i] / 255f, 1e-6f);
    }

    /// <summary>A two-frame 67x45 JPEG baseline header and the two JPEG test files for its frames.</summary>
    private static (DicomWriter Writer, byte[] Grey, byte[] Progressive) TwoJpegFrames() =>
        (new DicomWriter(DicomTransferSyntax.JpegBaseline)
            .US(0x0028, 0x0002, 1).Str(0x0028, 0x0004, "CS", "MONOCHROME2").Str(0x0028, 0x0008, "IS", "2")
            .US(0x0028, 0x0010, 45).US(0x0028, 0x0011, 67).US(0x0028, 0x0100, 8).US(0x0028, 0x0101, 8).US(0x0028, 0x0102, 7)
            .US(0x0028, 0x0103, 0),
         JpegDecoderTests.TestFile("grey_baseline.jpg"), JpegDecoderTests.TestFile("grey_progressive.jpg"));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Encapsulated_jpeg_multi_frame_with_and_without_offset_table(bool bot)
    {
        var (w, grey, prog) = TwoJpegFrames();
        w = w
            // Frame 0 split over two fragments only works with an offset table; without one, one fragment per frame.
            .Encapsulated(bot ? [grey[..100], grey[100..], prog] : [grey, prog], withOffsetTable: bot, bot ? [0, 2] : null);
        var file = DicomFile.Parse(w.Build());
        var f0 = file.ReadModalityValues(0);
        var reference = Png.PngDecoder.Decode(JpegDecoderTests.TestFile("grey_baseline.expected.png"));
        for (int i = 0; i < f0.Length; i += 97) f0[i].ShouldBe(MathF.Round(reference.Pixels[i] * 255));
        file.ReadModalityValues(1).Length.ShouldBe(45 * 67);
    }

    [Fact]
    public void Without_an_offset_table_fragments_are_grouped_into_frames_at_each_codestream_start()
    {
        var (w, grey, prog) = TwoJpegFrames();
        var dcm = w.Encapsulated([grey[..100], grey[100..], prog[..50], prog[50..]], withOffsetTable: false).Build();
        var file = DicomFile.Parse(dcm);
        DicomPixelData.StoredFrame(file, 0).Samples.ShouldBe(JpegSamples(grey));
        DicomPixelData.StoredFrame(file, 1).Samples.ShouldBe(JpegSamples(prog));
    }

    private static int[] JpegSamples(byte[] jpeg) =>
        Jpeg.JpegDecoder.DecodePlanes(jpeg, ImageDecodeOptions.Default).Samples.Select(b => (int)b).ToArray();

    [Fact]
    public void Supported_syntaxes_are_the_native_ones_plus_every_registered_codec()
    {
        DicomTransferSyntax.IsSupported(DicomTransferSyntax.ExplicitVrLittleEndian).ShouldBeTrue();
        DicomTransferSyntax.IsSupported(DicomTransferSyntax.JpegBaseline).ShouldBeTrue();
        foreach (var uid in DicomFrameCodecs.Registered) DicomTransferSyntax.IsSupported(uid).ShouldBeTrue(uid);
        DicomTransferSyntax.IsSupported("1.2.840.10008.1.2.4.100").ShouldBeFalse();
        DicomTransferSyntax.IsSupported("1.2.3.4").ShouldBeFalse();
    }

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestFiles", "dicom", name));

    [Fact]
    public void Enhanced_multi_frame_rescale_comes_from_the_per_frame_functional_groups()
    {
        // make_dicom_fixtures.py: shared group slope 2 / intercept 0, per-frame groups slope 1 with intercepts -1024 and -1000.
        var file = DicomFile.Parse(Fixture("enhanced_ct_functional_groups.dcm"));
        for (int frame = 0; frame < 2; frame++)
        {
            var stored = DicomPixelData.StoredFrame(file, frame).Samples;
            var values = file.ReadModalityValues(frame);
            float intercept = frame == 0 ? -1024 : -1000;
            for (int i = 0; i < stored.Length; i++) values[i].ShouldBe(stored[i] + intercept);
        }
        file.RescaleIntercept.ShouldBe(0); // the shared group's, for the file as a whole
        file.RescaleSlope.ShouldBe(2);
    }

    [Theory]
    [InlineData(0x0028, 0x1053, "abc", "Rescale Slope (0028,1053) value 'abc'")]
    [InlineData(0x0028, 0x1052, "1,5", "Rescale Intercept (0028,1052) value '1,5'")]
    [InlineData(0x0028, 0x1051, "NaN", "Window Width (0028,1051) value 'NaN'")]
    [InlineData(0x0028, 0x1050, "1e400", "Window Center (0028,1050) value '1e400'")]
    [InlineData(0x0028, 0x0030, "0.5\\x", "Pixel Spacing (0028,0030) value 'x'")]
    public void Numbers_that_do_not_parse_are_corrupt_and_name_the_tag(ushort g, ushort e, string value, string expected)
    {
        var dcm = DicomWriter.Grey(2, 2, 8, 8, false, [1, 2, 3, 4]).Str(g, e, "DS", value).Build();
        var ex = Should.Throw<ImageDecodeException>(() => ImageDecoder.Decode(dcm));
        ex.Code.ShouldBe(ImageDecodeErrorCodes.Corrupt);
        ex.Message.ShouldContain(expected);
    }

    [Theory]
    [InlineData("LINEAR", "0.5")]
    [InlineData("LINEAR_EXACT", "0")]
    [InlineData("SIGMOID", "-3")]
    public void A_window_width_the_function_cannot_use_is_corrupt_not_ignored(string function, string width)
    {
        var dcm = DicomWriter.Grey(2, 2, 8, 8, false, [1, 2, 3, 4])
            .Str(0x0028, 0x1050, "DS", "2").Str(0x0028, 0x1051, "DS", width).Str(0x0028, 0x1056, "CS", function).Build();
        Should.Throw<ImageDecodeException>(() => ImageDecoder.Decode(dcm)).Message.ShouldContain($"Window Width (0028,1051) {width} for VOI LUT Function {function}");
    }

    [Fact]
    public void Non_image_objects_are_not_an_image_naming_the_sop_class()
    {
        var sr = new DicomWriter().Str(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.88.33").Str(0x0008, 0x0060, "CS", "SR").Build();
        var e = Should.Throw<ImageDecodeException>(() => ImageDecoder.Decode(sr));
        e.Code.ShouldBe(ImageDecodeErrorCodes.NotAnImage);
        e.Message.ShouldBe("not an image: the DICOM object is Comprehensive SR Storage (1.2.840.10008.5.1.4.1.1.88.33) and has no Pixel Data");
        var unknown = new DicomWriter().Str(0x0008, 0x0016, "UI", "1.2.3.4").Build();
        Should.Throw<ImageDecodeException>(() => ImageDecoder.Decode(unknown)).Message.ShouldContain("is 1.2.3.4 and has no Pixel Data");
    }

    [Fact]
    public void A_bare_data_set_is_dicom_but_other_bytes_stay_bad_magic()
    {
        var part10 = DicomWriter.Grey(3, 4, 16, 12, false, Ramp(12, 0, 300)).Build();
        int bodyStart = 132 + 12 + (int)BinaryPrimitives.ReadUInt32LittleEndian(part10.AsSpan(140)); // preamble, DICM, (0002,0000), group 2
        var bare = part10[bodyStart..];
        ImageDecoder.Sniff(bare).ShouldBe(ImageFormat.Dicom);
        var file = DicomFile.Parse(bare);
        file.HasFileMeta.ShouldBeFalse();
        file.TransferSyntaxUid.ShouldBe(DicomTransferSyntax.ExplicitVrLittleEndian);
        file.ReadModalityValues().ShouldBe(DicomFile.Parse(part10).ReadModalityValues());
        foreach (var junk in new byte[][] { [0x08, 0x00, 0x05, 0x00, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2], [0x10, 0x00, 0x10, 0x00, (byte)'P', (byte)'N', 2, 0, 65, 66], new byte[300] })
        {
            ImageDecoder.Sniff(junk).ShouldBe(ImageFormat.Unknown);
            Should.Throw<ImageDecodeException>(() => ImageDecoder.Decode(junk)).Code.ShouldBe(ImageDecodeErrorCodes.BadMagic);
        }
    }

    [Fact]
    public void Segmented_palettes_are_refused_by_name()
    {
        var dcm = DicomWriter.Grey(2, 2, 8, 8, false, [0, 1, 2, 3], photometric: "PALETTE COLOR")
            .Raw(0x0028, 0x1221, "OW", new byte[8]).Build();
        var e = Should.Throw<ImageDecodeException>(() => ImageDecoder.Decode(dcm));
        e.Code.ShouldBe(ImageDecodeErrorCodes.Unsupported);
        e.Message.ShouldContain("segmented palette");
    }

    [Fact]
    public void Retired_and_unknown_syntaxes_are_named_in_the_error()
    {
        DicomTransferSyntax.NameOf("1.2.840.10008.1.2.4.53").ShouldBe("JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8) (retired)");
        DicomTransferSyntax.NameOf("1.2.840.10008.1.2.4.52").ShouldBe("JPEG Extended (Process 3 & 5) (retired)");
        foreach (var uid in DicomTransferSyntax.Known) DicomTransferSyntax.NameOf(uid).ShouldNotBe("unknown");
        var dcm = DicomWriter.Grey(2, 2, 8, 8, false, [1, 2, 3, 4], ts: "1.2.840.10008.1.2.4.58").Build();
        Should.Throw<ImageDecodeException>(() => ImageDecoder.Decode(dcm)).Message
            .ShouldBe("unsupported transfer syntax 1.2.840.10008.1.2.4.58 (JPEG Lossless, Non-Hierarchical (Process 15) (retired))");
    }

    [Fact]
    public void The_readme_support_table_says_decoded_for_exactly_the_syntaxes_we_decode()
    {
        var lines = File.ReadAllLines(RepoFiles.Path("README.md"));
        int header = Array.IndexOf(lines, "| UID | name | status |");
        header.ShouldBeGreaterThan(0);
        var rows = lines.Skip(header + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries)).Select(c => (Uid: c[1], Status: c[3])).ToList();
        var decodedInReadme = rows.Where(r => r.Status.StartsWith("decoded", StringComparison.Ordinal)).Select(r => r.Uid).ToHashSet();
        var supported = DicomTransferSyntax.Known.Where(DicomTransferSyntax.IsSupported).ToHashSet();
        decodedInReadme.ShouldBe(supported, ignoreOrder: true);
        foreach (var uid in DicomFrameCodecs.Registered) rows.ShouldContain(r => r.Uid == uid, $"README lists no row for registered {uid}");
    }

    [Fact]
    public void Unsupported_transfer_syntax_is_named()
    {
        var dcm = DicomWriter.Grey(2, 2, 8, 8, false, [1, 2, 3, 4], ts: "1.2.840.10008.1.2.4.100").Build();
        var e = Should.Throw<ImageDecodeException>(() => ImageDecoder.Decode(dcm));
        e.Code.ShouldBe(ImageDecodeErrorCodes.UnsupportedTransferSyntax);
        e.Message.ShouldBe("unsupported transfer syntax 1.2.840.10008.1.2.4.100 (MPEG2 Main Profile / Main Level)");
    }

    [Fact]
    public void Pixel_data_shorter_than_the_header_says_is_rejected()
    {
        var dcm = DicomWriter.Grey(4, 4, 16, 16, false, new int[8]).US(0x0028, 0x0010, 4).Build(); // 8 values for 16 pixels
        Should.Throw<ImageDecodeException>(() => ImageDecoder.Decode(dcm)).Code.ShouldBe(ImageDecodeErrorCodes.Corrupt);
    }

    // Independent reference: pydicom 2.3.1 + Pillow 9.4 (libjpeg-turbo), Debian 12:
    //   /usr/bin/python3 -c "import pydicom,numpy as n; d=pydicom.dcmread('siim-cxr-sample.dcm'); a=d.pixel_array.astype(n.float64);
    //     print(a.mean(), a.std(), a.min(), a.max(), a[0,0], a[512,512], a[100,700], a[1023,1023], a[300,200])"
    // -> 160.39803886413574 53.85488492125826 0.0 254.0 0.0 208.0 117.0 0.0 195.0 (the same for Fake_MONOHR1.dcm: same pixel data).
    [Theory]
    [InlineData("siim-cxr-sample.dcm")]
    [InlineData("Fake_MONOHR1.dcm")]
    public void Shared_cxr_dicoms_match_pydicom(string name)
    {
        var bytes = File.ReadAllBytes(SharedData.Data("images", name));
        var file = DicomFile.Parse(bytes);
        file.TransferSyntaxUid.ShouldBe(DicomTransferSyntax.JpegBaseline);
        file.Modality.ShouldBe("CR");
        file.ViewPosition.ShouldBe("PA");
        file.BodyPart.ShouldBe("CHEST");
        file.StudyDate.ShouldBe("19010101");
        file.PixelSpacing.ShouldBe((0.168, 0.168));
        var values = file.ReadModalityValues();
        var img = new PixelImage(1024, 1024, 1, values.Select(v => v / 255f).ToArray());
        var (mean, std, min, max) = Stats.Of(img.Pixels, 255);
        mean.ShouldBe(160.39803886413574, 1e-9);
        std.ShouldBe(53.85488492125826, 1e-9);
        min.ShouldBe(0);
        max.ShouldBe(254);
        Stats.At(img, 512, 512, 255).ShouldBe(208);
        Stats.At(img, 100, 700, 255).ShouldBe(117);
        Stats.At(img, 1023, 1023, 255).ShouldBe(0);
        Stats.At(img, 300, 200, 255).ShouldBe(195);

        var decoded = ImageDecoder.Decode(bytes);
        decoded.Width.ShouldBe(1024);
        decoded.Metadata.ViewPosition.ShouldBe("PA");
        // No VOI window in these files: min..max (0..254) maps to 0..1, MONOCHROME1 inverted.
        bool mono1 = name.StartsWith("Fake", StringComparison.Ordinal);
        decoded.Metadata.PhotometricInterpretation.ShouldBe(mono1 ? "MONOCHROME1" : "MONOCHROME2");
        float at = decoded.Pixels[512 * 1024 + 512];
        at.ShouldBe(mono1 ? 1 - 208f / 254 : 208f / 254, 1e-6f);
    }

    [Fact]
    public void Monochrome1_is_the_inverse_of_the_same_pixels_as_monochrome2()
    {
        var m2 = ImageDecoder.Decode(File.ReadAllBytes(SharedData.Data("images", "siim-cxr-sample.dcm")));
        var m1 = ImageDecoder.Decode(File.ReadAllBytes(SharedData.Data("images", "Fake_MONOHR1.dcm")));
        for (int i = 0; i < m1.Pixels.Length; i += 101) (m1.Pixels[i] + m2.Pixels[i]).ShouldBe(1f, 1e-6f);
    }
}
