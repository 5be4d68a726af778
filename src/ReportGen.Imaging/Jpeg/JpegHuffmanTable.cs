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

    public JpegHuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> symbols)
    {
        Symbols = symbols.ToArray();
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
}
