using System.Buffers.Binary;

namespace ReportGen.Imaging.Dicom;

/// <summary>
/// Turns a DICOM frame into numbers. Every frame, native or compressed, first becomes a <see cref="DecodedFrame"/> of
/// stored values (Bits Stored mask, High Bit, Pixel Representation sign applied); from there one pipeline runs:
/// greyscale → modality values (Rescale Slope/Intercept or Modality LUT) → [0, 1] through the VOI LUT, the VOI window
/// (LINEAR, LINEAR_EXACT, SIGMOID) or min/max → MONOCHROME1 inverted; colour (RGB, YBR, PALETTE COLOR) → RGB in [0, 1].
/// </summary>
internal static class DicomPixelData
{
    public static void Validate(DicomFile f, int frame)
    {
        if (!f.HasPixelData)
            throw new ImageDecodeException(ImageDecodeErrorCodes.NotAnImage, $"not an image: the DICOM object is {DicomSopClass.Describe(f.SopClassUid)} and has no Pixel Data");
        if (!DicomTransferSyntax.IsSupported(f.TransferSyntaxUid)) throw DicomTransferSyntax.Unsupported(f.TransferSyntaxUid);
        if (f.Rows <= 0 || f.Columns <= 0) throw Fail.Corrupt($"DICOM image size {f.Columns}x{f.Rows} (Rows/Columns missing or 0)");
        if ((long)f.Rows * f.Columns * f.NumberOfFrames > f.Options.MaxPixels)
            throw Fail.TooLarge($"DICOM {f.Columns}x{f.Rows}x{f.NumberOfFrames} frames exceeds MaxPixels {f.Options.MaxPixels}");
        if (f.SamplesPerPixel is not (1 or 3)) throw Fail.Unsupported($"DICOM Samples per Pixel {f.SamplesPerPixel}");
        if (f.IsFloatPixelData)
        {
            if (f.SamplesPerPixel != 1) throw Fail.Unsupported("DICOM float pixel data with three samples per pixel");
            if (f.BitsAllocated != f.FloatPixelBytes * 8)
                throw Fail.Corrupt($"DICOM float pixel data with Bits Allocated {f.BitsAllocated}");
        }
        else
        {
            if (f.BitsAllocated is not (1 or 8 or 16 or 32)) throw Fail.Unsupported($"DICOM Bits Allocated {f.BitsAllocated} (1, 8, 16 and 32 are read)");
            if (f.BitsStored < 1 || f.BitsStored > f.BitsAllocated) throw Fail.Corrupt($"DICOM Bits Stored {f.BitsStored} with Bits Allocated {f.BitsAllocated}");
            if (f.HighBit < f.BitsStored - 1 || f.HighBit >= f.BitsAllocated) throw Fail.Corrupt($"DICOM High Bit {f.HighBit} with Bits Stored {f.BitsStored}");
        }
        if ((uint)frame >= (uint)f.NumberOfFrames) throw new ImageDecodeException(ImageDecodeErrorCodes.Corrupt, $"DICOM frame {frame} requested, the file has {f.NumberOfFrames}");
        var pi = f.PhotometricInterpretation;
        if (f.SamplesPerPixel == 1 && pi is not ("MONOCHROME1" or "MONOCHROME2" or "PALETTE COLOR"))
            throw Fail.Unsupported($"DICOM Photometric Interpretation {pi} with one sample per pixel");
        bool colourOk = pi is "RGB" or "YBR_FULL" or "YBR_FULL_422"
                        || (f.IsEncapsulated && pi is "YBR_PARTIAL_422" or "YBR_PARTIAL_420" or "YBR_ICT" or "YBR_RCT");
        if (f.SamplesPerPixel == 3 && !colourOk) throw Fail.Unsupported($"DICOM Photometric Interpretation {pi} with three samples per pixel");
        if (f.IsEncapsulated && f.Fragments!.Count == 0) throw Fail.Corrupt("DICOM encapsulated pixel data has no fragments");
    }

    /// <summary>
    /// The frame's stored values, interleaved by pixel (R,G,B,… for colour), as the Pixel Data holds them: no rescale,
    /// no colour conversion (native YBR_FULL_422 is expanded to one Y, Cb, Cr per pixel). Native frames get the Bits Stored
    /// mask and the sign; codec frames are checked against the header and reinterpreted as two's complement when the
    /// header says signed and the stream does not.
    /// </summary>
    public static DecodedFrame StoredFrame(DicomFile f, int frame)
    {
        Validate(f, frame);
        if (f.IsFloatPixelData) throw Fail.Unsupported("DICOM float pixel data has no integer stored values (read modality values)");
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
        if (decoded.Precision is < 1 or > 31) throw Fail.Corrupt($"DICOM compressed frame has {decoded.Precision}-bit samples");
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
        int spp = f.SamplesPerPixel, n = f.Rows * f.Columns, bitsAlloc = f.BitsAllocated;
        bool ybr422 = f.PhotometricInterpretation == "YBR_FULL_422";
        if (ybr422 && (bitsAlloc != 8 || f.Columns % 2 != 0))
            throw Fail.Unsupported($"DICOM native YBR_FULL_422 with Bits Allocated {bitsAlloc} and {f.Columns} columns (8 bits and even columns are read)");
        // Native YBR_FULL_422 keeps two samples per pixel: Y1 Y2 Cb Cr for each pair of pixels (PS3.3 C.7.6.3.1.2).
        long frameSamples = ybr422 ? (long)n * 2 : (long)n * spp;
        long frameBits = frameSamples * bitsAlloc;
        long neededBytes = (frameBits * f.NumberOfFrames + 7) / 8;
        if (f.NativePixels.Length < neededBytes)
            throw Fail.Corrupt($"DICOM Pixel Data holds {f.NativePixels.Length} bytes; Rows×Columns×Samples×BitsAllocated/8×Frames needs {neededBytes}");
        var src = f.Data.AsSpan(f.NativePixels.Offset, f.NativePixels.Length);
        long firstBit = frameBits * frame;
        int shift = f.HighBit + 1 - f.BitsStored, bits = f.BitsStored;
        long mask = (1L << bits) - 1, signBit = 1L << (bits - 1);
        bool signed = f.PixelRepresentation == 1, planar = spp > 1 && f.PlanarConfiguration == 1 && !ybr422;
        // Big endian swaps within each value; 8- and 1-bit data stored as OW words are swapped by byte pairs.
        int swap = f.BigEndian && f.NativePixels.Vr == (('O' << 8) | 'W') && bitsAlloc < 16 ? 1 : 0;
        var raw = GC.AllocateUninitializedArray<int>((int)frameSamples);
        if (!planar && bits < 32 && BitConverter.IsLittleEndian && ((bitsAlloc == 16 && !f.BigEndian) || (bitsAlloc == 8 && swap == 0)))
        {
            // The common case (8- or 16-bit little endian, interleaved) without the general per-sample switch.
            int m = (int)mask, sb = (int)signBit, wrap = 1 << bits;
            if (bitsAlloc == 8)
            {
                var b = src.Slice((int)(firstBit / 8), raw.Length);
                for (int i = 0; i < raw.Length; i++) { int v = (b[i] >> shift) & m; raw[i] = signed && (v & sb) != 0 ? v - wrap : v; }
            }
            else
            {
                var w = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(src.Slice((int)(firstBit / 8), raw.Length * 2));
                for (int i = 0; i < raw.Length; i++) { int v = (w[i] >> shift) & m; raw[i] = signed && (v & sb) != 0 ? v - wrap : v; }
            }
        }
        else for (int i = 0; i < raw.Length; i++)
        {
            // Colour-by-plane (Planar Configuration 1) is re-interleaved here so everything downstream sees R,G,B,R,G,B.
            long idx = planar ? (long)(i % spp) * n + i / spp : i;
            long r = bitsAlloc switch
            {
                1 => (src[(int)((firstBit + idx) >> 3) ^ swap] >> (int)((firstBit + idx) & 7)) & 1,
                8 => src[(int)(firstBit / 8 + idx) ^ swap],
                16 => f.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(src[(int)(firstBit / 8 + idx * 2)..]) : BinaryPrimitives.ReadUInt16LittleEndian(src[(int)(firstBit / 8 + idx * 2)..]),
                _ => f.BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(src[(int)(firstBit / 8 + idx * 4)..]) : BinaryPrimitives.ReadUInt32LittleEndian(src[(int)(firstBit / 8 + idx * 4)..]),
            };
            long v = (r >> shift) & mask;
            if (signed && (v & signBit) != 0) v -= 1L << bits;
            if (v > int.MaxValue) throw Fail.Unsupported($"DICOM unsigned 32-bit stored value {v} above {int.MaxValue}");
            raw[i] = (int)v;
        }
        if (!ybr422) return new DecodedFrame(f.Columns, f.Rows, spp, bits, signed, raw);
        var full = GC.AllocateUninitializedArray<int>(n * 3);
        for (int p = 0; p < n; p += 2)
        {
            int at = p * 2; // Y1 Y2 Cb Cr
            full[p * 3] = raw[at]; full[p * 3 + 1] = raw[at + 2]; full[p * 3 + 2] = raw[at + 3];
            full[p * 3 + 3] = raw[at + 1]; full[p * 3 + 4] = raw[at + 2]; full[p * 3 + 5] = raw[at + 3];
        }
        return new DecodedFrame(f.Columns, f.Rows, 3, bits, signed, full);
    }

    /// <summary>Modality values (after rescale or Modality LUT) of a greyscale frame, row-major.</summary>
    public static float[] ModalityValues(DicomFile f, int frame)
    {
        Validate(f, frame);
        if (f.SamplesPerPixel != 1 || f.PhotometricInterpretation == "PALETTE COLOR")
            throw Fail.Unsupported($"DICOM modality values of a colour image ({f.PhotometricInterpretation})");
        return f.IsFloatPixelData ? FloatValues(f, frame) : Modality(f, frame, StoredFrame(f, frame));
    }

    private static float[] Modality(DicomFile f, int frame, DecodedFrame stored)
    {
        var s = stored.Samples;
        var values = GC.AllocateUninitializedArray<float>(s.Length);
        if (f.ModalityLut is { } lut)
        {
            for (int i = 0; i < s.Length; i++) values[i] = lut[s[i]];
            return values;
        }
        var (slope, intercept) = f.RescaleOf(frame);
        for (int i = 0; i < s.Length; i++) values[i] = (float)(s[i] * slope + intercept);
        return values;
    }

    /// <summary>Float / Double Float Pixel Data: the values are already modality values (no rescale, PS3.3 C.7.6.24).</summary>
    private static float[] FloatValues(DicomFile f, int frame)
    {
        int n = f.Rows * f.Columns, size = f.FloatPixelBytes;
        long needed = (long)n * size * f.NumberOfFrames;
        if (f.NativePixels.Length < needed) throw Fail.Corrupt($"DICOM float Pixel Data holds {f.NativePixels.Length} bytes; the header needs {needed}");
        var src = f.Data.AsSpan(f.NativePixels.Offset + (int)((long)n * size * frame), n * size);
        var values = new float[n];
        for (int i = 0; i < n; i++)
        {
            double v = size == 4
                ? (f.BigEndian ? BinaryPrimitives.ReadSingleBigEndian(src[(i * 4)..]) : BinaryPrimitives.ReadSingleLittleEndian(src[(i * 4)..]))
                : (f.BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(src[(i * 8)..]) : BinaryPrimitives.ReadDoubleLittleEndian(src[(i * 8)..]));
            if (!double.IsFinite(v)) throw Fail.Corrupt($"DICOM float Pixel Data holds {v} at pixel {i}");
            values[i] = (float)v;
        }
        return values;
    }

    /// <summary>Decodes one frame to [0, 1] (VOI, inversion) or RGB.</summary>
    public static PixelImage DecodeFrame(DicomFile f, int frame)
    {
        Validate(f, frame);
        var meta = f.Metadata with { FrameIndex = frame };
        if (f.SamplesPerPixel == 3) return new PixelImage(f.Columns, f.Rows, 3, Rgb(f, StoredFrame(f, frame))) { Metadata = meta };
        if (f.PhotometricInterpretation == "PALETTE COLOR") return new PixelImage(f.Columns, f.Rows, 3, Palette(f, StoredFrame(f, frame))) { Metadata = meta };
        var values = ModalityValues(f, frame);
        bool invert = f.PhotometricInterpretation == "MONOCHROME1";
        if (f.Options.ApplyVoiWindow && f.VoiLut is { } voiLut)
        {
            float scale = 1f / voiLut.MaxOutput;
            for (int i = 0; i < values.Length; i++)
            {
                float y = voiLut[(int)Math.Clamp(Math.Floor(values[i]), int.MinValue, int.MaxValue)] * scale;
                values[i] = invert ? 1 - y : y;
            }
            return new PixelImage(f.Columns, f.Rows, 1, values) { Metadata = meta };
        }
        var (c, w, function) = f.WindowOf(frame);
        (double, double) window;
        if (f.Options.ApplyVoiWindow && c is { } center && w is { } width)
        {
            if (function == "LINEAR" ? width < 1 : width <= 0)
                throw Fail.Corrupt($"DICOM Window Width (0028,1051) {width} for VOI LUT Function {function} (must be {(function == "LINEAR" ? ">= 1" : "> 0")})");
            window = (center, width);
            ApplyVoi(values, center, width, function, invert);
        }
        else
        {
            window = MinMaxWindow(values);
            ApplyWindow(values, window.Item1, window.Item2, invert, dicomLinear: false);
        }
        return new PixelImage(f.Columns, f.Rows, 1, values) { Metadata = meta with { Window = window } };
    }

    /// <summary>The VOI functions of PS3.3 C.11.2.1.2 (LINEAR) and C.11.2.1.3 (LINEAR_EXACT, SIGMOID), output in [0, 1].</summary>
    private static void ApplyVoi(Span<float> values, double center, double width, string function, bool invert)
    {
        switch (function)
        {
            case "LINEAR":
                ApplyWindow(values, center, width, invert, dicomLinear: true);
                break;
            case "LINEAR_EXACT":
                ApplyWindow(values, center, width, invert, dicomLinear: false);
                break;
            default: // SIGMOID
                for (int i = 0; i < values.Length; i++)
                {
                    float y = (float)(1 / (1 + Math.Exp(-4 * (values[i] - center) / width)));
                    values[i] = invert ? 1 - y : y;
                }
                break;
        }
    }

    /// <summary>Three-component samples to RGB in [0, 1]: YBR converted per PS3.3 C.7.6.3.1.2 unless the codec already gave RGB.</summary>
    private static float[] Rgb(DicomFile f, DecodedFrame stored)
    {
        var s = stored.Samples;
        var rgb = new float[s.Length];
        double max = (1L << stored.Precision) - 1;
        float scale = (float)(1 / max);
        var pi = f.PhotometricInterpretation;
        bool full = pi is "YBR_FULL" or "YBR_FULL_422", partial = pi is "YBR_PARTIAL_422" or "YBR_PARTIAL_420";
        if (stored.IsRgb || !(full || partial))
        {
            for (int i = 0; i < s.Length; i++) rgb[i] = s[i] * scale;
            return rgb;
        }
        double half = (max + 1) / 2, unit = (max + 1) / 256; // 128 and 16 scale with the precision
        for (int p = 0; p < s.Length; p += 3)
        {
            double y = s[p], cb = s[p + 1] - half, cr = s[p + 2] - half, r, g, b;
            if (full)
            {
                r = y + 1.402 * cr;
                g = y - 0.344136 * cb - 0.714136 * cr;
                b = y + 1.772 * cb;
            }
            else
            {
                double yy = 1.164383 * (y - 16 * unit);
                r = yy + 1.596027 * cr;
                g = yy - 0.391762 * cb - 0.812968 * cr;
                b = yy + 2.017232 * cb;
            }
            rgb[p] = (float)(Math.Clamp(r, 0, max) / max);
            rgb[p + 1] = (float)(Math.Clamp(g, 0, max) / max);
            rgb[p + 2] = (float)(Math.Clamp(b, 0, max) / max);
        }
        return rgb;
    }

    /// <summary>PALETTE COLOR: each stored index through the Red, Green and Blue Palette Color LUTs (PS3.3 C.7.6.3.1.5).</summary>
    private static float[] Palette(DicomFile f, DecodedFrame stored)
    {
        var luts = f.PaletteLuts();
        var s = stored.Samples;
        var rgb = new float[s.Length * 3];
        for (int ch = 0; ch < 3; ch++)
        {
            var lut = luts[ch];
            float scale = 1f / lut.MaxOutput;
            for (int i = 0; i < s.Length; i++) rgb[i * 3 + ch] = lut[s[i]] * scale;
        }
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
    /// Maps values to [0, 1] in place, clipped. Plain (min/max windows, LINEAR_EXACT): (x − c) / w + 0.5; DICOM LINEAR
    /// (PS3.3 C.11.2.1.2): (x − (c − 0.5)) / (w − 1) + 0.5.
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
