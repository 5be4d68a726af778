using System.Buffers.Binary;

namespace ReportGen.Imaging.Dicom;

/// <summary>
/// Turns a DICOM frame into numbers. Every frame, native or compressed, first becomes a <see cref="DecodedFrame"/> of
/// stored values (Bits Stored mask, High Bit, Pixel Representation sign applied); from there one pipeline runs:
/// modality values (Rescale Slope/Intercept) → [0, 1] through the VOI window (or min/max) → MONOCHROME1 inverted;
/// colour → RGB in [0, 1].
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
        if (!DicomTransferSyntax.IsSupported(f.TransferSyntaxUid)) throw DicomTransferSyntax.Unsupported(f.TransferSyntaxUid);
    }

    /// <summary>
    /// The frame's stored values, interleaved by pixel (R,G,B,… for colour), as the Pixel Data holds them: no rescale,
    /// no colour conversion. Native frames get the Bits Stored mask and the sign; codec frames are checked against the
    /// header and reinterpreted as two's complement when the header says signed and the stream does not.
    /// </summary>
    public static DecodedFrame StoredFrame(DicomFile f, int frame)
    {
        Validate(f, frame);
        return f.IsEncapsulated ? CodecFrame(f, frame) : NativeFrame(f, frame);
    }

    private static DecodedFrame CodecFrame(DicomFile f, int frame)
    {
        if (!DicomFrameCodecs.TryGet(f.TransferSyntaxUid, out var codec)) throw DicomTransferSyntax.Unsupported(f.TransferSyntaxUid);
        var geometry = new FrameGeometry(f.Rows, f.Columns, f.SamplesPerPixel, f.BitsAllocated, f.BitsStored, f.PixelRepresentation == 1)
        {
            PhotometricInterpretation = f.PhotometricInterpretation,
        };
        var decoded = codec(FrameBytes(f, frame), geometry, f.Options);
        if (decoded.Width != f.Columns || decoded.Height != f.Rows)
            throw Fail.Corrupt($"DICOM says {f.Columns}x{f.Rows}, its compressed frame is {decoded.Width}x{decoded.Height}");
        if (decoded.Components != f.SamplesPerPixel)
            throw Fail.Corrupt($"DICOM says {f.SamplesPerPixel} samples per pixel, its compressed frame has {decoded.Components} components");
        if (decoded.Samples.Length != f.Rows * f.Columns * f.SamplesPerPixel)
            throw Fail.Corrupt($"DICOM compressed frame decoded to {decoded.Samples.Length} samples, expected {f.Rows * f.Columns * f.SamplesPerPixel}");
        if (geometry.Signed && !decoded.Signed)
        {
            // Lossless JPEG and JPEG-LS carry no sign: the header's Pixel Representation says how to read the bits.
            int bits = Math.Min(decoded.Precision, f.BitsStored), signBit = 1 << (bits - 1), mask = (1 << bits) - 1;
            var s = decoded.Samples;
            for (int i = 0; i < s.Length; i++)
            {
                int v = s[i] & mask;
                s[i] = (v & signBit) != 0 ? v - (1 << bits) : v;
            }
            decoded = decoded with { Precision = bits, Signed = true };
        }
        return decoded;
    }

    private static DecodedFrame NativeFrame(DicomFile f, int frame)
    {
        int spp = f.SamplesPerPixel, n = f.Rows * f.Columns, bytesPer = f.BitsAllocated / 8;
        long frameBytes = (long)n * spp * bytesPer;
        long needed = frameBytes * f.NumberOfFrames;
        if (f.NativePixels.Length < needed)
            throw Fail.Corrupt($"DICOM Pixel Data holds {f.NativePixels.Length} bytes; Rows×Columns×Samples×BitsAllocated/8×Frames needs {needed}");
        var src = f.Data.AsSpan(f.NativePixels.Offset + (int)(frameBytes * frame), (int)frameBytes);
        int shift = f.HighBit + 1 - f.BitsStored, bits = f.BitsStored, mask = bits == 32 ? -1 : (1 << bits) - 1, signBit = 1 << (bits - 1);
        bool signed = f.PixelRepresentation == 1, planar = spp > 1 && f.PlanarConfiguration == 1;
        var samples = GC.AllocateUninitializedArray<int>(n * spp);
        for (int i = 0; i < samples.Length; i++)
        {
            // Colour-by-plane (Planar Configuration 1) is re-interleaved here so everything downstream sees R,G,B,R,G,B.
            int idx = planar ? (i % spp) * n + i / spp : i;
            int raw = bytesPer == 1 ? src[idx] : BinaryPrimitives.ReadUInt16LittleEndian(src[(idx * 2)..]);
            int v = (raw >> shift) & mask;
            samples[i] = signed && (v & signBit) != 0 ? v - (1 << bits) : v;
        }
        return new DecodedFrame(f.Columns, f.Rows, spp, bits, signed, samples);
    }

    /// <summary>Modality values (after rescale) of a greyscale frame, row-major.</summary>
    public static float[] ModalityValues(DicomFile f, int frame)
    {
        Validate(f, frame);
        if (f.SamplesPerPixel != 1) throw Fail.Unsupported("DICOM modality values of a colour image");
        return Modality(f, StoredFrame(f, frame));
    }

    private static float[] Modality(DicomFile f, DecodedFrame stored)
    {
        var s = stored.Samples;
        var values = GC.AllocateUninitializedArray<float>(s.Length);
        double slope = f.RescaleSlope, intercept = f.RescaleIntercept;
        for (int i = 0; i < s.Length; i++) values[i] = (float)(s[i] * slope + intercept);
        return values;
    }

    /// <summary>Decodes one frame to [0, 1] (window, inversion) or RGB.</summary>
    public static PixelImage DecodeFrame(DicomFile f, int frame)
    {
        var stored = StoredFrame(f, frame);
        var meta = f.Metadata with { FrameIndex = frame };
        if (f.SamplesPerPixel == 3) return new PixelImage(f.Columns, f.Rows, 3, Rgb(f, stored)) { Metadata = meta };
        var values = Modality(f, stored);
        double? c = f.Options.ApplyVoiWindow ? f.WindowCenter : null, w = f.Options.ApplyVoiWindow ? f.WindowWidth : null;
        bool voi = c is not null && w is >= 1;
        var window = voi ? (c!.Value, w!.Value) : MinMaxWindow(values);
        ApplyWindow(values, window.Item1, window.Item2, f.PhotometricInterpretation == "MONOCHROME1", dicomLinear: voi);
        return new PixelImage(f.Columns, f.Rows, 1, values) { Metadata = meta with { Window = window } };
    }

    /// <summary>Three-component stored values to RGB in [0, 1].</summary>
    private static float[] Rgb(DicomFile f, DecodedFrame stored)
    {
        var s = stored.Samples;
        var rgb = new float[s.Length];
        float scale = 1f / ((1L << stored.Precision) - 1);
        for (int i = 0; i < s.Length; i++) rgb[i] = s[i] * scale;
        return rgb;
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

    /// <summary>
    /// The compressed bytes of one frame: all fragments for a single frame; else by basic offset table, one fragment
    /// per frame, or (no table, more fragments than frames) split where a fragment opens a new codestream.
    /// </summary>
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
            var groups = new List<List<(int, int)>>();
            foreach (var fr in frags)
            {
                if (OpensCodestream(d.AsSpan(fr.Offset, fr.Length)) || groups.Count == 0) groups.Add([]);
                groups[^1].Add(fr);
            }
            if (groups.Count != f.NumberOfFrames) throw Fail.Corrupt($"DICOM has {f.NumberOfFrames} frames but {groups.Count} codestreams in its fragments");
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

    /// <summary>
    /// Whether a fragment starts a new frame's codestream: JPEG, JPEG lossless and JPEG-LS open with SOI (FF D8), a JPEG 2000
    /// codestream with SOC + SIZ (FF 4F FF 51), a JP2 file with its signature box.
    /// </summary>
    private static bool OpensCodestream(ReadOnlySpan<byte> fragment) =>
        fragment is [0xFF, 0xD8, ..] or [0xFF, 0x4F, 0xFF, 0x51, ..] or [0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20, ..];
}
