namespace ReportGen.Imaging.Jpeg;

/// <summary>
/// The accurate integer inverse DCT (the "islow" method of the IJG library, which libjpeg-turbo uses by
/// default), so decoded samples match what Pillow and pydicom produce. Written from the published algorithm
/// (Loeffler–Ligtenberg–Moschytz with 13-bit constants, two passes), at 8- and 12-bit sample precision.
/// </summary>
internal static class JpegIdct
{
    private const int ConstBits = 13, Pass1Bits = 2;
    private const int F0_298631336 = 2446, F0_390180644 = 3196, F0_541196100 = 4433, F0_765366865 = 6270,
        F0_899976223 = 7373, F1_175875602 = 9633, F1_501321110 = 12299, F1_847759065 = 15137,
        F1_961570560 = 16069, F2_053119869 = 16819, F2_562915447 = 20995, F3_072711026 = 25172;

    private static int Descale(int x, int n) => (x + (1 << (n - 1))) >> n;

    private static byte Clamp(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);

    /// <summary>Dequantises and transforms one block (natural order) into 8×8 samples at <paramref name="output"/> with the given stride.</summary>
    public static void Transform(ReadOnlySpan<short> coef, ReadOnlySpan<ushort> quant, Span<byte> output, int stride)
    {
        Span<int> ws = stackalloc int[64];
        Columns(coef, quant, ws, 2);
        Span<int> row = stackalloc int[8];
        for (int r = 0; r < 8; r++)
        {
            Row(ws.Slice(r * 8, 8), row, 2);
            var o = output.Slice(r * stride, 8);
            for (int i = 0; i < 8; i++) o[i] = Clamp(row[i] + 128);
        }
    }

    /// <summary>
    /// The same transform at 12-bit sample precision (libjpeg's 12-bit build: one fractional bit between the passes,
    /// output centred on 2048 and clamped to 0..4095), into a contiguous 8×8 block.
    /// </summary>
    public static void Transform12(ReadOnlySpan<short> coef, ReadOnlySpan<ushort> quant, Span<int> block)
    {
        Span<int> ws = stackalloc int[64];
        Columns(coef, quant, ws, 1);
        for (int r = 0; r < 8; r++)
        {
            var o = block.Slice(r * 8, 8);
            Row(ws.Slice(r * 8, 8), o, 1);
            for (int i = 0; i < 8; i++) o[i] = Math.Clamp(o[i] + 2048, 0, 4095);
        }
    }

    /// <summary>Pass 1: columns, scaled up by 2^pass1Bits into the work space.</summary>
    private static void Columns(ReadOnlySpan<short> coef, ReadOnlySpan<ushort> quant, Span<int> ws, int pass1Bits)
    {
        for (int c = 0; c < 8; c++)
        {
            if (coef[8 + c] == 0 && coef[16 + c] == 0 && coef[24 + c] == 0 && coef[32 + c] == 0 &&
                coef[40 + c] == 0 && coef[48 + c] == 0 && coef[56 + c] == 0)
            {
                int dc = coef[c] * quant[c] << pass1Bits;
                for (int r = 0; r < 8; r++) ws[r * 8 + c] = dc;
                continue;
            }
            int z2 = coef[16 + c] * quant[16 + c], z3 = coef[48 + c] * quant[48 + c];
            int z1 = (z2 + z3) * F0_541196100;
            int tmp2 = z1 + z3 * -F1_847759065;
            int tmp3 = z1 + z2 * F0_765366865;
            z2 = coef[c] * quant[c];
            z3 = coef[32 + c] * quant[32 + c];
            int tmp0 = (z2 + z3) << ConstBits;
            int tmp1 = (z2 - z3) << ConstBits;
            int tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;

            tmp0 = coef[56 + c] * quant[56 + c];
            tmp1 = coef[40 + c] * quant[40 + c];
            tmp2 = coef[24 + c] * quant[24 + c];
            tmp3 = coef[8 + c] * quant[8 + c];
            Odd(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

            int s = ConstBits - pass1Bits;
            ws[c] = Descale(tmp10 + tmp3, s);
            ws[56 + c] = Descale(tmp10 - tmp3, s);
            ws[8 + c] = Descale(tmp11 + tmp2, s);
            ws[48 + c] = Descale(tmp11 - tmp2, s);
            ws[16 + c] = Descale(tmp12 + tmp1, s);
            ws[40 + c] = Descale(tmp12 - tmp1, s);
            ws[24 + c] = Descale(tmp13 + tmp0, s);
            ws[32 + c] = Descale(tmp13 - tmp0, s);
        }
    }

    /// <summary>Pass 2: one row of the work space to 8 samples, not yet centred or clamped.</summary>
    private static void Row(ReadOnlySpan<int> w, Span<int> o, int pass1Bits)
    {
        if (w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0 && w[6] == 0 && w[7] == 0)
        {
            o.Fill(Descale(w[0], pass1Bits + 3));
            return;
        }
        int z2 = w[2], z3 = w[6];
        int z1 = (z2 + z3) * F0_541196100;
        int tmp2 = z1 + z3 * -F1_847759065;
        int tmp3 = z1 + z2 * F0_765366865;
        int tmp0 = (w[0] + w[4]) << ConstBits;
        int tmp1 = (w[0] - w[4]) << ConstBits;
        int tmp10 = tmp0 + tmp3, tmp13 = tmp0 - tmp3, tmp11 = tmp1 + tmp2, tmp12 = tmp1 - tmp2;
        tmp0 = w[7]; tmp1 = w[5]; tmp2 = w[3]; tmp3 = w[1];
        Odd(ref tmp0, ref tmp1, ref tmp2, ref tmp3);

        int s = ConstBits + pass1Bits + 3;
        o[0] = Descale(tmp10 + tmp3, s);
        o[7] = Descale(tmp10 - tmp3, s);
        o[1] = Descale(tmp11 + tmp2, s);
        o[6] = Descale(tmp11 - tmp2, s);
        o[2] = Descale(tmp12 + tmp1, s);
        o[5] = Descale(tmp12 - tmp1, s);
        o[3] = Descale(tmp13 + tmp0, s);
        o[4] = Descale(tmp13 - tmp0, s);
    }

    private static void Odd(ref int tmp0, ref int tmp1, ref int tmp2, ref int tmp3)
    {
        int z1 = tmp0 + tmp3, z2 = tmp1 + tmp2, z3 = tmp0 + tmp2, z4 = tmp1 + tmp3;
        int z5 = (z3 + z4) * F1_175875602;
        tmp0 *= F0_298631336;
        tmp1 *= F2_053119869;
        tmp2 *= F3_072711026;
        tmp3 *= F1_501321110;
        z1 *= -F0_899976223;
        z2 *= -F2_562915447;
        z3 = z3 * -F1_961570560 + z5;
        z4 = z4 * -F0_390180644 + z5;
        tmp0 += z1 + z3;
        tmp1 += z2 + z4;
        tmp2 += z2 + z3;
        tmp3 += z1 + z4;
    }
}
