namespace ReportGen.Imaging.Jpeg;

/// <summary>
/// Entropy-coded segment reader: removes 0xFF00 stuffing, stops at markers (feeding zero bits past them,
/// as libjpeg does) and reports running off the end of the data as truncation.
/// </summary>
internal sealed class JpegBitReader(byte[] data, int start, int end) : MsbBitReader
{
    private readonly byte[] _data = data;
    private readonly int _end = end;
    private int _zeroBytesFed;

    public int Position { get; private set; } = start;

    /// <summary>True once a marker (other than stuffing) stopped the reader.</summary>
    public bool HitMarker { get; private set; }

    protected override void Fill()
    {
        while (Bits <= 56)
        {
            int b;
            if (HitMarker)
            {
                b = 0;
                if (++_zeroBytesFed > 4096) throw Fail.Corrupt("JPEG entropy-coded data runs far past a marker");
            }
            else if (Position >= _end)
            {
                throw Fail.Truncated("JPEG entropy-coded data ends before the scan is complete");
            }
            else
            {
                b = _data[Position];
                if (b == 0xFF)
                {
                    int next = Position + 1 < _end ? _data[Position + 1] : -1;
                    if (next == 0x00)
                    {
                        Position += 2;
                    }
                    else if (next == -1)
                    {
                        throw Fail.Truncated("JPEG entropy-coded data ends inside a marker");
                    }
                    else
                    {
                        HitMarker = true;
                        b = 0;
                    }
                }
                else
                {
                    Position++;
                }
            }
            Buffer |= (ulong)(uint)b << (56 - Bits);
            Bits += 8;
        }
    }

    /// <summary>RECEIVE and EXTEND from the standard: n bits as a signed magnitude-category value.</summary>
    public int ReceiveExtend(int n)
    {
        if (n == 0) return 0;
        if (n > 16) throw Fail.Corrupt("JPEG coefficient magnitude category above 16");
        int v = GetBits(n);
        return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
    }

    public int Decode(JpegHuffmanTable t)
    {
        if (Bits < 16) Fill();
        int peek = (int)(Buffer >> (64 - JpegHuffmanTable.FastBits));
        int f = t.Fast[peek];
        if (f != 0)
        {
            int len = f >> 8;
            Skip(len);
            return f & 0xFF;
        }
        int code16 = (int)(Buffer >> 48);
        for (int len = JpegHuffmanTable.FastBits + 1; len <= 16; len++)
        {
            int code = code16 >> (16 - len);
            if (code <= t.MaxCode[len])
            {
                Skip(len);
                int idx = code + t.ValOffset[len];
                if ((uint)idx >= (uint)t.Symbols.Length) throw Fail.Corrupt("JPEG Huffman code outside its table");
                return t.Symbols[idx];
            }
        }
        throw Fail.Corrupt("JPEG invalid Huffman code");
    }

    /// <summary>
    /// One lossless-JPEG difference (T.81 H.1.2.2): a Huffman-coded magnitude category 0–16, then that many bits;
    /// category 16 means +32768 with no extra bits.
    /// </summary>
    public int DecodeDifference(JpegHuffmanTable t) => DecodeDifference(t, t.DifferenceLookup);

    private int DecodeDifference(JpegHuffmanTable t, int[] lookup)
    {
        if (Bits < 32) Fill();
        int e = lookup[(int)(Buffer >> (64 - JpegHuffmanTable.DifferenceBits))];
        if (e != 0)
        {
            int used = e & 0xFF;
            Skip(used);
            return e >> 8;
        }
        int s = Decode(t);
        if (s == 0) return 0;
        if (s >= 16)
        {
            if (s > 16) throw Fail.Corrupt("lossless JPEG difference category above 16");
            return 32768;
        }
        if (Bits < s) Fill();
        int v = (int)(Buffer >> (64 - s));
        Skip(s);
        return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
    }

    /// <summary>A row of differences from one table (single-component scans: the hot loop of lossless JPEG).</summary>
    public void DecodeDifferences(JpegHuffmanTable t, Span<int> row)
    {
        var lookup = t.DifferenceLookup;
        for (int i = 0; i < row.Length; i++) row[i] = DecodeDifference(t, lookup);
    }

    /// <summary>Drops buffered bits and moves to the next marker (used at restart intervals and scan ends).</summary>
    public void Reset()
    {
        Buffer = 0;
        Bits = 0;
        HitMarker = false;
        _zeroBytesFed = 0;
    }
}
