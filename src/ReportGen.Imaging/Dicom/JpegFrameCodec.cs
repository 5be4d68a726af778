using ReportGen.Imaging.Jpeg;

namespace ReportGen.Imaging.Dicom;

/// <summary>JPEG baseline/extended frames through the managed <see cref="JpegDecoder"/>, as a <see cref="FrameCodec"/>.</summary>
internal static class JpegFrameCodec
{
    public static DecodedFrame Decode(ReadOnlySpan<byte> data, FrameGeometry expected, ImageDecodeOptions options)
    {
        var planes = JpegDecoder.DecodePlanes(data.ToArray(), options);
        var samples = new int[planes.Samples.Length];
        for (int i = 0; i < samples.Length; i++) samples[i] = planes.Samples[i];
        // JpegDecoder applies the JFIF/Adobe colour transform itself, so three components come out as RGB.
        return new DecodedFrame(planes.Width, planes.Height, planes.Channels, 8, false, samples) { IsRgb = planes.Channels == 3 };
    }
}
