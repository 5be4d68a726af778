using System.Buffers.Binary;
using ReportGen.Imaging.Png;
using ReportGen.TestSupport;

namespace ReportGen.Imaging.Tests;

/// <summary>PNGs written by an independent encoder (Pillow; TestFiles/make_pngs.py) against the samples it was given.</summary>
[Fast]
public sealed class PngReferenceTests
{
    [Theory]
    [InlineData("pil_bilevel", 1, 1, 1)]
    [InlineData("pil_grey16", 1, 65535, 2)]
    [InlineData("pil_grey_alpha", 4, 255, 1)]
    [InlineData("pil_rgba", 4, 255, 1)]
    [InlineData("pil_palette_trns", 4, 255, 1)]
    public void Matches_the_encoders_samples(string name, int channels, int max, int bytesPerSample)
    {
        var img = PngDecoder.Decode(JpegDecoderTests.TestFile(name + ".png"));
        var raw = JpegDecoderTests.TestFile(name + ".raw");
        img.Width.ShouldBe(29);
        img.Height.ShouldBe(21);
        img.Channels.ShouldBe(channels);
        img.Pixels.Length.ShouldBe(raw.Length / bytesPerSample);
        for (int i = 0; i < img.Pixels.Length; i++)
        {
            int expected = bytesPerSample == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(i * 2)) : raw[i];
            ((int)Math.Round(img.Pixels[i] * max)).ShouldBe(expected, $"sample {i}");
        }
    }
}
