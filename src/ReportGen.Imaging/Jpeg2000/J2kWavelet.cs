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

    public static void Inverse53(J2kTileComponent tc)
    {
        var buf = tc.Ints!;
        int stride = tc.Width;
        int max = 0;
        foreach (var r in tc.Resolutions) max = Math.Max(max, Math.Max(r.Width, r.Height));
        var tmp = new int[max + 2];
        for (int level = 1; level < tc.Resolutions.Length; level++)
        {
            var res = tc.Resolutions[level];
            var lower = tc.Resolutions[level - 1];
            int rw = res.Width, rh = res.Height;
            if (rw == 0 || rh == 0) continue;
            int casX = res.X0 & 1, casY = res.Y0 & 1;
            for (int y = 0; y < rh; y++)
                Lift53(buf.AsSpan(y * stride, rw), rw, lower.Width, casX, tmp);
            var col = new int[rh];
            for (int x = 0; x < rw; x++)
            {
                for (int y = 0; y < rh; y++) col[y] = buf[y * stride + x];
                Lift53(col, rh, lower.Height, casY, tmp);
                for (int y = 0; y < rh; y++) buf[y * stride + x] = col[y];
            }
        }
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

    public static void Inverse97(J2kTileComponent tc)
    {
        var buf = tc.Floats!;
        int stride = tc.Width;
        int max = 0;
        foreach (var r in tc.Resolutions) max = Math.Max(max, Math.Max(r.Width, r.Height));
        var tmp = new float[max + 2];
        for (int level = 1; level < tc.Resolutions.Length; level++)
        {
            var res = tc.Resolutions[level];
            var lower = tc.Resolutions[level - 1];
            int rw = res.Width, rh = res.Height;
            if (rw == 0 || rh == 0) continue;
            int casX = res.X0 & 1, casY = res.Y0 & 1;
            for (int y = 0; y < rh; y++)
                Lift97(buf.AsSpan(y * stride, rw), rw, lower.Width, casX, tmp);
            var col = new float[rh];
            for (int x = 0; x < rw; x++)
            {
                for (int y = 0; y < rh; y++) col[y] = buf[y * stride + x];
                Lift97(col, rh, lower.Height, casY, tmp);
                for (int y = 0; y < rh; y++) buf[y * stride + x] = col[y];
            }
        }
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
