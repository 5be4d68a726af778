using System.IO.Compression;
using ReportGen.Imaging.Ct;
using ReportGen.Imaging.Tests.Fixtures;
using ReportGen.TestSupport;

namespace ReportGen.Imaging.Tests;

[Fast]
public sealed class CtSeriesTests
{
    private const int Size = 64, Slices = 8;

    /// <summary>HU of slice k (in anatomical order) at column x: a ramp per slice, 200 HU apart between slices.</summary>
    private static int Hu(int k, int x) => -1000 + 200 * k + 10 * x;

    /// <summary>Eight 64×64 slices written in shuffled order, alternating unsigned+intercept and signed+slope encodings.</summary>
    internal static List<byte[]> SeriesFiles(string seriesUid = "1.2.3.99", int? sizeOverrideForSlice3 = null, bool duplicatePosition = false, bool coronal = false)
    {
        var files = new List<byte[]>();
        int[] shuffled = [5, 2, 7, 0, 3, 6, 1, 4];
        foreach (var k in shuffled)
        {
            int size = k == 3 && sizeOverrideForSlice3 is { } s ? s : Size;
            bool signedEncoding = k % 2 == 1;
            var stored = new int[size * size];
            for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                stored[y * size + x] = signedEncoding ? Hu(k, x) / 2 : Hu(k, x) + 1024;
            double z = duplicatePosition && k == 4 ? -50 + 2.5 * 3 : -50 + 2.5 * k;
            var w = DicomWriter.Grey(size, size, 16, signedEncoding ? 16 : 12, signedEncoding, stored)
                .Str(0x0020, 0x000E, "UI", seriesUid)
                .Str(0x0020, 0x0032, "DS", coronal
                    ? $"-160\\{z.ToString(System.Globalization.CultureInfo.InvariantCulture)}\\{(300 - 7 * k).ToString(System.Globalization.CultureInfo.InvariantCulture)}"
                    : $"-160\\-170\\{z.ToString(System.Globalization.CultureInfo.InvariantCulture)}")
                .Str(0x0020, 0x0037, "DS", coronal ? "1\\0\\0\\0\\0\\-1" : "1\\0\\0\\0\\1\\0")
                .Str(0x0018, 0x0050, "DS", "2.5")
                .Str(0x0020, 0x0013, "IS", (100 - k * 7 % 5).ToString(System.Globalization.CultureInfo.InvariantCulture)) // misleading order
                .Str(0x0028, 0x1052, "DS", signedEncoding ? "0" : "-1024")
                .Str(0x0028, 0x1053, "DS", signedEncoding ? "2" : "1");
            files.Add(w.Build());
        }
        return files;
    }

    internal static byte[] Zip(IEnumerable<byte[]> files, bool extras = true)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            int i = 0;
            foreach (var f in files)
            {
                using var s = zip.CreateEntry($"series/IM{i++:000}.dcm").Open();
                s.Write(f);
            }
            if (extras)
            {
                zip.CreateEntry("series/");
                using var t = zip.CreateEntry("series/README.txt").Open();
                t.Write("not a dicom"u8);
            }
        }
        return ms.ToArray();
    }

    [Fact]
    public void Sorts_by_position_and_converts_to_hounsfield_units()
    {
        var volume = CtSeriesReader.Read(SeriesFiles());
        volume.Depth.ShouldBe(Slices);
        volume.Width.ShouldBe(Size);
        volume.SlicePositions.ShouldBe(Enumerable.Range(0, Slices).Select(k => -50 + 2.5 * k).ToArray());
        volume.SliceSpacing.ShouldBe(2.5);
        for (int k = 0; k < Slices; k++)
        {
            var slice = volume.SliceHounsfield(k);
            slice[0].ShouldBe(Hu(k, 0));
            slice[5 * Size + 37].ShouldBe(Hu(k, 37));
        }
        volume.Metadata.Modality.ShouldBe("CT");
        volume.Metadata.NumberOfFrames.ShouldBe(Slices);
    }

    [Fact]
    public void Sorts_along_the_slice_normal_not_along_z()
    {
        // Coronal slices: rows along +x, columns along −z, so the normal is +y; z varies too but must not decide the order.
        var volume = CtSeriesReader.Read(SeriesFiles(coronal: true));
        volume.SlicePositions.ShouldBe(Enumerable.Range(0, Slices).Select(k => -50 + 2.5 * k).ToArray());
        for (int k = 0; k < Slices; k++) volume.SliceHounsfield(k)[3].ShouldBe(Hu(k, 3));
    }

    [Fact]
    public void Named_windows_map_hounsfield_units()
    {
        var volume = CtSeriesReader.Read(SeriesFiles());
        // Slice 2, column 20: HU = -1000 + 400 + 200 = -400.
        var img = volume.Slice(2, CtWindow.Standard);
        img.Channels.ShouldBe(3);
        int p = (10 * Size + 20) * 3;
        img.Pixels[p].ShouldBe((float)((-400 - (-600 - 750.0)) / 1500), 1e-6f); // lung W1500 L-600
        img.Pixels[p + 1].ShouldBe(0f);                                            // mediastinum W350 L50: below -125
        img.Pixels[p + 2].ShouldBe((float)((-400 - (400 - 900.0)) / 1800), 1e-6f); // bone W1800 L400
        var grey = volume.Slice(4, [CtWindow.Mediastinum]);
        grey.Channels.ShouldBe(1);
        // Slice 4, column 10: HU = -1000 + 800 + 100 = -100 -> (−100 + 125) / 350
        grey.Pixels[10].ShouldBe(25f / 350, 1e-6f);
        CtWindow.ByName("LUNG").ShouldBe(CtWindow.Lung);
    }

    [Fact]
    public void Samples_evenly_spaced_slices()
    {
        var volume = CtSeriesReader.Read(SeriesFiles());
        volume.EvenlySpacedIndices(4).ShouldBe([0, 2, 5, 7]);
        volume.EvenlySpacedIndices(1).ShouldBe([4]);
        volume.EvenlySpacedIndices(20).Length.ShouldBe(Slices);
        var slices = volume.SampleSlices(3, [CtWindow.Lung]);
        slices.Count.ShouldBe(3);
        slices[1].Metadata.FrameIndex.ShouldBe(4);
    }

    [Fact]
    public void Builds_a_resampled_five_dimensional_tensor()
    {
        var volume = CtSeriesReader.Read(SeriesFiles());
        var identity = volume.ToTensor(Slices, Size, Size);
        identity.Shape.ShouldBe([1, 3, Slices, Size, Size]);
        identity.Channels.ShouldBe(["lung", "mediastinum", "bone"]);
        int plane = Size * Size;
        // channel 0 (lung), slice 3, row 7, column 30: HU = -1000 + 600 + 300 = -100
        identity.Data[(0 * Slices + 3) * plane + 7 * Size + 30].ShouldBe((float)((-100 + 1350) / 1500.0), 1e-6f);

        // 15 output slices over 8 inputs: output 1 sits half-way between slices 0 and 1 (HU average).
        var t = volume.ToTensor(15, 32, 32, [CtWindow.Lung]);
        t.Shape.ShouldBe([1, 1, 15, 32, 32]);
        // In-plane 64 -> 32: output column 10 samples source column 20.5 (pixel-centre alignment).
        double hu = (Hu(0, 0) + Hu(1, 0)) / 2.0 + 10 * 20.5;
        t.Data[1 * 32 * 32 + 5 * 32 + 10].ShouldBe((float)((hu + 1350) / 1500), 1e-5f);
    }

    [Fact]
    public void Reads_a_zip_through_the_single_entry_point()
    {
        var zip = Zip(SeriesFiles());
        var result = ImageDecoder.DecodeAny(zip);
        result.Image.ShouldBeNull();
        result.Volume!.Depth.ShouldBe(Slices);
        result.Volume.SliceHounsfield(7)[63].ShouldBe(Hu(7, 63));
        Should.Throw<ImageDecodeException>(() => ImageDecoder.Decode(zip)).Code.ShouldBe(ImageDecodeErrorCodes.IsSeries);
    }

    [Fact]
    public void Reads_files_from_disk()
    {
        using var dir = new TempDir();
        var paths = SeriesFiles().Select((f, i) =>
        {
            var p = Path.Combine(dir.Path, $"s{i}.dcm");
            File.WriteAllBytes(p, f);
            return p;
        }).ToList();
        CtSeriesReader.ReadFiles(paths).Depth.ShouldBe(Slices);
    }

    [Fact]
    public void Inconsistent_series_are_rejected()
    {
        Should.Throw<ImageDecodeException>(() => CtSeriesReader.Read(SeriesFiles(sizeOverrideForSlice3: 32)))
            .Code.ShouldBe(ImageDecodeErrorCodes.InconsistentSeries);
        Should.Throw<ImageDecodeException>(() => CtSeriesReader.Read(SeriesFiles(duplicatePosition: true)))
            .Message.ShouldContain("same position");
        var mixed = SeriesFiles().Take(4).Concat(SeriesFiles("1.2.3.100").Skip(4)).ToList();
        Should.Throw<ImageDecodeException>(() => CtSeriesReader.Read(mixed)).Message.ShouldContain("more than one series");
    }
}

[Fast]
public sealed class ImageDecoderTests
{
    [Fact]
    public void Sniffs_each_format_and_decodes_from_streams_and_files()
    {
        var png = JpegDecoderTests.TestFile("pil_rgba.png");
        var jpg = JpegDecoderTests.TestFile("grey_baseline.jpg");
        var dcm = DicomWriter.Grey(2, 2, 8, 8, false, [1, 2, 3, 4]).Build();
        var zip = CtSeriesTests.Zip(CtSeriesTests.SeriesFiles().Take(2), extras: false);
        ImageDecoder.Sniff(png).ShouldBe(ImageFormat.Png);
        ImageDecoder.Sniff(jpg).ShouldBe(ImageFormat.Jpeg);
        ImageDecoder.Sniff(dcm).ShouldBe(ImageFormat.Dicom);
        ImageDecoder.Sniff(zip).ShouldBe(ImageFormat.Zip);
        ImageDecoder.Sniff("GIF89a"u8).ShouldBe(ImageFormat.Unknown);

        ImageDecoder.Decode(new MemoryStream(png)).Metadata.Format.ShouldBe("png");
        ImageDecoder.Decode(new MemoryStream(jpg)).Metadata.Format.ShouldBe("jpeg");
        ImageDecoder.DecodeAny(new MemoryStream(zip)).Volume!.Depth.ShouldBe(2);
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "x.dcm");
        File.WriteAllBytes(path, dcm);
        ImageDecoder.DecodeFile(path).Image!.Metadata.Format.ShouldBe("dicom");
        Should.Throw<ImageDecodeException>(() => ImageDecoder.DecodeFile(path, new ImageDecodeOptions { MaxInputBytes = 10 }))
            .Code.ShouldBe(ImageDecodeErrorCodes.TooLarge);
    }

    [Fact]
    public void Encapsulated_frames_without_offset_table_are_split_at_each_jpeg_start()
    {
        var a = JpegDecoderTests.TestFile("grey_baseline.jpg");
        var b = JpegDecoderTests.TestFile("grey_progressive.jpg");
        var dcm = new DicomWriter(Dicom.DicomTransferSyntax.JpegBaseline)
            .US(0x0028, 0x0002, 1).Str(0x0028, 0x0004, "CS", "MONOCHROME2").Str(0x0028, 0x0008, "IS", "2")
            .US(0x0028, 0x0010, 45).US(0x0028, 0x0011, 67).US(0x0028, 0x0100, 8).US(0x0028, 0x0101, 8).US(0x0028, 0x0102, 7)
            .US(0x0028, 0x0103, 0)
            .Encapsulated([a[..500], a[500..], b[..200], b[200..600], b[600..]], withOffsetTable: false).Build();
        var frames = Dicom.DicomDecoder.DecodeAllFrames(dcm);
        frames.Count.ShouldBe(2);
        var reference = Png.PngDecoder.Decode(JpegDecoderTests.TestFile("grey_progressive.expected.png"));
        var raw = Dicom.DicomFile.Parse(dcm).ReadModalityValues(1);
        for (int i = 0; i < raw.Length; i++) raw[i].ShouldBe(MathF.Round(reference.Pixels[i] * 255));
    }
}
