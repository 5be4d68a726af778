using System.Buffers.Binary;
using ReportGen.Imaging.Dicom;

namespace ReportGen.Imaging.Rle;

/// <summary>
/// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits segment per byte
/// plane, most significant byte first, sample by sample (R high, R low, G high, …). The stream has no header of
/// its own, so the frame's size comes from the DICOM header. Output: raw Bits Allocated-wide words (32-bit words
/// keep their bit pattern in an int), unsigned, interleaved by pixel; the DICOM layer masks Bits Stored and applies
/// the sign.
/// </summary>
internal static class RleCodec
{
    private const int HeaderBytes = 64;

    /// <inheritdoc cref="FrameCodec"/>
    public static DecodedFrame Decode(ReadOnlySpan<byte> data, FrameGeometry expected, ImageDecodeOptions options)
    {
        int spp = expected.SamplesPerPixel, bytesPer = expected.BitsAllocated / 8;
        if (spp is not (1 or 3)) throw Fail.Unsupported($"RLE with {spp} samples per pixel");
        if (expected.BitsAllocated is not (8 or 16 or 32)) throw Fail.Unsupported($"RLE with Bits Allocated {expected.BitsAllocated}");
        if (expected.Rows <= 0 || expected.Columns <= 0) throw Fail.Corrupt($"RLE frame size {expected.Columns}x{expected.Rows}");
        long pixels = (long)expected.Rows * expected.Columns;
        if (pixels > options.MaxPixels) throw Fail.TooLarge($"RLE {expected.Columns}x{expected.Rows} exceeds MaxPixels {options.MaxPixels}");
        if (data.Length < HeaderBytes) throw Fail.Truncated("RLE header shorter than 64 bytes");
        int segments = BinaryPrimitives.ReadInt32LittleEndian(data);
        int want = spp * bytesPer;
        if (segments != want)
            throw Fail.Corrupt($"RLE header has {segments} segments; {spp} samples of {expected.BitsAllocated} bits need {want}");
        // Bomb guard: one PackBits run of two bytes makes at most 128; less input than that cannot fill the frame.
        if (pixels * segments > (long)data.Length * 64 + 128 * segments)
            throw Fail.Bomb($"RLE frame of {data.Length} bytes cannot fill {expected.Columns}x{expected.Rows}x{segments} segments");

        int n = (int)pixels;
        var samples = new int[n * spp];
        for (int s = 0; s < segments; s++)
        {
            int start = BinaryPrimitives.ReadInt32LittleEndian(data[(4 + 4 * s)..]);
            int end = s + 1 < segments ? BinaryPrimitives.ReadInt32LittleEndian(data[(8 + 4 * s)..]) : data.Length;
            if (start < HeaderBytes || start > data.Length || end < start || end > data.Length)
                throw Fail.Corrupt($"RLE segment {s} offsets {start}..{end} outside the {data.Length}-byte frame");
            int component = s / bytesPer, shift = 8 * (bytesPer - 1 - s % bytesPer);
            Unpack(data[start..end], samples.AsSpan(component), spp, shift, n, s);
        }
        return new DecodedFrame(expected.Columns, expected.Rows, spp, expected.BitsAllocated, false, samples);
    }

    /// <summary>PackBits-decodes one segment, OR-ing each byte into every <paramref name="step"/>-th sample at <paramref name="shift"/>.</summary>
    private static void Unpack(ReadOnlySpan<byte> seg, Span<int> dst, int step, int shift, int count, int segment)
    {
        int p = 0, o = 0;
        while (o < count)
        {
            if (p >= seg.Length) throw Fail.Truncated($"RLE segment {segment} ends after {o} of {count} bytes");
            int header = (sbyte)seg[p++];
            if (header >= 0)
            {
                int len = header + 1;
                if (p + len > seg.Length) throw Fail.Truncated($"RLE segment {segment} literal run past its end");
                // Encoders may pad an odd-length plane by one byte: extra output is dropped, not an error.
                len = Math.Min(len, count - o);
                for (int i = 0; i < len; i++) dst[(o + i) * step] |= seg[p + i] << shift;
                p += header + 1;
                o += len;
            }
            else if (header != -128)
            {
                int len = 1 - header;
                if (p >= seg.Length) throw Fail.Truncated($"RLE segment {segment} replicate run past its end");
                len = Math.Min(len, count - o);
                int v = seg[p++] << shift;
                if (v != 0)
                    for (int i = 0; i < len; i++) dst[(o + i) * step] |= v;
                o += len;
            }
        }
    }
}
