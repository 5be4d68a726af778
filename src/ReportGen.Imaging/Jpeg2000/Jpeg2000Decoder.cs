using System.Buffers.Binary;
using ReportGen.Imaging.Dicom;

namespace ReportGen.Imaging.Jpeg2000;

/// <summary>
/// JPEG 2000 Part 1 decoder (ITU-T T.800): a raw codestream (SOC FF4F) or a JP2 file, every tile, component,
/// resolution and layer, at full resolution. Lossless 5/3 output is bit-exact with OpenJPEG; 9/7 follows OpenJPEG's
/// float arithmetic. HTJ2K (Part 15) and Part 2 extensions fail with a typed error naming them.
/// </summary>
internal static class Jpeg2000Decoder
{
    /// <summary>The JP2 signature box: length 12, type "jP  ", content 0D 0A 87 0A.</summary>
    private static ReadOnlySpan<byte> Jp2Signature => [0, 0, 0, 12, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];

    /// <summary>Whether the bytes start like a JPEG 2000 codestream or a JP2 file.</summary>
    public static bool IsJpeg2000(ReadOnlySpan<byte> data) =>
        (data.Length >= 4 && data[0] == 0xFF && data[1] == 0x4F && data[2] == 0xFF && data[3] == 0x51) ||
        (data.Length >= 12 && data[..12].SequenceEqual(Jp2Signature));

    /// <summary>The <see cref="FrameCodec"/> for the DICOM JPEG 2000 transfer syntaxes.</summary>
    public static DecodedFrame DecodeFrame(ReadOnlySpan<byte> data, FrameGeometry expected, ImageDecodeOptions options)
    {
        var frame = Decode(data, options);
        if (frame.Width != expected.Columns || frame.Height != expected.Rows)
            throw Fail.Corrupt($"JPEG 2000 frame is {frame.Width}x{frame.Height}, the DICOM header says {expected.Columns}x{expected.Rows}");
        if (frame.Components != expected.SamplesPerPixel)
            throw Fail.Corrupt($"JPEG 2000 frame has {frame.Components} components, the DICOM header says {expected.SamplesPerPixel} samples per pixel");
        return frame;
    }

    /// <summary>Decodes a codestream or JP2 file into interleaved integer samples, on one thread when <paramref name="threads"/> is 1, else on every core.</summary>
    public static DecodedFrame Decode(ReadOnlySpan<byte> data, ImageDecodeOptions options, int threads = 0)
    {
        if (threads <= 0) threads = Environment.ProcessorCount;
        var codestream = data.Length >= 12 && data[..12].SequenceEqual(Jp2Signature) ? FindCodestream(data) : data;
        var cs = J2kCodestream.Parse(codestream, options);
        int nc = cs.Components.Length;
        var planes = new int[nc][];
        var widths = new int[nc];
        var origins = new J2kComponentOrigin[nc];
        for (int c = 0; c < nc; c++)
        {
            var info = cs.Components[c];
            origins[c] = new J2kComponentOrigin(J2kCodestream.CeilDiv(cs.X0, info.Dx), J2kCodestream.CeilDiv(cs.Y0, info.Dy));
            widths[c] = J2kCodestream.CeilDiv(cs.X1, info.Dx) - origins[c].X;
            int h = J2kCodestream.CeilDiv(cs.Y1, info.Dy) - origins[c].Y;
            planes[c] = new int[(long)widths[c] * h];
        }
        int tiles = cs.Tiles.Length;
        // One tile: its code-blocks in parallel; several: whole tiles in parallel (bounded, so memory stays a few tiles).
        if (tiles == 1 || threads == 1)
            for (int t = 0; t < tiles; t++) new J2kTileDecoder(cs, t).Decode(planes, widths, origins, threads);
        else
            BoundedParallel.For(tiles, t => new J2kTileDecoder(cs, t).Decode(planes, widths, origins, 1));
        return Interleave(cs, planes, widths, origins);
    }

    private static DecodedFrame Interleave(J2kCodestream cs, int[][] planes, int[] widths, J2kComponentOrigin[] origins)
    {
        int w = cs.Width, h = cs.Height, nc = cs.Components.Length;
        int precision = cs.Components.Max(c => c.Precision);
        bool signed = cs.Components[0].Signed;
        if (nc == 1) return new DecodedFrame(w, h, 1, precision, signed, planes[0]);
        // With the multi-component transform on, the first three components come out as R, G, B.
        bool rgb = nc >= 3 && (cs.Tiles[0]?.Parameters.Cod is not null ? cs.Tiles[0]!.Parameters.Mct : cs.Main.Mct) == 1;
        var samples = GC.AllocateUninitializedArray<int>(checked(w * h * nc));
        for (int c = 0; c < nc; c++)
        {
            var info = cs.Components[c];
            var plane = planes[c];
            int pw = widths[c], ph = plane.Length / Math.Max(pw, 1);
            if (info.Dx == 1 && info.Dy == 1)
            {
                for (int i = 0, o = c; i < w * h; i++, o += nc) samples[o] = plane[i];
                continue;
            }
            // Subsampled component: each image pixel takes the sample whose cell covers it.
            for (int y = 0; y < h; y++)
            {
                int sy = Math.Clamp((cs.Y0 + y) / info.Dy - origins[c].Y, 0, ph - 1);
                for (int x = 0; x < w; x++)
                {
                    int sx = Math.Clamp((cs.X0 + x) / info.Dx - origins[c].X, 0, pw - 1);
                    samples[(y * w + x) * nc + c] = plane[sy * pw + sx];
                }
            }
        }
        return new DecodedFrame(w, h, nc, precision, signed, samples) { IsRgb = rgb };
    }

    /// <summary>The contiguous codestream box (jp2c) of a JP2 file; a palette (pclr) is refused.</summary>
    private static ReadOnlySpan<byte> FindCodestream(ReadOnlySpan<byte> data)
    {
        int pos = 0;
        while (pos + 8 <= data.Length)
        {
            long len = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            uint type = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 4)..]);
            int header = 8;
            if (len == 1)
            {
                if (pos + 16 > data.Length) throw Fail.Truncated("JP2 box header");
                len = (long)BinaryPrimitives.ReadUInt64BigEndian(data[(pos + 8)..]);
                header = 16;
            }
            else if (len == 0) len = data.Length - pos;
            if (len < header || len > data.Length - pos)
            {
                if (type == 0x6A703263 && len >= header) len = data.Length - pos; // a truncated jp2c: decode what is there
                else throw Fail.Corrupt($"JP2 box length {len} at byte {pos}");
            }
            if (type == 0x6A703263) return data.Slice(pos + header, (int)len - header); // 'jp2c'
            if (type == 0x6A703268) // 'jp2h' superbox: look inside for a palette
            {
                var inner = data.Slice(pos + header, (int)len - header);
                for (int i = 0; i + 8 <= inner.Length;)
                {
                    long l = BinaryPrimitives.ReadUInt32BigEndian(inner[i..]);
                    if (BinaryPrimitives.ReadUInt32BigEndian(inner[(i + 4)..]) == 0x70636C72) // 'pclr'
                        throw Fail.Unsupported("JP2 palette (pclr) images");
                    if (l < 8) break;
                    i += (int)Math.Min(l, inner.Length);
                }
            }
            pos += (int)len;
        }
        throw Fail.Corrupt("JP2 file has no contiguous codestream box (jp2c)");
    }
}
