using System.Buffers.Binary;
using ReportGen.Imaging.Jpeg;

namespace ReportGen.Imaging.Dicom;

/// <summary>
/// Turns a DICOM frame into numbers: stored values (Bits Stored mask, High Bit, Pixel Representation sign) →
/// modality values (Rescale Slope/Intercept) → [0, 1] through the VOI window (or min/max) → MONOCHROME1 inverted.
/// </summary>
internal static class DicomPixelData
{
    public static void Validate(DicomFile f, int frame)
    {
        if (f.Rows <= 0 || f.Columns <= 0) throw Fail.Corrupt($"DICOM image size {f.Columns}x{f.Rows} (Rows/Columns missing or 0)");
        if ((long)f.Rows * f.Columns * f.NumberOfFrames > f.Options.MaxPixels)
            throw Fail.TooLarge($"DICOM {f.Columns}x{f.Rows}x{f.NumberOfFrames} frames exceeds MaxPixels {f.Options.MaxPixels}");
        if (f.SamplesPerPixel is not (1 or 3)) throw Fail.Unsupported($"DICOM Samples per Pixel {f.SamplesPerPixel}");
        if (f.BitsAllocated is not (8 or 16)) throw Fail.Unsupported($"DICOM Bits Allocated {f.BitsAllocated} (only 8 and 16)");
        if (f.BitsStored < 1 || f.BitsStored > f.BitsAllocated) throw Fail.Corrupt($"DICOM Bits Stored {f.BitsStored} with Bits Allocated {f.BitsAllocated}");
        if (f.HighBit < f.BitsStored - 1 || f.HighBit >= f.BitsAllocated) throw Fail.Corrupt($"DICOM High Bit {f.HighBit} with Bits Stored {f.BitsStored}");
        if ((uint)frame >= (uint)f.NumberOfFrames) throw new ImageDecodeException(ImageDecodeErrorCodes.Corrupt, $"DICOM frame {frame} requested, the file has {f.NumberOfFrames}");
        var pi = f.PhotometricInterpretation;
        if (f.SamplesPerPixel == 1 && pi is not ("MONOCHROME1" or "MONOCHROME2"))
            throw Fail.Unsupported($"DICOM Photometric Interpretation {pi} with one sample per pixel");
        if (f.SamplesPerPixel == 3 && !(pi == "RGB" || (f.IsEncapsulated && pi.StartsWith("YBR_", StringComparison.Ordinal))))
            throw Fail.Unsupported($"DICOM Photometric Interpretation {pi} with three samples per pixel");
        if (!f.IsEncapsulated && f.NativePixels.Offset < 0) throw Fail.Corrupt("DICOM has no Pixel Data (7FE0,0010)");
        if (f.IsEncapsulated && f.Fragments!.Count == 0) throw Fail.Corrupt("DICOM encapsulated pixel data has no fragments");
    }

    /// <summary>Modality values (after rescale) of a greyscale frame, row-major.</summary>
    public static float[] ModalityValues(DicomFile f, int frame)
    {
        Validate(f, frame);
        if (f.SamplesPerPixel != 1) throw Fail.Unsupported("DICOM modality values of a colour image");
        var (lut, raw) = GreyFrame(f, frame);
        var values = GC.AllocateUninitializedArray<float>(f.Rows * f.Columns);
        Map(lut, raw, values);
        return values;
    }

    /// <summary>
    /// The frame's raw samples (8- or 16-bit) and a table from every possible raw sample to its modality value, so
    /// Bits Stored masking, High Bit, sign and rescale cost one lookup per pixel.
    /// </summary>
    private static (float[] Lut, ArraySegment<byte> Raw) GreyFrame(DicomFile f, int frame)
    {
        int n = f.Rows * f.Columns;
        if (f.IsEncapsulated)
        {
            var planes = DecodeJpegFrame(f, frame);
            if (planes.Channels != 1) throw Fail.Corrupt("DICOM says one sample per pixel, its JPEG has three components");
            var lut8 = new float[256];
            for (int v = 0; v < 256; v++) lut8[v] = (float)(v * f.RescaleSlope + f.RescaleIntercept);
            return (lut8, new ArraySegment<byte>(planes.Samples, 0, n));
        }
        int bytesPer = f.BitsAllocated / 8;
        long frameBytes = (long)n * bytesPer;
        CheckNativeLength(f, frameBytes);
        var src = new ArraySegment<byte>(f.Data, f.NativePixels.Offset + (int)(frameBytes * frame), (int)frameBytes);
        if (!BitConverter.IsLittleEndian) throw Fail.Unsupported("big-endian host");
        int shift = f.HighBit + 1 - f.BitsStored, bits = f.BitsStored, mask = (1 << bits) - 1, signBit = 1 << (bits - 1);
        bool signed = f.PixelRepresentation == 1;
        var lut = new float[1 << f.BitsAllocated];
        for (int r = 0; r < lut.Length; r++)
        {
            int v = (r >> shift) & mask;
            if (signed && (v & signBit) != 0) v -= 1 << bits;
            lut[r] = (float)(v * f.RescaleSlope + f.RescaleIntercept);
        }
        return (lut, src);
    }

    /// <summary>dst[i] = lut[raw sample i]; the table's size (256 or 65536) says whether samples are 8- or 16-bit.</summary>
    private static void Map(float[] lut, ArraySegment<byte> raw, Span<float> dst)
    {
        if (lut.Length == 256)
        {
            var r = raw.AsSpan(0, dst.Length);
            for (int i = 0; i < dst.Length; i++) dst[i] = lut[r[i]];
        }
        else
        {
            var r = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(raw.AsSpan(0, dst.Length * 2));
            for (int i = 0; i < dst.Length; i++) dst[i] = lut[r[i]];
        }
    }

    /// <summary>Min and max modality value actually present (via the set of raw samples present).</summary>
    private static (double Center, double Width) PresentMinMax(float[] lut, ArraySegment<byte> raw, int n)
    {
        var present = new bool[lut.Length];
        if (lut.Length == 256) foreach (var v in raw.AsSpan(0, n)) present[v] = true;
        else foreach (var v in System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(raw.AsSpan(0, n * 2))) present[v] = true;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (int i = 0; i < lut.Length; i++)
        {
            if (!present[i]) continue;
            if (lut[i] < min) min = lut[i];
            if (lut[i] > max) max = lut[i];
        }
        return float.IsFinite(min) ? ((min + (double)max) / 2, max - (double)min) : (0, 1);
    }

    private static void CheckNativeLength(DicomFile f, long frameBytes)
    {
        long needed = frameBytes * f.NumberOfFrames;
        if (f.NativePixels.Length < needed)
            throw Fail.Corrupt($"DICOM Pixel Data holds {f.NativePixels.Length} bytes; Rows×Columns×Samples×BitsAllocated/8×Frames needs {needed}");
    }

    /// <summary>Decodes one frame to [0, 1] (window, inversion) or RGB.</summary>
    public static PixelImage DecodeFrame(DicomFile f, int frame)
    {
        Validate(f, frame);
        var meta = f.Metadata with { FrameIndex = frame };
        if (f.SamplesPerPixel == 3) return DecodeColour(f, frame, meta);
        var (lut, raw) = GreyFrame(f, frame);
        double? c = f.Options.ApplyVoiWindow ? f.WindowCenter : null, w = f.Options.ApplyVoiWindow ? f.WindowWidth : null;
        bool voi = c is not null && w is >= 1;
        var window = voi ? (c!.Value, w!.Value) : PresentMinMax(lut, raw, f.Rows * f.Columns);
        // Window the table, not the pixels: one lookup per pixel does everything.
        ApplyWindow(lut, window.Item1, window.Item2, f.PhotometricInterpretation == "MONOCHROME1", dicomLinear: voi);
        var values = GC.AllocateUninitializedArray<float>(f.Rows * f.Columns);
        Map(lut, raw, values);
        return new PixelImage(f.Columns, f.Rows, 1, values) { Metadata = meta with { Window = window } };
    }

    /// <summary>A window spanning the values' min..max: centre and width such that min → 0 and max → 1.</summary>
    internal static (double Center, double Width) MinMaxWindow(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        if (values.IsEmpty) return (0, 1);
        return ((min + (double)max) / 2, max - (double)min);
    }

    /// <summary>
    /// Maps values to [0, 1] in place. A min/max window (centre, width = max − min) maps linearly min → 0, max → 1;
    /// a VOI window uses the DICOM LINEAR function (PS3.3 C.11.2.1.2): (x − (c − 0.5)) / (w − 1) + 0.5, clipped.
    /// </summary>
    internal static void ApplyWindow(Span<float> values, double center, double width, bool invert, bool dicomLinear)
    {
        double lo, scale;
        if (dicomLinear && width >= 1)
        {
            double denom = Math.Max(width - 1, 1e-6);
            lo = center - 0.5 - denom / 2;
            scale = 1 / denom;
        }
        else
        {
            lo = center - width / 2;
            scale = width > 0 ? 1 / width : 0;
        }
        float flo = (float)lo, fs = (float)scale;
        for (int i = 0; i < values.Length; i++)
        {
            float y = (values[i] - flo) * fs;
            y = y < 0 ? 0 : y > 1 ? 1 : y;
            values[i] = invert ? 1 - y : y;
        }
    }

    private static PixelImage DecodeColour(DicomFile f, int frame, ImageMetadata meta)
    {
        int n = f.Rows * f.Columns;
        if (f.IsEncapsulated)
        {
            var planes = DecodeJpegFrame(f, frame);
            if (planes.Channels != 3) throw Fail.Corrupt("DICOM says three samples per pixel, its JPEG has one component");
            var px = new float[n * 3];
            var lut = Lut8;
            for (int i = 0; i < px.Length; i++) px[i] = lut[planes.Samples[i]];
            return new PixelImage(f.Columns, f.Rows, 3, px) { Metadata = meta };
        }
        int bytesPer = f.BitsAllocated / 8;
        long frameBytes = (long)n * 3 * bytesPer;
        CheckNativeLength(f, frameBytes);
        var src = f.Data.AsSpan(f.NativePixels.Offset + (int)(frameBytes * frame), (int)frameBytes);
        var rgb = new float[n * 3];
        float scale = 1f / ((1 << f.BitsStored) - 1);
        int shift = f.HighBit + 1 - f.BitsStored, mask = (1 << f.BitsStored) - 1;
        for (int p = 0; p < n; p++)
        {
            for (int ch = 0; ch < 3; ch++)
            {
                int idx = f.PlanarConfiguration == 1 ? ch * n + p : p * 3 + ch;
                int v = bytesPer == 1 ? src[idx] : BinaryPrimitives.ReadUInt16LittleEndian(src[(idx * 2)..]);
                rgb[p * 3 + ch] = ((v >> shift) & mask) * scale;
            }
        }
        return new PixelImage(f.Columns, f.Rows, 3, rgb) { Metadata = meta };
    }

    private static readonly float[] Lut8 = Enumerable.Range(0, 256).Select(i => i / 255f).ToArray();

    private static JpegPlanes DecodeJpegFrame(DicomFile f, int frame)
    {
        var bytes = FrameBytes(f, frame);
        var planes = JpegDecoder.DecodePlanes(bytes, f.Options);
        if (planes.Width != f.Columns || planes.Height != f.Rows)
            throw Fail.Corrupt($"DICOM says {f.Columns}x{f.Rows}, its JPEG frame is {planes.Width}x{planes.Height}");
        return planes;
    }

    /// <summary>The compressed bytes of one frame: by basic offset table, one fragment per frame, or split at JPEG SOI.</summary>
    internal static byte[] FrameBytes(DicomFile f, int frame)
    {
        var frags = f.Fragments!;
        var d = f.Data;
        IEnumerable<(int Offset, int Length)> chosen;
        if (f.NumberOfFrames == 1)
        {
            chosen = frags;
        }
        else if (f.BasicOffsets is { Length: > 0 } bot)
        {
            if (bot.Length != f.NumberOfFrames) throw Fail.Corrupt($"DICOM basic offset table has {bot.Length} entries for {f.NumberOfFrames} frames");
            int firstItem = frags[0].Offset - 8;
            long start = bot[frame], end = frame + 1 < bot.Length ? bot[frame + 1] : long.MaxValue;
            chosen = frags.Where(x => x.Offset - 8 - firstItem >= start && x.Offset - 8 - firstItem < end).ToList();
        }
        else if (frags.Count == f.NumberOfFrames)
        {
            chosen = [frags[frame]];
        }
        else
        {
            // Group fragments into frames at each fragment that starts with a JPEG SOI.
            var groups = new List<List<(int, int)>>();
            foreach (var fr in frags)
            {
                bool soi = fr.Length >= 2 && d[fr.Offset] == 0xFF && d[fr.Offset + 1] == 0xD8;
                if (soi || groups.Count == 0) groups.Add([]);
                groups[^1].Add(fr);
            }
            if (groups.Count != f.NumberOfFrames) throw Fail.Corrupt($"DICOM has {f.NumberOfFrames} frames but {groups.Count} JPEG streams in its fragments");
            chosen = groups[frame];
        }
        var list = chosen as IList<(int Offset, int Length)> ?? chosen.ToList();
        if (list.Count == 0) throw Fail.Corrupt($"DICOM frame {frame} has no fragments");
        if (list.Count == 1) return d.AsSpan(list[0].Offset, list[0].Length).ToArray();
        var result = new byte[list.Sum(x => (long)x.Length) is var total && total <= Array.MaxLength ? (int)total : throw Fail.TooLarge("DICOM frame fragments")];
        int at = 0;
        foreach (var (off, len) in list)
        {
            d.AsSpan(off, len).CopyTo(result.AsSpan(at));
            at += len;
        }
        return result;
    }
}
