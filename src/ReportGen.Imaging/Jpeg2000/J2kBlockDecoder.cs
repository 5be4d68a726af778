namespace ReportGen.Imaging.Jpeg2000;

/// <summary>
/// Tier-1 decoding of one code-block (T.800 Annex D): significance propagation, magnitude refinement and cleanup
/// passes over stripes of four rows, with every code-block style (bypass, reset, terminate each pass, vertically
/// causal, predictable termination, segmentation symbols). Output samples are 2·magnitude (+ half an interval),
/// signed, as OpenJPEG keeps them, so the caller dequantises by ×½ or ×½Δ. One instance per thread; reused.
/// </summary>
internal sealed class J2kBlockDecoder
{
    // Per-sample flags: bits 0-7 which of the 8 neighbours are significant (NW N NE W E SW S SE), bits 8-11 the
    // sign of the N W E S neighbours, then this sample's own state.
    private const int NW = 1, N = 2, NE = 4, W = 8, E = 16, SW = 32, S = 64, SE = 128;
    private const int NNeg = 1 << 8, WNeg = 1 << 9, ENeg = 1 << 10, SNeg = 1 << 11;
    private const int Sig = 1 << 12, Visit = 1 << 13, Refined = 1 << 14;
    private const int Neighbours = 0xFF;
    // Vertically causal mode hides the next stripe (the row below the stripe's last row).
    private const int BelowMask = ~(SW | S | SE | SNeg);

    private const int CtxRunLength = 17, CtxUniform = 18, CtxCount = 19;

    private static readonly byte[][] ZeroCodingContexts = [BuildZc(0), BuildZc(1), BuildZc(2), BuildZc(3)];
    private static readonly byte[] SignContexts = BuildSign();

    private readonly byte[] _states = new byte[CtxCount];
    private int[] _flags = [];
    private int[] _data = [];
    private byte[] _buffer = [];
    private J2kMqDecoder _mq;
    private int _w, _h, _stride;
    private byte[] _zc = ZeroCodingContexts[0];

    /// <summary>The decoded samples of the last block (row-major, <c>width</c> per row).</summary>
    public int[] Data => _data;

    /// <summary>Reusable scratch for the block's concatenated codeword bytes.</summary>
    public byte[] Buffer(int length)
    {
        if (_buffer.Length < length) _buffer = new byte[Math.Max(length, _buffer.Length * 2)];
        return _buffer;
    }

    private static byte[] BuildZc(int orient)
    {
        var t = new byte[256];
        for (int f = 0; f < 256; f++)
        {
            int h = ((f & W) != 0 ? 1 : 0) + ((f & E) != 0 ? 1 : 0);
            int v = ((f & N) != 0 ? 1 : 0) + ((f & S) != 0 ? 1 : 0);
            int d = ((f & NW) != 0 ? 1 : 0) + ((f & NE) != 0 ? 1 : 0) + ((f & SW) != 0 ? 1 : 0) + ((f & SE) != 0 ? 1 : 0);
            if (orient == 1) (h, v) = (v, h); // HL: the roles of horizontal and vertical swap (T.800 Table D.1)
            int ctx;
            if (orient == 3)
            {
                int hv = h + v;
                ctx = d >= 3 ? 8 : d == 2 ? (hv >= 1 ? 7 : 6) : d == 1 ? (hv >= 2 ? 5 : hv == 1 ? 4 : 3) : (hv >= 2 ? 2 : hv == 1 ? 1 : 0);
            }
            else
            {
                ctx = h == 2 ? 8
                    : h == 1 ? (v >= 1 ? 7 : d >= 1 ? 6 : 5)
                    : v == 2 ? 4 : v == 1 ? 3 : d >= 2 ? 2 : d == 1 ? 1 : 0;
            }
            t[f] = (byte)ctx;
        }
        return t;
    }

    /// <summary>Indexed by <see cref="SignIndex"/>: context (9..13) in the low bits, the XOR bit in bit 7.</summary>
    private static byte[] BuildSign()
    {
        var t = new byte[256];
        for (int i = 0; i < 256; i++)
        {
            int Contribution(int sigBit, int negBit) => (i & sigBit) == 0 ? 0 : (i & negBit) != 0 ? -1 : 1;
            int v = Math.Clamp(Contribution(1, 16) + Contribution(8, 128), -1, 1); // N, S
            int h = Math.Clamp(Contribution(2, 32) + Contribution(4, 64), -1, 1);  // W, E
            int ctx, xor = 0;
            if (h == 0 && v == 0) ctx = 9;
            else if (h == 0) { ctx = 10; xor = v < 0 ? 1 : 0; }
            else
            {
                ctx = v == 0 ? 12 : (v == h ? 13 : 11);
                xor = h < 0 ? 1 : 0;
            }
            t[i] = (byte)(ctx | (xor << 7));
        }
        return t;
    }

    private static int SignIndex(int f) =>
        ((f >> 1) & 1) | ((f >> 2) & 2) | ((f >> 2) & 4) | ((f >> 3) & 8) | ((f >> 4) & 0xF0);

    private void ResetContexts()
    {
        Array.Clear(_states);
        _states[0] = 4 * 2;
        _states[CtxRunLength] = 3 * 2;
        _states[CtxUniform] = 46 * 2;
    }

    /// <summary>
    /// Decodes a code-block of <paramref name="w"/>×<paramref name="h"/> samples from its segments
    /// (each (start, length, passes) into <paramref name="data"/>), starting at bit-plane <paramref name="planes"/>.
    /// </summary>
    public void Decode(int w, int h, int orient, int style, int planes, byte[] data, ReadOnlySpan<(int Start, int Length, int Passes)> segments)
    {
        _w = w;
        _h = h;
        _stride = w + 2;
        int flagCount = _stride * (h + 2);
        if (_flags.Length < flagCount) _flags = new int[Math.Max(flagCount, 66 * 66)];
        else Array.Clear(_flags, 0, flagCount);
        if (_data.Length < w * h) _data = new int[Math.Max(w * h, 4096)];
        else Array.Clear(_data, 0, w * h);
        _zc = ZeroCodingContexts[orient];
        ResetContexts();

        bool vsc = (style & J2kCodingStyle.VerticalCausal) != 0;
        bool bypass = (style & J2kCodingStyle.Bypass) != 0;
        bool reset = (style & J2kCodingStyle.Reset) != 0;
        bool segsym = (style & J2kCodingStyle.SegmentationSymbols) != 0;
        int bitplane = planes; // OpenJPEG's bpno_plus_one
        int passType = 2;      // the first pass is a cleanup pass
        int passIndex = 0;
        foreach (var seg in segments)
        {
            bool raw = bypass && passIndex >= 10 && passType != 2;
            if (raw) _mq.InitRaw(data, seg.Start, seg.Length);
            else _mq.Init(data, seg.Start, seg.Length);
            for (int p = 0; p < seg.Passes; p++)
            {
                if (bitplane < 1) return;
                switch (passType)
                {
                    case 0:
                        PropagateOrRefine(false, bitplane, vsc, raw);
                        break;
                    case 1:
                        PropagateOrRefine(true, bitplane, vsc, raw);
                        break;
                    default:
                        Cleanup(bitplane, vsc);
                        if (segsym)
                            for (int i = 0; i < 4; i++) _mq.Decode(_states, CtxUniform);
                        break;
                }
                if (reset) ResetContexts();
                passIndex++;
                if (++passType == 3)
                {
                    passType = 0;
                    bitplane--;
                }
            }
        }
    }

    /// <summary>ROI maxshift (T.800 Annex H): samples at or above 2^shift belong to the region and are scaled back down.</summary>
    public void RemoveRoiShift(int count, int shift)
    {
        if (shift >= 31)
        {
            Array.Clear(_data, 0, count);
            return;
        }
        int threshold = 1 << shift;
        for (int i = 0; i < count; i++)
        {
            int v = _data[i];
            int mag = Math.Abs(v);
            if (mag >= threshold) _data[i] = v < 0 ? -(mag >> shift) : mag >> shift;
        }
    }

    private void BecomeSignificant(int fi, int negative)
    {
        var f = _flags;
        int s = _stride;
        f[fi] |= Sig;
        f[fi - s - 1] |= SE;
        f[fi - s + 1] |= SW;
        f[fi + s - 1] |= NE;
        f[fi + s + 1] |= NW;
        if (negative != 0)
        {
            f[fi - s] |= S | SNeg;
            f[fi + s] |= N | NNeg;
            f[fi - 1] |= E | ENeg;
            f[fi + 1] |= W | WNeg;
        }
        else
        {
            f[fi - s] |= S;
            f[fi + s] |= N;
            f[fi - 1] |= E;
            f[fi + 1] |= W;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int DecodeSign(ref J2kMqDecoder mq, byte[] states, int f)
    {
        int sc = SignContexts[SignIndex(f)];
        return mq.Decode(states, sc & 0x7F) ^ (sc >> 7);
    }

    /// <summary>
    /// Significance propagation (<paramref name="refine"/> false) or magnitude refinement (true) over the stripes;
    /// in bypass mode (<paramref name="raw"/>) the bits, and the signs, are raw bits.
    /// </summary>
    private void PropagateOrRefine(bool refine, int bitplane, bool vsc, bool raw)
    {
        int half = 1 << (bitplane - 1), oneHalf = (1 << bitplane) | half;
        var mq = _mq; // a local copy keeps the decoder's registers out of memory in the hot loop
        var states = _states;
        var flags = _flags;
        var data = _data;
        for (int y0 = 0; y0 < _h; y0 += 4)
        {
            int yEnd = Math.Min(y0 + 4, _h);
            for (int x = 0; x < _w; x++)
            {
                int fi = (y0 + 1) * _stride + x + 1;
                for (int y = y0; y < yEnd; y++, fi += _stride)
                {
                    int f = flags[fi];
                    if (vsc && y == y0 + 3) f &= BelowMask;
                    if (refine)
                    {
                        // coefficients significant before this bit-plane
                        if ((f & (Sig | Visit)) != Sig) continue;
                        int ctx = (f & Refined) != 0 ? 16 : (f & Neighbours) != 0 ? 15 : 14;
                        int bit = raw ? mq.RawBit() : mq.Decode(states, ctx);
                        ref int v = ref data[y * _w + x];
                        v += (bit ^ (v < 0 ? 1 : 0)) != 0 ? half : -half;
                        flags[fi] |= Refined;
                        continue;
                    }
                    // insignificant coefficients with a significant neighbour
                    if ((f & (Sig | Visit)) != 0 || (f & Neighbours) == 0) continue;
                    if ((raw ? mq.RawBit() : mq.Decode(states, _zc[f & Neighbours])) != 0)
                    {
                        int neg = raw ? mq.RawBit() : DecodeSign(ref mq, states, f);
                        data[y * _w + x] = neg != 0 ? -oneHalf : oneHalf;
                        BecomeSignificant(fi, neg);
                    }
                    flags[fi] |= Visit;
                }
            }
        }
        _mq = mq;
    }

    private void Cleanup(int bitplane, bool vsc)
    {
        int oneHalf = (1 << bitplane) | (1 << (bitplane - 1));
        var mq = _mq; // a local copy keeps the decoder's registers out of memory in the hot loop
        var states = _states;
        var flags = _flags;
        var data = _data;
        int stride = _stride;
        for (int y0 = 0; y0 < _h; y0 += 4)
        {
            int yEnd = Math.Min(y0 + 4, _h);
            for (int x = 0; x < _w; x++)
            {
                int fi0 = (y0 + 1) * stride + x + 1;
                int yStart = y0;
                if (yEnd - y0 == 4)
                {
                    int f3 = flags[fi0 + 3 * stride];
                    if (vsc) f3 &= BelowMask;
                    const int busy = Neighbours | Sig | Visit;
                    if (((flags[fi0] | flags[fi0 + stride] | flags[fi0 + 2 * stride] | f3) & busy) == 0)
                    {
                        // Run-length mode: one decision says whether any of the four becomes significant.
                        if (mq.Decode(states, CtxRunLength) == 0) continue;
                        int run = mq.Decode(states, CtxUniform) << 1;
                        run |= mq.Decode(states, CtxUniform);
                        int y = y0 + run, fi = fi0 + run * stride;
                        int f = flags[fi];
                        if (vsc && run == 3) f &= BelowMask;
                        int neg = DecodeSign(ref mq, states, f);
                        data[y * _w + x] = neg != 0 ? -oneHalf : oneHalf;
                        BecomeSignificant(fi, neg);
                        yStart = y + 1;
                    }
                }
                int fj = fi0 + (yStart - y0) * stride;
                for (int y = yStart; y < yEnd; y++, fj += stride)
                {
                    int f = flags[fj];
                    if ((f & (Sig | Visit)) == 0)
                    {
                        if (vsc && y == y0 + 3) f &= BelowMask;
                        if (mq.Decode(states, _zc[f & Neighbours]) != 0)
                        {
                            int neg = DecodeSign(ref mq, states, f);
                            data[y * _w + x] = neg != 0 ? -oneHalf : oneHalf;
                            BecomeSignificant(fj, neg);
                        }
                    }
                    flags[fj] &= ~Visit;
                }
                // rows above yStart were not visited in this plane (run-length rows) or were handled above
                for (int y = y0, fk = fi0; y < yStart; y++, fk += stride) flags[fk] &= ~Visit;
            }
        }
        _mq = mq;
    }
}
