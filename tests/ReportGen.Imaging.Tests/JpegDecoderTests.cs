using ReportGen.Imaging.Jpeg;
using ReportGen.Imaging.Png;
using ReportGen.TestSupport;

namespace ReportGen.Imaging.Tests;

[Fast]
public sealed class JpegDecoderTests
{
    internal static byte[] TestFile(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestFiles", name));

    /// <summary>Largest |difference| in 8-bit units between our decode and libjpeg-turbo's (via Pillow, TestFiles/make_jpegs.py).</summary>
    private static int MaxDiff(PixelImage a, PixelImage b)
    {
        a.Width.ShouldBe(b.Width);
        a.Height.ShouldBe(b.Height);
        a.Channels.ShouldBe(b.Channels);
        int max = 0;
        for (int i = 0; i < a.Pixels.Length; i++)
            max = Math.Max(max, Math.Abs((int)Math.Round(a.Pixels[i] * 255) - (int)Math.Round(b.Pixels[i] * 255)));
        return max;
    }

    [Theory]
    [InlineData("grey_baseline", 0)]
    [InlineData("grey_progressive", 0)]
    [InlineData("grey_progressive_restart", 0)]
    [InlineData("rgb444_baseline", 0)]
    [InlineData("rgb422_baseline", 0)]
    [InlineData("rgb420_baseline", 0)]
    [InlineData("rgb420_progressive", 0)]
    [InlineData("rgb444_progressive", 0)]
    [InlineData("rgb420_restart", 0)]
    [InlineData("rgb420_progressive_restart", 0)]
    public void Matches_libjpeg_turbo_decode(string name, int tolerance)
    {
        var ours = JpegDecoder.Decode(TestFile(name + ".jpg"));
        var reference = PngDecoder.Decode(TestFile(name + ".expected.png"));
        ours.Width.ShouldBe(67);
        ours.Height.ShouldBe(45);
        MaxDiff(ours, reference).ShouldBeLessThanOrEqualTo(tolerance);
    }

    [Fact]
    public void Skips_exif_and_other_app_segments()
    {
        var jpg = TestFile("rgb420_baseline.jpg");
        // Insert an APP1 "Exif" segment and a COM segment straight after SOI.
        var app1 = new byte[] { 0xFF, 0xE1, 0x00, 0x10, (byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
        var com = new byte[] { 0xFF, 0xFE, 0x00, 0x05, (byte)'h', (byte)'i', (byte)'!' };
        var withApp = jpg[..2].Concat(app1).Concat(com).Concat(jpg[2..]).ToArray();
        MaxDiff(JpegDecoder.Decode(withApp), JpegDecoder.Decode(jpg)).ShouldBe(0);
    }

    [Theory]
    [InlineData("narrow1_420")]
    [InlineData("narrow2_420")]
    [InlineData("narrow3_420")]
    [InlineData("narrow4_420")]
    [InlineData("narrow5_420")]
    [InlineData("narrow1_422")]
    [InlineData("narrow2_422")]
    [InlineData("narrow3_422")]
    [InlineData("narrow4_422")]
    [InlineData("narrow5_422")]
    [InlineData("rgb440_h1")]
    [InlineData("rgb440_h2")]
    [InlineData("rgb440_h3")]
    [InlineData("rgb440_h45")]
    public void Upsamples_chroma_exactly_as_djpeg_does_at_the_edges(string name)
    {
        // Expected = djpeg's output (TestFiles/make_jpegs.py): libjpeg-turbo filters 4:2:x chroma only when the
        // subsampled row has more than two samples, and filters 4:4:0 vertically.
        var ours = JpegDecoder.Decode(TestFile(name + ".jpg"));
        var reference = PngDecoder.Decode(TestFile(name + ".expected.png"));
        MaxDiff(ours, reference).ShouldBe(0);
    }

    [Fact]
    public void Rejects_arithmetic_coding_and_hierarchical_processes_as_unsupported()
    {
        var jpg = TestFile("grey_baseline.jpg");
        int sof = FindMarker(jpg, 0xC0);
        var arithmetic = (byte[])jpg.Clone();
        arithmetic[sof + 1] = 0xC9;
        Should.Throw<ImageDecodeException>(() => JpegDecoder.Decode(arithmetic)).Code.ShouldBe(ImageDecodeErrorCodes.Unsupported);
        var hierarchical = (byte[])jpg.Clone();
        hierarchical[sof + 1] = 0xC5;
        Should.Throw<ImageDecodeException>(() => JpegDecoder.Decode(hierarchical)).Code.ShouldBe(ImageDecodeErrorCodes.Unsupported);
        var baseline12 = (byte[])jpg.Clone();
        baseline12[sof + 4] = 12; // 12-bit is Extended (SOF1/SOF2) only
        Should.Throw<ImageDecodeException>(() => JpegDecoder.Decode(baseline12)).Code.ShouldBe(ImageDecodeErrorCodes.Unsupported);
    }

    internal static int FindMarker(byte[] jpg, byte marker)
    {
        for (int i = 2; i + 1 < jpg.Length; i++) if (jpg[i] == 0xFF && jpg[i + 1] == marker) return i;
        throw new InvalidOperationException("marker not found");
    }
}
