namespace ReportGen.Imaging.JpegLs;

/// <summary>
/// One JPEG-LS scan: context modelling, regular and run mode (T.87 Annex A). Each component line is held with one
/// sample of border on either side, as the standard's edge rules need: Ra of the first sample is the sample above,
/// Rc of the first sample is the first sample two lines up, Rd of the last sample is the sample above.
/// </summary>
internal sealed class JpegLsScan
{
    private static readonly int[] J = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    private readonly JpegLsBitReader _reader;
    private readonly int _width, _height, _restartInterval;
    private readonly int _near, _maxVal, _range, _qbpp, _limit, _reset, _step;
    private readonly sbyte[] _quant; // gradient → -4..4, indexed by gradient + _quantOffset
    private readonly int _quantOffset;

    // Regular contexts (365) and the two run-interruption contexts (index 0: RItype 0, 1: RItype 1).
    private readonly int[] _a = new int[365], _b = new int[365], _c = new int[365], _n = new int[365];
    private readonly int[] _ra = new int[2], _rn = new int[2], _rnn = new int[2];
    private int _runIndex;

    public JpegLsScan(byte[] data, int start, JpegLsParameters p, int width, int height, int restartInterval)
    {
        _reader = new JpegLsBitReader(data, start);
        _width = width;
        _height = height;
        _restartInterval = restartInterval;
        _near = p.Near;
        _maxVal = p.MaxVal;
        _reset = p.Reset;
        _step = 2 * _near + 1;
        _range = (_maxVal + 2 * _near) / _step + 1;
        _qbpp = CeilLog2(_range);
        int bpp = Math.Max(2, CeilLog2(_maxVal + 1));
        _limit = 2 * (bpp + Math.Max(8, bpp));
        _quantOffset = _maxVal;
        _quant = new sbyte[2 * _maxVal + 1];
        FillQuantizer(_quant, _quantOffset, p.T1, p.T2, p.T3, _near);
        ResetContexts();
    }

    public int EndPosition => _reader.Position;

    private static int CeilLog2(int v)
    {
        int k = 0;
        while ((1 << k) < v) k++;
        return k;
    }

    /// <summary>
    /// The gradient quantiser of T.87 A.3.3 as a table over −MAXVAL..MAXVAL, filled band by band:
    /// ≤ −T3 → −4, ≤ −T2 → −3, ≤ −T1 → −2, &lt; −NEAR → −1, ≤ NEAR → 0, &lt; T1 → 1, &lt; T2 → 2, &lt; T3 → 3, else 4.
    /// </summary>
    private static void FillQuantizer(sbyte[] q, int offset, int t1, int t2, int t3, int near)
    {
        // Band upper bounds (inclusive) for values -4..3; 4 takes the rest.
        int[] upper = [-t3, -t2, -t1, -near - 1, near, t1 - 1, t2 - 1, t3 - 1];
        int from = 0;
        for (int v = 0; v < upper.Length && from < q.Length; v++)
        {
            int to = Math.Clamp(upper[v] + offset + 1, from, q.Length);
            q.AsSpan(from, to - from).Fill((sbyte)(v - 4));
            from = to;
        }
        q.AsSpan(from).Fill(4);
    }

    private void ResetContexts()
    {
        int aInit = Math.Max(2, (_range + 32) / 64);
        Array.Fill(_a, aInit);
        Array.Fill(_n, 1);
        Array.Clear(_b);
        Array.Clear(_c);
        Array.Fill(_ra, aInit);
        Array.Fill(_rn, 1);
        Array.Clear(_rnn);
        _runIndex = 0;
    }

    private void CheckRestart(int line)
    {
        if (_restartInterval > 0 && line > 0 && line % _restartInterval == 0)
        {
            _reader.Restart();
            ResetContexts();
        }
    }

    /// <summary>Interleave none (one component) or line: each line of each component in turn, contexts shared.</summary>
    public void DecodeLines(int[] output, int[] comps, int componentCount)
    {
        int w = _width, stride = w + 2;
        int ns = comps.Length;
        // Two lines per component, swapped each line; index 0 and w+1 are the borders.
        var lines = new int[ns * 2][];
        for (int i = 0; i < lines.Length; i++) lines[i] = new int[stride];
        var runIndex = new int[ns];
        for (int y = 0; y < _height; y++)
        {
            CheckRestart(y);
            if (_restartInterval > 0 && y > 0 && y % _restartInterval == 0) Array.Clear(runIndex);
            for (int i = 0; i < ns; i++)
            {
                var prev = lines[2 * i + (y & 1)];
                var cur = lines[2 * i + 1 - (y & 1)];
                prev[w + 1] = prev[w];
                cur[0] = prev[1];
                _runIndex = runIndex[i];
                DecodeLine(cur, prev);
                runIndex[i] = _runIndex;
                int c = comps[i];
                int o = y * w * componentCount + c;
                for (int x = 0; x < w; x++, o += componentCount) output[o] = cur[x + 1];
            }
        }
    }

    private void DecodeLine(int[] cur, int[] prev)
    {
        int w = _width;
        var quant = _quant;
        int qo = _quantOffset;
        for (int x = 1; x <= w;)
        {
            int ra = cur[x - 1], rb = prev[x], rc = prev[x - 1], rd = prev[x + 1];
            int qs = (quant[rd - rb + qo] * 9 + quant[rb - rc + qo]) * 9 + quant[rc - ra + qo];
            if (qs != 0)
            {
                cur[x] = DecodeRegular(qs, Predict(ra, rb, rc));
                x++;
            }
            else
            {
                x += DecodeRun(cur, prev, x, w);
            }
        }
    }

    /// <summary>Median edge detector (T.87 A.4.1).</summary>
    private static int Predict(int ra, int rb, int rc)
    {
        int max = ra > rb ? ra : rb, min = ra > rb ? rb : ra;
        return rc >= max ? min : rc <= min ? max : ra + rb - rc;
    }

    private int DecodeRegular(int qs, int px)
    {
        int sign = qs >> 31; // -1 or 0
        int q = (qs ^ sign) - sign;
        int a = _a[q], n = _n[q];
        int k = 0;
        while ((n << k) < a)
            if (++k > 24) throw Fail.Corrupt("JPEG-LS context statistics out of range");
        px += (_c[q] ^ sign) - sign;
        px = px < 0 ? 0 : px > _maxVal ? _maxVal : px;
        int mapped = DecodeValue(k, _limit);
        int err = (mapped >> 1) ^ -(mapped & 1); // unmap: even → m/2, odd → −(m+1)/2
        if (k == 0 && _near == 0 && 2 * _b[q] + n - 1 < 0) err = ~err;
        Update(q, err);
        err = (err ^ sign) - sign;
        return Reconstruct(px, err);
    }

    private void Update(int q, int err)
    {
        int a = _a[q] + Math.Abs(err), b = _b[q] + err * _step, n = _n[q];
        if (n == _reset)
        {
            a >>= 1;
            b >>= 1;
            n >>= 1;
        }
        n++;
        _a[q] = a;
        _n[q] = n;
        if (b + n <= 0)
        {
            b += n;
            if (b <= -n) b = -n + 1;
            if (_c[q] > -128) _c[q]--;
        }
        else if (b > 0)
        {
            b -= n;
            if (b > 0) b = 0;
            if (_c[q] < 127) _c[q]++;
        }
        _b[q] = b;
    }

    /// <summary>Px + err·(2·NEAR+1), brought back into range modulo the quantised RANGE (T.87 A.4.5, A.8).</summary>
    private int Reconstruct(int px, int err)
    {
        int v = px + err * _step;
        if (v < -_near) v += _range * _step;
        else if (v > _maxVal + _near) v -= _range * _step;
        return v < 0 ? 0 : v > _maxVal ? _maxVal : v;
    }

    /// <summary>A limited-length Golomb code (T.87 A.5.3): unary high part, k low bits, or the escape of qbpp bits.</summary>
    private int DecodeValue(int k, int limit)
    {
        int high = _reader.ReadZeros(limit - _qbpp - 1);
        if (high == limit - _qbpp - 1) return _reader.GetBits(_qbpp) + 1;
        if (k == 0) return high;
        if (k > 24) throw Fail.Corrupt("JPEG-LS Golomb parameter out of range");
        return (high << k) + _reader.GetBits(k);
    }

    /// <summary>
    /// Run mode from column <paramref name="x"/> (1-based in the bordered line): run length, then the interruption
    /// sample. Returns how many samples it decoded.
    /// </summary>
    private int DecodeRun(int[] cur, int[] prev, int x, int w)
    {
        int ra = cur[x - 1];
        int left = w - x + 1, count = RunLength(left);
        cur.AsSpan(x, count).Fill(ra);
        if (count == left) return count;
        int end = x + count, rb = prev[end];
        int v;
        if (Math.Abs(ra - rb) <= _near)
        {
            v = Reconstruct(ra, DecodeInterruption(1));
        }
        else
        {
            int err = DecodeInterruption(0);
            v = Reconstruct(rb, rb > ra ? err : -err);
        }
        cur[end] = v;
        if (_runIndex > 0) _runIndex--;
        return count + 1;
    }

    /// <summary>The run length (T.87 A.7.1.2): 1 bits of growing block sizes, then J[RUNindex] bits of remainder.</summary>
    private int RunLength(int left)
    {
        int count = 0;
        while ((_reader.GetBit() != 0))
        {
            int block = Math.Min(1 << J[_runIndex], left - count);
            count += block;
            if (block == 1 << J[_runIndex] && _runIndex < 31) _runIndex++;
            if (count == left) return count;
        }
        count += _reader.GetBits(J[_runIndex]);
        if (count > left) throw Fail.Corrupt("JPEG-LS run longer than the line");
        return count;
    }

    /// <summary>The error of a run-interruption sample (T.87 A.7.2), context <paramref name="riType"/>.</summary>
    private int DecodeInterruption(int riType)
    {
        int a = _ra[riType], n = _rn[riType];
        int temp = a + (n >> 1) * riType, k = 0;
        while ((n << k) < temp)
            if (++k > 24) throw Fail.Corrupt("JPEG-LS run context statistics out of range");
        int em = DecodeValue(k, _limit - J[_runIndex] - 1);
        int t = em + riType;
        int map = t & 1, abs = (t + map) >> 1;
        int err = (k != 0 || 2 * _rnn[riType] >= n) == (map != 0) ? -abs : abs;
        if (err < 0) _rnn[riType]++;
        _ra[riType] = a + ((em + 1 - riType) >> 1);
        if (n == _reset)
        {
            _ra[riType] >>= 1;
            _rn[riType] = n >>= 1;
            _rnn[riType] >>= 1;
        }
        _rn[riType] = n + 1;
        return err;
    }

    /// <summary>Interleave sample: three components per pixel; run mode only when all three gradients are flat.</summary>
    public void DecodeSampleInterleaved(int[] output, int[] comps, int componentCount)
    {
        int w = _width, stride = (w + 2) * 3;
        var lineA = new int[stride];
        var lineB = new int[stride];
        var quant = _quant;
        int qo = _quantOffset;
        Span<int> qs = stackalloc int[3];
        for (int y = 0; y < _height; y++)
        {
            CheckRestart(y);
            var prev = (y & 1) == 0 ? lineA : lineB;
            var cur = (y & 1) == 0 ? lineB : lineA;
            for (int i = 0; i < 3; i++)
            {
                prev[(w + 1) * 3 + i] = prev[w * 3 + i];
                cur[i] = prev[3 + i];
            }
            for (int x = 1; x <= w;)
            {
                bool flat = true;
                for (int i = 0; i < 3; i++)
                {
                    int o = x * 3 + i;
                    int ra = cur[o - 3], rb = prev[o], rc = prev[o - 3], rd = prev[o + 3];
                    qs[i] = (quant[rd - rb + qo] * 9 + quant[rb - rc + qo]) * 9 + quant[rc - ra + qo];
                    flat &= qs[i] == 0;
                }
                if (!flat)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        int o = x * 3 + i;
                        cur[o] = DecodeRegular(qs[i], Predict(cur[o - 3], prev[o], prev[o - 3]));
                    }
                    x++;
                    continue;
                }
                int left = w - x + 1, count = RunLength(left);
                for (int j = 0; j < count; j++)
                for (int i = 0; i < 3; i++)
                    cur[(x + j) * 3 + i] = cur[(x - 1) * 3 + i];
                x += count;
                if (count == left) continue;
                // Interruption: every component from context 0, predicted by the sample above.
                for (int i = 0; i < 3; i++)
                {
                    int ra = cur[(x - 1) * 3 + i], rb = prev[x * 3 + i];
                    int err = DecodeInterruption(0);
                    cur[x * 3 + i] = Reconstruct(rb, rb >= ra ? err : -err);
                }
                if (_runIndex > 0) _runIndex--;
                x++;
            }
            for (int x = 0; x < w; x++)
            for (int i = 0; i < 3; i++)
                output[(y * w + x) * componentCount + comps[i]] = cur[(x + 1) * 3 + i];
        }
    }
}
