using System.Buffers.Binary;
using System.IO.Compression;

namespace ReportGen.Imaging.Png;

/// <summary>
/// Managed PNG decoder over <see cref="ZLibStream"/>: every colour type and bit depth, palette with tRNS,
/// Adam7, the five filters, multiple IDAT chunks, optional CRC checks. Output: grey → 1 channel,
/// grey+alpha → RGBA, RGB → 3, RGBA → 4, palette → RGB (RGBA when tRNS is present). Samples scaled to [0, 1].
/// </summary>
public static class PngDecoder
{
    /// <summary>The eight-byte PNG signature.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly (int X0, int Y0, int DX, int DY)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Decodes a whole PNG file.</summary>
    /// <exception cref="ImageDecodeException">Any malformed, truncated or over-limit input.</exception>
    public static PixelImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        if (data.Length > options.MaxInputBytes) throw Fail.TooLarge($"PNG of {data.Length} bytes exceeds MaxInputBytes {options.MaxInputBytes}");
        if (data.Length < 8 || !data[..8].SequenceEqual(Signature))
            throw new ImageDecodeException(ImageDecodeErrorCodes.BadMagic, "not a PNG: signature missing");

        using var idat = new MemoryStream();
        var (h, palette, paletteAlpha) = ReadChunks(data, options, idat);
        int outChannels = OutputChannels(h, paletteAlpha);
        var pixels = AllocatePixels(h, outChannels, idat.Length, options);
        byte[] raw = Inflate(idat, h);
        Unfilter(raw, h, pixels, outChannels, palette);
        return new PixelImage(h.Width, h.Height, outChannels, pixels)
        {
            Metadata = new ImageMetadata { Format = "png", BitsStored = h.BitDepth },
        };
    }

    /// <summary>
    /// Walks the chunks after the signature up to IEND: reads IHDR, PLTE (with tRNS alpha folded in) and appends
    /// every IDAT body to <paramref name="idat"/>. Unknown ancillary chunks are skipped, unknown critical ones refused.
    /// PaletteAlpha: a palette image with tRNS, so its output is RGBA.
    /// </summary>
    private static (Header Header, float[]? Palette, bool PaletteAlpha) ReadChunks(ReadOnlySpan<byte> data, ImageDecodeOptions options, MemoryStream idat)
    {
        Header? hdr = null;
        float[]? palette = null; // RGBA per entry
        byte[]? trns = null;
        int pos = 8;
        while (pos < data.Length)
        {
            NextChunk(data, ref pos, options, out var type, out var body);
            if (type.SequenceEqual("IHDR"u8))
            {
                if (hdr is not null) throw Fail.Corrupt("PNG has two IHDR chunks");
                hdr = ReadHeader(body, options);
            }
            else if (hdr is null)
            {
                throw Fail.Corrupt("PNG does not start with IHDR");
            }
            else if (type.SequenceEqual("PLTE"u8))
            {
                palette = ReadPalette(body);
            }
            else if (type.SequenceEqual("tRNS"u8))
            {
                trns = body.ToArray();
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                idat.Write(body);
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                break;
            }
            else if ((type[0] & 0x20) == 0)
            {
                throw Fail.Unsupported($"PNG critical chunk '{ChunkName(type)}'");
            }
        }
        // A missing IEND after complete image data is tolerated, as most decoders do.
        if (hdr is null) throw Fail.Truncated("PNG has no IHDR");
        if (idat.Length == 0) throw Fail.Truncated("PNG has no IDAT data");
        var h = hdr.Value;
        if (h.ColorType == 3 && palette is null) throw Fail.Corrupt("PNG palette image without PLTE");
        bool paletteAlpha = false;
        if (h.ColorType == 3 && trns is not null && palette is not null)
        {
            paletteAlpha = true;
            for (int i = 0; i < trns.Length && i < 256; i++) palette[i * 4 + 3] = trns[i] / 255f;
        }
        return (h, palette, paletteAlpha);
    }

    /// <summary>Reads the chunk at <paramref name="pos"/> (length, type, body, CRC) and moves past it.</summary>
    private static void NextChunk(ReadOnlySpan<byte> data, ref int pos, ImageDecodeOptions options, out ReadOnlySpan<byte> type, out ReadOnlySpan<byte> body)
    {
        if (data.Length - pos < 12) throw Fail.Truncated("PNG chunk header");
        uint len = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
        if (len > int.MaxValue) throw Fail.Corrupt($"PNG chunk length {len} exceeds 2^31-1");
        type = data.Slice(pos + 4, 4);
        if ((long)pos + 12 + len > data.Length) throw Fail.Truncated($"PNG chunk '{ChunkName(type)}' declares {len} bytes, file ends first");
        body = data.Slice(pos + 8, (int)len);
        if (options.VerifyPngCrc)
        {
            uint expected = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + (int)len)..]);
            uint actual = Crc32.Update(Crc32.Update(0xFFFFFFFFu, type), body) ^ 0xFFFFFFFFu;
            if (expected != actual) throw Fail.Corrupt($"PNG chunk '{ChunkName(type)}' CRC mismatch");
        }
        pos += 12 + (int)len;
    }

    /// <summary>PLTE → 256 RGBA entries in [0, 1]; entries past the palette are opaque black.</summary>
    private static float[] ReadPalette(ReadOnlySpan<byte> body)
    {
        int len = body.Length;
        if (len % 3 != 0 || len == 0 || len > 768) throw Fail.Corrupt($"PNG PLTE length {len} is not 3..768 in steps of 3");
        int paletteCount = len / 3;
        var palette = new float[256 * 4];
        for (int i = 0; i < 256; i++) palette[i * 4 + 3] = 1f;
        for (int i = 0; i < paletteCount; i++)
        {
            palette[i * 4] = body[i * 3] / 255f;
            palette[i * 4 + 1] = body[i * 3 + 1] / 255f;
            palette[i * 4 + 2] = body[i * 3 + 2] / 255f;
        }
        return palette;
    }

    /// <summary>Output channels: grey 1, RGB 3, palette 3 (4 with tRNS), grey+alpha and RGBA 4.</summary>
    private static int OutputChannels(Header h, bool paletteAlpha) => h.ColorType switch
    {
        0 => 1,
        2 => 3,
        3 => paletteAlpha ? 4 : 3,
        4 => 4,
        6 => 4,
        _ => throw Fail.Corrupt("PNG colour type"),
    };

    /// <summary>The output buffer, after refusing a header that promises more pixels than the data could hold.</summary>
    private static float[] AllocatePixels(Header h, int outChannels, long idatBytes, ImageDecodeOptions options)
    {
        // zlib cannot exceed ~1032:1, so far more scanline bytes than that from this much IDAT is a lie or a bomb.
        if (ExpectedInflatedBytes(h) > idatBytes * options.MaxCompressionRatio + 1024)
            throw Fail.Bomb($"PNG header announces {h.Width}x{h.Height} from only {idatBytes} bytes of image data");
        long total = (long)h.Width * h.Height * outChannels;
        if (total > Array.MaxLength) throw Fail.TooLarge($"PNG {h.Width}x{h.Height} does not fit in memory");
        return new float[total];
    }
    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        Span<char> c = stackalloc char[4];
        for (int i = 0; i < 4; i++) c[i] = type[i] is >= 0x20 and < 0x7F ? (char)type[i] : '?';
        return new string(c);
    }

    private readonly record struct Header(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
    {
        public int SamplesPerPixel => ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => 0 };
        public int BitsPerPixel => SamplesPerPixel * BitDepth;
        public int FilterBpp => Math.Max(1, BitsPerPixel / 8);
        public long RowBytes(int width) => ((long)width * BitsPerPixel + 7) / 8;
    }

    private static Header ReadHeader(ReadOnlySpan<byte> b, ImageDecodeOptions options)
    {
        if (b.Length != 13) throw Fail.Corrupt($"PNG IHDR length {b.Length}, expected 13");
        uint w = BinaryPrimitives.ReadUInt32BigEndian(b);
        uint hgt = BinaryPrimitives.ReadUInt32BigEndian(b[4..]);
        int depth = b[8], ct = b[9];
        if (w == 0 || hgt == 0 || w > int.MaxValue || hgt > int.MaxValue) throw Fail.Corrupt($"PNG dimensions {w}x{hgt}");
        if ((long)w * hgt > options.MaxPixels) throw Fail.TooLarge($"PNG {w}x{hgt} exceeds MaxPixels {options.MaxPixels}");
        bool ok = ct switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => false,
        };
        if (!ok) throw Fail.Corrupt($"PNG colour type {ct} with bit depth {depth}");
        if (b[10] != 0) throw Fail.Unsupported($"PNG compression method {b[10]}");
        if (b[11] != 0) throw Fail.Unsupported($"PNG filter method {b[11]}");
        if (b[12] > 1) throw Fail.Corrupt($"PNG interlace method {b[12]}");
        return new Header((int)w, (int)hgt, depth, ct, b[12] == 1);
    }

    private static long ExpectedInflatedBytes(Header h)
    {
        if (!h.Interlaced) return h.Height * (1 + h.RowBytes(h.Width));
        long total = 0;
        foreach (var (x0, y0, dx, dy) in Adam7)
        {
            int pw = PassSize(h.Width, x0, dx), ph = PassSize(h.Height, y0, dy);
            if (pw > 0 && ph > 0) total += ph * (1 + h.RowBytes(pw));
        }
        return total;
    }

    private static int PassSize(int size, int start, int step) => size <= start ? 0 : (size - start + step - 1) / step;

    /// <summary>Inflates exactly the bytes the header promises; more is a bomb guard hit, fewer is truncation.</summary>
    private static byte[] Inflate(MemoryStream idat, Header h)
    {
        long expected = ExpectedInflatedBytes(h);
        if (expected > Array.MaxLength) throw Fail.TooLarge($"PNG scanlines of {expected} bytes");
        var raw = new byte[expected];
        idat.Position = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress, leaveOpen: true);
            int got = 0;
            while (got < raw.Length)
            {
                int n = z.Read(raw, got, raw.Length - got);
                if (n == 0) break;
                got += n;
            }
            if (got < raw.Length) throw Fail.Truncated($"PNG image data inflates to {got} bytes, header needs {raw.Length}");
            Span<byte> extra = stackalloc byte[1];
            if (z.Read(extra) != 0)
                throw Fail.Bomb("PNG image data inflates beyond the size its header declares");
        }
        catch (InvalidDataException e)
        {
            throw new ImageDecodeException(ImageDecodeErrorCodes.Corrupt, "corrupt data: PNG zlib stream is invalid", e);
        }
        return raw;
    }

    private static void Unfilter(byte[] raw, Header h, float[] pixels, int outChannels, float[]? palette)
    {
        int bpp = h.FilterBpp;
        if (!h.Interlaced)
        {
            int rowBytes = (int)h.RowBytes(h.Width);
            UnfilterPass(raw, 0, h, h.Width, h.Height, rowBytes, bpp, (y, row) =>
                ExpandRow(row, h, h.Width, pixels.AsSpan(y * h.Width * outChannels, h.Width * outChannels), outChannels, palette));
            return;
        }
        int offset = 0;
        var tmp = new float[h.Width * outChannels];
        foreach (var (x0, y0, dx, dy) in Adam7)
        {
            int pw = PassSize(h.Width, x0, dx), ph = PassSize(h.Height, y0, dy);
            if (pw == 0 || ph == 0) continue;
            int rowBytes = (int)h.RowBytes(pw);
            UnfilterPass(raw, offset, h, pw, ph, rowBytes, bpp, (py, row) =>
            {
                ExpandRow(row, h, pw, tmp, outChannels, palette);
                int y = y0 + py * dy;
                var dst = pixels.AsSpan(y * h.Width * outChannels);
                for (int i = 0; i < pw; i++)
                {
                    int x = x0 + i * dx;
                    tmp.AsSpan(i * outChannels, outChannels).CopyTo(dst.Slice(x * outChannels, outChannels));
                }
            });
            offset += ph * (1 + rowBytes);
        }
    }

    private delegate void RowSink(int y, ReadOnlySpan<byte> row);

    /// <summary>Reverses the filters in place, one row at a time, handing each finished row to the sink.</summary>
    private static void UnfilterPass(byte[] raw, int offset, Header h, int width, int height, int rowBytes, int bpp, RowSink sink)
    {
        _ = width; _ = h;
        var prevRow = Span<byte>.Empty;
        for (int y = 0; y < height; y++)
        {
            int start = offset + y * (rowBytes + 1);
            byte filter = raw[start];
            var row = raw.AsSpan(start + 1, rowBytes);
            switch (filter)
            {
                case 0:
                    break;
                case 1:
                    for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp];
                    break;
                case 2:
                    if (!prevRow.IsEmpty) for (int i = 0; i < row.Length; i++) row[i] += prevRow[i];
                    break;
                case 3:
                    if (prevRow.IsEmpty)
                    {
                        for (int i = bpp; i < row.Length; i++) row[i] += (byte)(row[i - bpp] >> 1);
                    }
                    else
                    {
                        for (int i = 0; i < bpp && i < row.Length; i++) row[i] += (byte)(prevRow[i] >> 1);
                        for (int i = bpp; i < row.Length; i++) row[i] += (byte)((row[i - bpp] + prevRow[i]) >> 1);
                    }
                    break;
                case 4:
                    if (prevRow.IsEmpty)
                    {
                        for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp]; // Paeth with b=c=0 is Sub
                    }
                    else
                    {
                        for (int i = 0; i < bpp && i < row.Length; i++) row[i] += prevRow[i];
                        for (int i = bpp; i < row.Length; i++) row[i] += Paeth(row[i - bpp], prevRow[i], prevRow[i - bpp]);
                    }
                    break;
                default:
                    throw Fail.Corrupt($"PNG filter type {filter} in row {y}");
            }
            sink(y, row);
            prevRow = row;
        }
    }

    private static byte Paeth(byte a, byte b, byte c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static readonly float[] Lut8 = Enumerable.Range(0, 256).Select(i => i / 255f).ToArray();

    /// <summary>Turns one unfiltered row into floats in [0, 1] in the output channel layout.</summary>
    private static void ExpandRow(ReadOnlySpan<byte> row, Header h, int width, Span<float> dst, int outChannels, float[]? palette)
    {
        var lut = Lut8;
        const float inv16 = 1f / 65535f;
        switch (h.ColorType, h.BitDepth)
        {
            case (0, 8):
                for (int x = 0; x < width; x++) dst[x] = lut[row[x]];
                break;
            case (0, 16):
                for (int x = 0; x < width; x++) dst[x] = BinaryPrimitives.ReadUInt16BigEndian(row[(x * 2)..]) * inv16;
                break;
            case (0, _):
            {
                int bd = h.BitDepth, mask = (1 << bd) - 1, perByte = 8 / bd;
                float scale = 1f / mask;
                for (int x = 0; x < width; x++)
                {
                    int shift = 8 - bd * (x % perByte + 1);
                    dst[x] = ((row[x / perByte] >> shift) & mask) * scale;
                }
                break;
            }
            case (3, _):
            {
                var pal = palette!;
                int bd = h.BitDepth, mask = (1 << bd) - 1, perByte = 8 / bd;
                for (int x = 0; x < width; x++)
                {
                    int idx = bd == 8 ? row[x] : (row[x / perByte] >> (8 - bd * (x % perByte + 1))) & mask;
                    pal.AsSpan(idx * 4, outChannels).CopyTo(dst.Slice(x * outChannels, outChannels));
                }
                break;
            }
            case (2, 8):
                for (int i = 0; i < width * 3; i++) dst[i] = lut[row[i]];
                break;
            case (6, 8):
                for (int i = 0; i < width * 4; i++) dst[i] = lut[row[i]];
                break;
            case (2, 16):
            case (6, 16):
                for (int i = 0; i < width * h.SamplesPerPixel; i++) dst[i] = BinaryPrimitives.ReadUInt16BigEndian(row[(i * 2)..]) * inv16;
                break;
            case (4, 8):
                for (int x = 0; x < width; x++)
                {
                    float g = lut[row[x * 2]];
                    dst[x * 4] = g; dst[x * 4 + 1] = g; dst[x * 4 + 2] = g;
                    dst[x * 4 + 3] = lut[row[x * 2 + 1]];
                }
                break;
            case (4, 16):
                for (int x = 0; x < width; x++)
                {
                    float g = BinaryPrimitives.ReadUInt16BigEndian(row[(x * 4)..]) * inv16;
                    dst[x * 4] = g; dst[x * 4 + 1] = g; dst[x * 4 + 2] = g;
                    dst[x * 4 + 3] = BinaryPrimitives.ReadUInt16BigEndian(row[(x * 4 + 2)..]) * inv16;
                }
                break;
            default:
                throw Fail.Corrupt("PNG colour type/bit depth");
        }
    }
}
