namespace ReportGen.Imaging.Jpeg2000;

/// <summary>
/// Inverse discrete wavelet transforms (T.800 Annex F), in place over a tile-component buffer whose resolution r
/// occupies its top-left corner with the low-pass half first in each direction. Rows first, then columns, level by
/// level, as the standard's 2D_SR does. The 9/7 uses OpenJPEG's float lifting constants and operation order, so its
/// output matches opj_decompress to rounding.
/// </summary>
internal static class J2kWavelet
{
    // 9/7 lifting steps (T.800 F.4.8.2 with the signs folded in); the high-pass scale is 2/K rather than 1/K
    // because, like OpenJPEG, we dequantise every band with a nominal gain of 1.
    private const float Alpha = 1.586134342f, Beta = 0.052980118f, Gamma = -0.882911075f, Delta = -0.443506852f;
    private const float K = 1.230174105f, TwoOverK = 1.625732422f;

    /// <summary>
    /// Calls <paramref name="level"/> for each resolution above the lowest, lowest first, with its size, the size of
    /// the resolution below (the low-pass counts) and the parity of its origin.
    /// </summary>
    private static void ForEachLevel(J2kTileComponent tc, Action<int, int, int, int, int, int> level)
    {
        for (int r = 1; r < tc.Resolutions.Length; r++)
        {
            var res = tc.Resolutions[r];
            var lower = tc.Resolutions[r - 1];
            if (res.Width == 0 || res.Height == 0) continue;
            level(res.Width, res.Height, lower.Width, lower.Height, res.X0 & 1, res.Y0 & 1);
        }
    }

    private static int LongestSide(J2kTileComponent tc) => Math.Max(tc.Width, tc.Height);

    public static void Inverse53(J2kTileComponent tc)
    {
        var buf = tc.Ints!;
        int stride = tc.Width;
        var tmp = new int[LongestSide(tc) + 2];
        ForEachLevel(tc, (rw, rh, lowW, lowH, casX, casY) =>
        {
            for (int y = 0; y < rh; y++) Lift53(buf.AsSpan(y * stride, rw), rw, lowW, casX, tmp);
            Vertical53(buf, stride, rw, rh, lowH, casY);
        });
    }

    /// <summary>One 1-D 5/3 synthesis: <paramref name="a"/> holds sn low then dn high samples; on return, interleaved samples.</summary>
    private static void Lift53(Span<int> a, int n, int sn, int cas, int[] tmp)
    {
        if (n == 1)
        {
            if (cas == 1) a[0] /= 2; // a single high-pass sample (T.800 F.3.7)
            return;
        }
        // Interleave: the sample at relative index k is low when (k + cas) is even.
        for (int i = 0; i < sn; i++) tmp[2 * i + cas] = a[i];
        for (int i = 0; i < n - sn; i++) tmp[2 * i + 1 - cas] = a[sn + i];
        // Even global positions first: x[k] -= floor((x[k-1] + x[k+1] + 2) / 4), with symmetric extension.
        for (int k = cas; k < n; k += 2)
        {
            int left = k > 0 ? tmp[k - 1] : tmp[k + 1];
            int right = k + 1 < n ? tmp[k + 1] : tmp[k - 1];
            tmp[k] -= (left + right + 2) >> 2;
        }
        for (int k = 1 - cas; k < n; k += 2)
        {
            int left = k > 0 ? tmp[k - 1] : tmp[k + 1];
            int right = k + 1 < n ? tmp[k + 1] : tmp[k - 1];
            tmp[k] += (left + right) >> 1;
        }
        tmp.AsSpan(0, n).CopyTo(a);
    }

    /// <summary>Columns are lifted a strip of <see cref="Strip"/> at a time, row by row, so the work is contiguous and vectorised.</summary>
    private const int Strip = 64;

    /// <summary>Copies rows [0, rh) of columns [x0, x0 + width) into the strip, interleaving low rows (first sn) and high rows.</summary>
    private static void LoadStrip<T>(T[] buf, int stride, int x0, int width, int rh, int sn, int cas, T[] strip)
    {
        for (int y = 0; y < rh; y++)
        {
            int k = y < sn ? 2 * y + cas : 2 * (y - sn) + 1 - cas;
            buf.AsSpan(y * stride + x0, width).CopyTo(strip.AsSpan(k * Strip, width));
        }
    }

    private static void StoreStrip<T>(T[] buf, int stride, int x0, int width, int rh, T[] strip)
    {
        for (int k = 0; k < rh; k++) strip.AsSpan(k * Strip, width).CopyTo(buf.AsSpan(k * stride + x0, width));
    }

    private static void Vertical53(int[] buf, int stride, int rw, int rh, int sn, int cas)
    {
        if (rh == 1)
        {
            if (cas == 1) for (int x = 0; x < rw; x++) buf[x] /= 2;
            return;
        }
        var strip = new int[Strip * rh];
        var two = new System.Numerics.Vector<int>(2);
        int lanes = System.Numerics.Vector<int>.Count;
        for (int x0 = 0; x0 < rw; x0 += Strip)
        {
            int width = Math.Min(Strip, rw - x0);
            LoadStrip(buf, stride, x0, width, rh, sn, cas, strip);
            var rows = strip.AsSpan();
            for (int k = cas; k < rh; k += 2)
            {
                int l = (k > 0 ? k - 1 : k + 1) * Strip, r = (k + 1 < rh ? k + 1 : k - 1) * Strip, c = k * Strip;
                for (int j = 0; j < Strip; j += lanes)
                {
                    var v = new System.Numerics.Vector<int>(rows[(c + j)..]);
                    var sum = new System.Numerics.Vector<int>(rows[(l + j)..]) + new System.Numerics.Vector<int>(rows[(r + j)..]) + two;
                    (v - System.Numerics.Vector.ShiftRightArithmetic(sum, 2)).CopyTo(rows[(c + j)..]);
                }
            }
            for (int k = 1 - cas; k < rh; k += 2)
            {
                int l = (k > 0 ? k - 1 : k + 1) * Strip, r = (k + 1 < rh ? k + 1 : k - 1) * Strip, c = k * Strip;
                for (int j = 0; j < Strip; j += lanes)
                {
                    var v = new System.Numerics.Vector<int>(rows[(c + j)..]);
                    var sum = new System.Numerics.Vector<int>(rows[(l + j)..]) + new System.Numerics.Vector<int>(rows[(r + j)..]);
                    (v + System.Numerics.Vector.ShiftRightArithmetic(sum, 1)).CopyTo(rows[(c + j)..]);
                }
            }
            StoreStrip(buf, stride, x0, width, rh, strip);
        }
    }

    private static void Vertical97(float[] buf, int stride, int rw, int rh, int sn, int cas)
    {
        if (rh == 1) return;
        var strip = new float[Strip * rh];
        for (int x0 = 0; x0 < rw; x0 += Strip)
        {
            int width = Math.Min(Strip, rw - x0);
            LoadStrip(buf, stride, x0, width, rh, sn, cas, strip);
            for (int k = 0; k < rh; k++)
                Scale(strip.AsSpan(k * Strip, Strip), ((k + cas) & 1) == 0 ? K : TwoOverK);
            StripStep97(strip, rh, cas, Delta);
            StripStep97(strip, rh, 1 - cas, Gamma);
            StripStep97(strip, rh, cas, Beta);
            StripStep97(strip, rh, 1 - cas, Alpha);
            StoreStrip(buf, stride, x0, width, rh, strip);
        }
    }

    private static void Scale(Span<float> row, float c)
    {
        var vc = new System.Numerics.Vector<float>(c);
        for (int j = 0; j < row.Length; j += System.Numerics.Vector<float>.Count)
            (new System.Numerics.Vector<float>(row[j..]) * vc).CopyTo(row[j..]);
    }

    /// <summary>Row k += (row k−1 + row k+1) · c for rows of parity <paramref name="first"/>; the same float operations as <see cref="Step97"/>.</summary>
    private static void StripStep97(float[] strip, int n, int first, float c)
    {
        var rows = strip.AsSpan();
        var vc = new System.Numerics.Vector<float>(c);
        int lanes = System.Numerics.Vector<float>.Count;
        for (int k = first; k < n; k += 2)
        {
            int l = (k > 0 ? k - 1 : k + 1) * Strip, r = (k + 1 < n ? k + 1 : k - 1) * Strip, m = k * Strip;
            for (int j = 0; j < Strip; j += lanes)
            {
                var v = new System.Numerics.Vector<float>(rows[(m + j)..]);
                var sum = new System.Numerics.Vector<float>(rows[(l + j)..]) + new System.Numerics.Vector<float>(rows[(r + j)..]);
                (v + sum * vc).CopyTo(rows[(m + j)..]);
            }
        }
    }

    public static void Inverse97(J2kTileComponent tc)
    {
        var buf = tc.Floats!;
        int stride = tc.Width;
        var tmp = new float[LongestSide(tc) + 2];
        ForEachLevel(tc, (rw, rh, lowW, lowH, casX, casY) =>
        {
            for (int y = 0; y < rh; y++) Lift97(buf.AsSpan(y * stride, rw), rw, lowW, casX, tmp);
            Vertical97(buf, stride, rw, rh, lowH, casY);
        });
    }

    private static void Lift97(Span<float> a, int n, int sn, int cas, float[] tmp)
    {
        // A single sample passes through unscaled, as in OpenJPEG.
        if (n == 1) return;
        for (int i = 0; i < sn; i++) tmp[2 * i + cas] = a[i];
        for (int i = 0; i < n - sn; i++) tmp[2 * i + 1 - cas] = a[sn + i];
        for (int k = cas; k < n; k += 2) tmp[k] *= K;
        for (int k = 1 - cas; k < n; k += 2) tmp[k] *= TwoOverK;
        Step97(tmp, n, cas, Delta);
        Step97(tmp, n, 1 - cas, Gamma);
        Step97(tmp, n, cas, Beta);
        Step97(tmp, n, 1 - cas, Alpha);
        tmp.AsSpan(0, n).CopyTo(a);
    }

    /// <summary>x[k] += (x[k-1] + x[k+1]) · c for every k of parity <paramref name="first"/>, mirroring at both ends.</summary>
    private static void Step97(float[] x, int n, int first, float c)
    {
        for (int k = first; k < n; k += 2)
        {
            float left = k > 0 ? x[k - 1] : x[k + 1];
            float right = k + 1 < n ? x[k + 1] : x[k - 1];
            x[k] = x[k] + (left + right) * c;
        }
    }
}

/// <summary>Inverse multi-component transforms (T.800 Annex G): reversible RCT and irreversible ICT.</summary>
internal static class J2kColour
{
    public static void InverseRct(int[] y, int[] u, int[] v)
    {
        for (int i = 0; i < y.Length; i++)
        {
            int g = y[i] - ((u[i] + v[i]) >> 2);
            int r = v[i] + g, b = u[i] + g;
            (y[i], u[i], v[i]) = (r, g, b);
        }
    }

    public static void InverseIct(float[] y, float[] u, float[] v)
    {
        for (int i = 0; i < y.Length; i++)
        {
            float yy = y[i], uu = u[i], vv = v[i];
            float r = yy + vv * 1.402f;
            float g = yy - uu * 0.34413f - vv * 0.71414f;
            float b = yy + uu * 1.772f;
            (y[i], u[i], v[i]) = (r, g, b);
        }
    }
}
