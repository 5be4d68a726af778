using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ReportGen.TestSupport;

/// <summary>
/// A small PNG encoder for fixtures: any colour type and bit depth, optional Adam7, rows filtered with a
/// rotating filter type (so all five filters are exercised), image data split into several IDAT chunks.
/// </summary>
public static class PngWriter
{
    /// <param name="samples">Width × Height × samples-per-pixel raw sample values (palette indices for type 3).</param>
    public static byte[] Write(int width, int height, int colorType, int bitDepth, ushort[] samples,
        bool interlace = false, byte[]? palette = null, byte[]? trns = null, int idatChunkSize = 97, bool rotateFilters = true)
    {
        int spp = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new ArgumentException("colour type") };
        var scan = new MemoryStream();
        int filterCounter = 0;
        if (!interlace)
        {
            WritePass(scan, samples, width, height, spp, bitDepth, 0, 0, 1, 1, width, ref filterCounter, rotateFilters);
        }
        else
        {
            (int, int, int, int)[] passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];
            foreach (var (x0, y0, dx, dy) in passes)
            {
                int pw = width <= x0 ? 0 : (width - x0 + dx - 1) / dx;
                int ph = height <= y0 ? 0 : (height - y0 + dy - 1) / dy;
                if (pw == 0 || ph == 0) continue;
                WritePass(scan, samples, pw, ph, spp, bitDepth, x0, y0, dx, dy, width, ref filterCounter, rotateFilters);
            }
        }
        var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(scan.ToArray());
        var compressed = z.ToArray();

        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = (byte)bitDepth; ihdr[9] = (byte)colorType; ihdr[12] = (byte)(interlace ? 1 : 0);
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "tEXt", Encoding.ASCII.GetBytes("Comment\0fixture"));
        if (palette is not null) Chunk(png, "PLTE", palette);
        if (trns is not null) Chunk(png, "tRNS", trns);
        for (int off = 0; off < compressed.Length; off += idatChunkSize)
            Chunk(png, "IDAT", compressed.AsSpan(off, Math.Min(idatChunkSize, compressed.Length - off)));
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    public static void Chunk(Stream s, string type, ReadOnlySpan<byte> body)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(len, (uint)body.Length);
        s.Write(len);
        var t = Encoding.ASCII.GetBytes(type);
        s.Write(t);
        s.Write(body);
        uint crc = Crc(t, body);
        BinaryPrimitives.WriteUInt32BigEndian(len, crc);
        s.Write(len);
    }

    private static uint Crc(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        uint c = 0xFFFFFFFF;
        foreach (var x in a) c = Step(c, x);
        foreach (var x in b) c = Step(c, x);
        return c ^ 0xFFFFFFFF;

        static uint Step(uint c, byte x)
        {
            c ^= x;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            return c;
        }
    }

    private static void WritePass(MemoryStream scan, ushort[] samples, int pw, int ph, int spp, int bd,
        int x0, int y0, int dx, int dy, int fullWidth, ref int filterCounter, bool rotate)
    {
        int rowBytes = (pw * spp * bd + 7) / 8;
        int bpp = Math.Max(1, spp * bd / 8);
        var prev = new byte[rowBytes];
        var cur = new byte[rowBytes];
        for (int py = 0; py < ph; py++)
        {
            Array.Clear(cur);
            int y = y0 + py * dy;
            int bitPos = 0;
            for (int px = 0; px < pw; px++)
            {
                int x = x0 + px * dx;
                for (int s = 0; s < spp; s++)
                {
                    ushort v = samples[(y * fullWidth + x) * spp + s];
                    if (bd == 16) { cur[bitPos / 8] = (byte)(v >> 8); cur[bitPos / 8 + 1] = (byte)v; }
                    else if (bd == 8) cur[bitPos / 8] = (byte)v;
                    else cur[bitPos / 8] |= (byte)(v << (8 - bd - bitPos % 8));
                    bitPos += bd;
                }
            }
            int filter = rotate ? filterCounter++ % 5 : 0;
            scan.WriteByte((byte)filter);
            for (int i = 0; i < rowBytes; i++)
            {
                int a = i >= bpp ? cur[i - bpp] : 0, b = py > 0 ? prev[i] : 0, c = i >= bpp && py > 0 ? prev[i - bpp] : 0;
                int pred = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    _ => Paeth(a, b, c),
                };
                scan.WriteByte((byte)(cur[i] - pred));
            }
            (prev, cur) = (cur, prev);
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
