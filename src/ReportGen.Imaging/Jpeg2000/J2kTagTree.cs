namespace ReportGen.Imaging.Jpeg2000;

/// <summary>
/// A tag tree (T.800 B.10.2) over a grid of code-blocks: each node keeps the lower bound learned so far and, once
/// known, its value; decoding a leaf against a threshold reads bits from the root down.
/// </summary>
internal sealed class J2kTagTree
{
    private const int Unknown = int.MaxValue;
    private readonly int[] _value, _low, _parent;

    public J2kTagTree(int width, int height)
    {
        // Level sizes from the leaves up; nodes are numbered leaves first, root last.
        var sizes = new List<(int W, int H)>();
        int w = width, h = height, total = 0;
        while (true)
        {
            sizes.Add((w, h));
            total += w * h;
            if (w <= 1 && h <= 1) break;
            w = (w + 1) >> 1;
            h = (h + 1) >> 1;
        }
        _value = new int[total];
        _low = new int[total];
        _parent = new int[total];
        Array.Fill(_value, Unknown);
        int offset = 0;
        for (int level = 0; level < sizes.Count; level++)
        {
            var (lw, lh) = sizes[level];
            int next = offset + lw * lh;
            for (int y = 0; y < lh; y++)
                for (int x = 0; x < lw; x++)
                    _parent[offset + y * lw + x] = level + 1 < sizes.Count ? next + (y >> 1) * sizes[level + 1].W + (x >> 1) : -1;
            offset = next;
        }
    }

    /// <summary>Reads bits until leaf's value is known to be ≥ threshold or found; true when value &lt; threshold.</summary>
    public bool Decode(ref J2kBitReader bits, int leaf, int threshold)
    {
        Span<int> path = stackalloc int[32];
        int depth = 0;
        for (int n = leaf; n >= 0; n = _parent[n]) path[depth++] = n;
        int low = 0;
        for (int i = depth - 1; i >= 0; i--)
        {
            int n = path[i];
            if (low > _low[n]) _low[n] = low;
            else low = _low[n];
            while (low < threshold && low < _value[n])
            {
                if (bits.ReadBit() != 0) _value[n] = low;
                else low++;
            }
            _low[n] = low;
        }
        return _value[leaf] < threshold;
    }

    /// <summary>The leaf's value, read in full (used for the number of missing bit-planes); capped to stop a corrupt run.</summary>
    public int DecodeValue(ref J2kBitReader bits, int leaf, int cap)
    {
        int t = 1;
        while (!Decode(ref bits, leaf, t))
        {
            if (++t > cap) throw Fail.Corrupt("JPEG 2000 tag tree value out of range");
        }
        return t - 1;
    }
}

/// <summary>Packet-header bit reader (T.800 B.10.1): MSB first, a 0xFF byte is followed by 7 bits only; 0s past the end.</summary>
internal struct J2kBitReader
{
    private readonly byte[] _data;
    private readonly int _end;
    private int _pos;
    private int _buf, _ct;

    public J2kBitReader(byte[] data, int start, int end)
    {
        _data = data;
        _pos = start;
        _end = end;
    }

    public readonly int Position => _pos;
    public readonly bool AtEnd => _pos >= _end;

    private void ByteIn()
    {
        _buf = (_buf << 8) & 0xFFFF;
        _ct = _buf == 0xFF00 ? 7 : 8;
        if (_pos < _end) _buf |= _data[_pos++];
    }

    public int ReadBit()
    {
        if (_ct == 0) ByteIn();
        _ct--;
        return (_buf >> _ct) & 1;
    }

    public int ReadBits(int n)
    {
        int v = 0;
        for (int i = 0; i < n; i++) v = (v << 1) | ReadBit();
        return v;
    }

    /// <summary>Ends the header on a byte boundary, skipping the stuffed byte after a final 0xFF.</summary>
    public void Align()
    {
        if ((_buf & 0xFF) == 0xFF) ByteIn();
        _ct = 0;
    }

    /// <summary>After <see cref="Align"/>: skips the two-byte marker FF <paramref name="second"/> if it comes next.</summary>
    public void SkipMarker(byte second)
    {
        if (_pos + 1 < _end && _data[_pos] == 0xFF && _data[_pos + 1] == second) Seek(_pos + 2);
    }

    /// <summary>Moves to <paramref name="pos"/> (after a packet body, when headers and bodies share the stream).</summary>
    public void Seek(int pos)
    {
        _pos = pos;
        _buf = 0;
        _ct = 0;
    }
}
