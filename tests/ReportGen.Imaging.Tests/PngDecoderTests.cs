using ReportGen.Imaging.Png;
using ReportGen.Imaging.Tests.Fixtures;
using ReportGen.TestSupport;

namespace ReportGen.Imaging.Tests;

public sealed class PngDecoderTests
{
    private static ushort[] RandomSamples(int count, int bitDepth, int seed)
    {
        var rng = new Random(seed);
        var s = new ushort[count];
        int max = (1 << bitDepth) - 1;
        for (int i = 0; i < count; i++) s[i] = (ushort)rng.Next(max + 1);
        return s;
    }

    public static TheoryData<int, int, bool> ColourTypes()
    {
        var d = new TheoryData<int, int, bool>();
        foreach (var interlace in new[] { false, true })
        {
            foreach (var bd in new[] { 1, 2, 4, 8, 16 }) d.Add(0, bd, interlace);
            foreach (var bd in new[] { 8, 16 }) { d.Add(2, bd, interlace); d.Add(4, bd, interlace); d.Add(6, bd, interlace); }
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(ColourTypes))]
    public void Decodes_every_colour_type_and_bit_depth(int colorType, int bitDepth, bool interlace)
    {
        const int w = 13, h = 11; // odd sizes: partial bytes and short Adam7 passes
        int spp = colorType switch { 0 => 1, 2 => 3, 4 => 2, _ => 4 };
        var samples = RandomSamples(w * h * spp, bitDepth, colorType * 100 + bitDepth);
        var png = PngWriter.Write(w, h, colorType, bitDepth, samples, interlace);

        var img = PngDecoder.Decode(png);

        float max = (1 << bitDepth) - 1;
        img.Width.ShouldBe(w);
        img.Height.ShouldBe(h);
        int outCh = colorType switch { 0 => 1, 2 => 3, _ => 4 };
        img.Channels.ShouldBe(outCh);
        for (int p = 0; p < w * h; p++)
        {
            float[] expected = colorType switch
            {
                0 => [samples[p] / max],
                2 => [samples[p * 3] / max, samples[p * 3 + 1] / max, samples[p * 3 + 2] / max],
                4 => [samples[p * 2] / max, samples[p * 2] / max, samples[p * 2] / max, samples[p * 2 + 1] / max],
                _ => [samples[p * 4] / max, samples[p * 4 + 1] / max, samples[p * 4 + 2] / max, samples[p * 4 + 3] / max],
            };
            for (int c = 0; c < outCh; c++)
                img.Pixels[p * outCh + c].ShouldBe(expected[c], 1e-6f, $"pixel {p} channel {c}");
        }
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(4, false)]
    [InlineData(8, true)]
    public void Decodes_palette_with_and_without_transparency(int bitDepth, bool withTrns)
    {
        const int w = 9, h = 7;
        int entries = 1 << bitDepth;
        var palette = new byte[entries * 3];
        for (int i = 0; i < palette.Length; i++) palette[i] = (byte)(i * 37 + 11);
        byte[]? trns = withTrns ? Enumerable.Range(0, Math.Min(entries, 3)).Select(i => (byte)(i * 100)).ToArray() : null;
        var idx = RandomSamples(w * h, bitDepth, bitDepth);
        foreach (var interlace in new[] { false, true })
        {
            var img = PngDecoder.Decode(PngWriter.Write(w, h, 3, bitDepth, idx, interlace, palette, trns));
            img.Channels.ShouldBe(withTrns ? 4 : 3);
            for (int p = 0; p < w * h; p++)
            {
                int e = idx[p];
                img.Pixels[p * img.Channels].ShouldBe(palette[e * 3] / 255f, 1e-6f);
                img.Pixels[p * img.Channels + 2].ShouldBe(palette[e * 3 + 2] / 255f, 1e-6f);
                if (withTrns) img.Pixels[p * 4 + 3].ShouldBe(e < trns!.Length ? trns[e] / 255f : 1f, 1e-6f);
            }
        }
    }

    [Fact]
    public void Crc_mismatch_is_corrupt_unless_disabled()
    {
        var png = PngWriter.Write(4, 4, 0, 8, RandomSamples(16, 8, 1));
        // Flip a CRC byte of IHDR: 8 signature + 4 length + 4 type + 13 body.
        png[8 + 8 + 13] ^= 0xFF;
        Should.Throw<ImageDecodeException>(() => PngDecoder.Decode(png)).Code.ShouldBe(ImageDecodeErrorCodes.Corrupt);
        PngDecoder.Decode(png, new ImageDecodeOptions { VerifyPngCrc = false }).Width.ShouldBe(4);
    }

    // Reference values computed independently with Pillow + numpy (Debian python3-pil, python3-numpy):
    //   /usr/bin/python3 -c "from PIL import Image; import numpy as n; a=n.asarray(Image.open('00000001_000.png'),dtype=n.float64);
    //     print(Image.open('00000001_000.png').mode, a.shape, a.mean(), a.std(), a.min(), a.max(), a[0,0], a[256,256], a[100,400], a[511,511])"
    [Theory]
    [InlineData("00000001_000.png", 128.13616180419922, 67.35719287189549, 0, 255, 198, 198, 125, 0)]
    [InlineData("00027426_000.png", 127.39287948608398, 67.9019213922548, 0, 241, 185, 147, 78, 0)]
    public void Shared_nih_png_matches_independent_statistics(string file, double mean, double std, int min, int max, int p00, int p256, int p100_400, int p511)
    {
        var img = PngDecoder.Decode(File.ReadAllBytes(SharedData.Data("images", file)));
        img.Width.ShouldBe(512);
        img.Height.ShouldBe(512);
        img.Channels.ShouldBe(1);
        var (m, s, lo, hi) = Stats.Of(img.Pixels, 255);
        m.ShouldBe(mean, 1e-6);
        s.ShouldBe(std, 1e-6);
        lo.ShouldBe(min);
        hi.ShouldBe(max);
        Stats.At(img, 0, 0, 255).ShouldBe(p00);
        Stats.At(img, 256, 256, 255).ShouldBe(p256);
        Stats.At(img, 100, 400, 255).ShouldBe(p100_400);
        Stats.At(img, 511, 511, 255).ShouldBe(p511);
    }
}
