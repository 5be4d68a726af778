namespace ReportGen.Imaging.Jpeg;

/// <summary>A canonical Huffman table (DHT) with a 9-bit fast lookup and the JPEG maxcode fallback.</summary>
internal sealed class JpegHuffmanTable
{
    public const int FastBits = 9;

    /// <summary>(code length &lt;&lt; 8) | symbol for each 9-bit prefix, 0 when the code is longer.</summary>
    public readonly ushort[] Fast = new ushort[1 << FastBits];
    public readonly int[] MaxCode = new int[18];
    public readonly int[] ValOffset = new int[17];
    public readonly byte[] Symbols;

    /// <summary>Bits looked at once by <see cref="DifferenceLookup"/>.</summary>
    public const int DifferenceBits = 12;

    private readonly byte[] _counts;
    private int[]? _differences;

    public JpegHuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> symbols)
    {
        Symbols = symbols.ToArray();
        _counts = counts.ToArray();
        int code = 0, k = 0;
        for (int len = 1; len <= 16; len++)
        {
            ValOffset[len] = k - code;
            int n = counts[len - 1];
            if (n > 0)
            {
                for (int i = 0; i < n; i++, k++, code++)
                {
                    if (len <= FastBits)
                    {
                        int shift = FastBits - len;
                        int first = code << shift;
                        if (first + (1 << shift) > Fast.Length) throw Fail.Corrupt("JPEG Huffman table over-subscribed");
                        for (int j = 0; j < 1 << shift; j++) Fast[first + j] = (ushort)((len << 8) | Symbols[k]);
                    }
                }
            }
            if (code > 1 << len) throw Fail.Corrupt("JPEG Huffman table over-subscribed");
            MaxCode[len] = n > 0 ? code - 1 : -1;
            // Codes of the next length continue from here, shifted left.
            code <<= 1;
        }
        MaxCode[17] = int.MaxValue;
    }

    /// <summary>
    /// Lossless JPEG's whole difference in one look-up, for a table used as a lossless DC table: for each
    /// 12-bit prefix holding a code of magnitude category s and its s extra bits, (difference &lt;&lt; 8) | bits used;
    /// 0 where the code and its extra bits are longer (the caller falls back to <see cref="JpegBitReader.Decode"/>).
    /// Built on first use.
    /// </summary>
    public int[] DifferenceLookup => _differences ??= BuildDifferences();

    private int[] BuildDifferences()
    {
        var t = new int[1 << DifferenceBits];
        int code = 0, k = 0;
        for (int len = 1; len <= 16; len++, code <<= 1)
        {
            for (int i = 0; i < _counts[len - 1]; i++, k++, code++)
            {
                int s = Symbols[k];
                if (len > DifferenceBits || s > 16) continue;
                int extra = s is 0 or 16 ? 0 : s;
                if (len + extra > DifferenceBits) continue;
                int free = DifferenceBits - len - extra;
                for (int v = 0; v < 1 << extra; v++)
                {
                    int diff = s == 0 ? 0 : s == 16 ? 32768 : v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
                    int first = ((code << extra) | v) << free;
                    t.AsSpan(first, 1 << free).Fill((diff << 8) | (len + extra));
                }
            }
        }
        return t;
    }
}
