using ReportGen.Imaging.Dicom;
using ReportGen.Imaging.Jpeg;
using ReportGen.Imaging.Rle;
using ReportGen.Imaging.Tests.Fixtures;
using ReportGen.TestSupport;

namespace ReportGen.Imaging.Tests;

/// <summary>Codec-level cases the tool-made fixtures do not reach: lossless JPEG restarts, 32-bit RLE, odd RLE padding.</summary>
[Fast]
public sealed class LosslessCodecTests
{
    private static readonly FrameGeometry AnyGeometry = new(1, 1, 1, 16, 16, false);

    [Theory]
    [InlineData(1, 1, 12), InlineData(2, 1, 12), InlineData(3, 3, 16), InlineData(4, 1, 16), InlineData(5, 3, 8), InlineData(6, 1, 2), InlineData(7, 3, 16)]
    public void Lossless_jpeg_with_restart_intervals_round_trips_every_predictor(int predictor, int components, int precision)
    {
        int w = 23, h = 17;
        var rng = new Random(predictor * 10 + components);
        var samples = new int[w * h * components];
        for (int i = 0; i < samples.Length; i++) samples[i] = Math.Clamp(i * 37 % (1 << precision) + rng.Next(-3, 4), 0, (1 << precision) - 1);
        var jpg = LosslessJpegWriter.Write(w, h, components, precision, predictor, restartRows: 4, samples);
        var frame = JpegDecoder.DecodeFrame(jpg, AnyGeometry, ImageDecodeOptions.Default);
        (frame.Width, frame.Height, frame.Components, frame.Precision).ShouldBe((w, h, components, precision));
        frame.Samples.ShouldBe(samples);
        // Without the restart markers the same samples encode differently but decode the same.
        JpegDecoder.DecodeFrame(LosslessJpegWriter.Write(w, h, components, precision, predictor, 0, samples), AnyGeometry, ImageDecodeOptions.Default)
            .Samples.ShouldBe(samples);
    }

    [Fact]
    public void Lossless_jpeg_restart_interval_that_splits_a_row_is_unsupported()
    {
        var jpg = LosslessJpegWriter.Write(8, 4, 1, 8, 1, restartRows: 1, new int[32]);
        int dri = JpegDecoderTests.FindMarker(jpg, 0xDD);
        jpg[dri + 5] = 3; // 3 MCUs: not a whole row of 8
        Should.Throw<ImageDecodeException>(() => JpegDecoder.DecodeFrame(jpg, AnyGeometry, ImageDecodeOptions.Default))
            .Code.ShouldBe(ImageDecodeErrorCodes.Unsupported);
    }

    /// <summary>An RLE frame whose segments are all literal runs (PackBits header n-1, then n bytes).</summary>
    private static byte[] Rle(params byte[][] segments)
    {
        var body = new List<byte>();
        var offsets = new List<int>();
        foreach (var seg in segments)
        {
            offsets.Add(64 + body.Count);
            for (int i = 0; i < seg.Length; i += 128)
            {
                int n = Math.Min(128, seg.Length - i);
                body.Add((byte)(n - 1));
                body.AddRange(seg.AsSpan(i, n).ToArray());
            }
            if (body.Count % 2 == 1) body.Add(0);
        }
        var header = new byte[64];
        BitConverter.GetBytes(segments.Length).CopyTo(header, 0);
        for (int i = 0; i < offsets.Count; i++) BitConverter.GetBytes(offsets[i]).CopyTo(header, 4 + 4 * i);
        return [.. header, .. body];
    }

    [Fact]
    public void Rle_32_bit_rgb_puts_each_byte_plane_in_its_place()
    {
        // 2 pixels, 3 samples of 32 bits: 12 segments, most significant byte first, sample by sample.
        var segs = new byte[12][];
        for (int s = 0; s < 12; s++) segs[s] = [(byte)(s * 16 + 1), (byte)(s * 16 + 2)];
        var frame = RleCodec.Decode(Rle(segs), new FrameGeometry(1, 2, 3, 32, 32, false), ImageDecodeOptions.Default);
        frame.Samples.Length.ShouldBe(6);
        // Pixel 0, R: bytes 0x01, 0x11, 0x21, 0x31.
        frame.Samples[0].ShouldBe(0x01112131);
        frame.Samples[1].ShouldBe(0x41516171); // G
        frame.Samples[5].ShouldBe(unchecked((int)0x8292A2B2)); // pixel 1, B: the bit pattern of a uint in an int
    }

    [Fact]
    public void Rle_tolerates_the_pad_byte_of_an_odd_plane_and_rejects_a_wrong_segment_count()
    {
        var odd = Rle([1, 2, 3]); // 3x1 8-bit: the plane is padded to an even length
        RleCodec.Decode(odd, new FrameGeometry(1, 3, 1, 8, 8, false), ImageDecodeOptions.Default).Samples.ShouldBe([1, 2, 3]);
        var padded = Rle([1, 2, 3, 0]); // an encoder that coded the pad byte as a sample
        RleCodec.Decode(padded, new FrameGeometry(1, 3, 1, 8, 8, false), ImageDecodeOptions.Default).Samples.ShouldBe([1, 2, 3]);
        Should.Throw<ImageDecodeException>(() => RleCodec.Decode(odd, new FrameGeometry(1, 3, 1, 16, 16, false), ImageDecodeOptions.Default))
            .Code.ShouldBe(ImageDecodeErrorCodes.Corrupt);
    }
}
