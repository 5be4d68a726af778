namespace ReportGen.Imaging.Jpeg;

/// <summary>
/// Brings a subsampled component plane to full image size as libjpeg-turbo does by default (so colours match
/// Pillow and djpeg exactly): 2×1, 2×2 and 1×2 use the "fancy" triangular filters, except that 2×2 falls back to
/// replication when the subsampled row has two samples or fewer (turbo's rule); other ratios replicate samples.
/// </summary>
internal static class JpegUpsampler
{
    public static byte[] ToFullSize(byte[] plane, JpegDecoder.Component c, int width, int height, int hmax, int vmax)
    {
        int stride = c.BlocksPerLineAlloc * 8;
        int planeRows = c.BlocksPerColumnAlloc * 8;
        var full = new byte[width * height];
        int sx = hmax / c.H, sy = vmax / c.V;
        if (hmax % c.H != 0 || vmax % c.V != 0) throw Fail.Unsupported("JPEG non-integral sampling ratio");
        if (sx == 1 && sy == 1)
        {
            for (int y = 0; y < height; y++) plane.AsSpan(y * stride, width).CopyTo(full.AsSpan(y * width));
            return full;
        }
        int cw = c.Width; // component samples per row
        if (sx == 2 && sy == 1)
        {
            var row = new byte[cw * 2];
            for (int y = 0; y < height; y++)
            {
                H2V1(plane.AsSpan(y * stride, cw), row);
                row.AsSpan(0, width).CopyTo(full.AsSpan(y * width));
            }
            return full;
        }
        if (sx == 2 && sy == 2 && cw > 2)
        {
            var row = new byte[cw * 2];
            int ch = c.Height;
            for (int y = 0; y < height; y++)
            {
                int cy = y >> 1;
                // Upper output row of a pair leans on the row above, the lower on the row below (edges replicated).
                int ny = (y & 1) == 0 ? Math.Max(cy - 1, 0) : Math.Min(cy + 1, Math.Min(ch, planeRows) - 1);
                H2V2(plane.AsSpan(cy * stride, cw), plane.AsSpan(ny * stride, cw), row, (y & 1) == 0);
                row.AsSpan(0, width).CopyTo(full.AsSpan(y * width));
            }
            return full;
        }
        if (sx == 1 && sy == 2)
        {
            int ch = c.Height;
            for (int y = 0; y < height; y++)
            {
                int cy = y >> 1;
                bool upper = (y & 1) == 0;
                int ny = upper ? Math.Max(cy - 1, 0) : Math.Min(cy + 1, Math.Min(ch, planeRows) - 1);
                H1V2(plane.AsSpan(cy * stride, width), plane.AsSpan(ny * stride, width), full.AsSpan(y * width, width), upper ? 1 : 2);
            }
            return full;
        }
        for (int y = 0; y < height; y++)
        {
            var src = plane.AsSpan(y / sy * stride);
            var dst = full.AsSpan(y * width, width);
            for (int x = 0; x < width; x++) dst[x] = src[x / sx];
        }
        return full;
    }

    private static void H2V1(ReadOnlySpan<byte> inp, Span<byte> o)
    {
        int n = inp.Length;
        if (n == 1) { o[0] = o[1] = inp[0]; return; }
        o[0] = inp[0];
        o[1] = (byte)((inp[0] * 3 + inp[1] + 2) >> 2);
        for (int i = 1; i < n - 1; i++)
        {
            int v = inp[i] * 3;
            o[2 * i] = (byte)((v + inp[i - 1] + 1) >> 2);
            o[2 * i + 1] = (byte)((v + inp[i + 1] + 2) >> 2);
        }
        o[2 * n - 2] = (byte)((inp[n - 1] * 3 + inp[n - 2] + 1) >> 2);
        o[2 * n - 1] = inp[n - 1];
    }

    /// <summary>Vertical triangle filter: ¾ nearer row + ¼ further row, bias 1 for the upper and 2 for the lower row.</summary>
    private static void H1V2(ReadOnlySpan<byte> cur, ReadOnlySpan<byte> near, Span<byte> o, int bias)
    {
        for (int i = 0; i < o.Length; i++) o[i] = (byte)((cur[i] * 3 + near[i] + bias) >> 2);
    }

    private static void H2V2(ReadOnlySpan<byte> cur, ReadOnlySpan<byte> near, Span<byte> o, bool upper)
    {
        _ = upper; // the same formula serves both rows; only the neighbouring row differs
        int n = cur.Length;
        int thiscol = cur[0] * 3 + near[0];
        if (n == 1) { o[0] = (byte)((thiscol * 4 + 8) >> 4); o[1] = (byte)((thiscol * 4 + 7) >> 4); return; }
        int nextcol = cur[1] * 3 + near[1];
        o[0] = (byte)((thiscol * 4 + 8) >> 4);
        o[1] = (byte)((thiscol * 3 + nextcol + 7) >> 4);
        int lastcol = thiscol;
        thiscol = nextcol;
        for (int i = 1; i < n - 1; i++)
        {
            nextcol = cur[i + 1] * 3 + near[i + 1];
            o[2 * i] = (byte)((thiscol * 3 + lastcol + 8) >> 4);
            o[2 * i + 1] = (byte)((thiscol * 3 + nextcol + 7) >> 4);
            lastcol = thiscol;
            thiscol = nextcol;
        }
        o[2 * n - 2] = (byte)((thiscol * 3 + lastcol + 8) >> 4);
        o[2 * n - 1] = (byte)((thiscol * 4 + 7) >> 4);
    }
}

/// <summary>JFIF YCbCr → RGB with libjpeg's 16-bit fixed-point tables.</summary>
internal static class JpegColor
{
    private static readonly int[] CrR = new int[256], CbB = new int[256], CrG = new int[256], CbG = new int[256];

    static JpegColor()
    {
        const int scale = 16, half = 1 << (scale - 1);
        static int Fix(double x) => (int)(x * (1 << 16) + 0.5);
        for (int i = 0; i < 256; i++)
        {
            int x = i - 128;
            CrR[i] = (Fix(1.40200) * x + half) >> scale;
            CbB[i] = (Fix(1.77200) * x + half) >> scale;
            CrG[i] = -Fix(0.71414) * x;
            CbG[i] = -Fix(0.34414) * x + half;
        }
    }

    public static void YCbCrToRgb(byte[] y, byte[] cb, byte[] cr, byte[] rgb)
    {
        for (int p = 0; p < y.Length; p++)
        {
            int yy = y[p], b = cb[p], r = cr[p];
            rgb[p * 3] = Clamp(yy + CrR[r]);
            rgb[p * 3 + 1] = Clamp(yy + ((CbG[b] + CrG[r]) >> 16));
            rgb[p * 3 + 2] = Clamp(yy + CbB[b]);
        }
    }

    private static byte Clamp(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
}
