namespace ReportGen.Imaging.Tests.Fixtures;

/// <summary>
/// A minimal lossless-JPEG (SOF3) encoder for tests: any predictor, point transform 0, restart intervals in whole
/// rows, 1 or 3 interleaved components, one Huffman table in which every magnitude category 0–16 has a 5-bit code.
/// No tool here writes lossless JPEG with restart markers, so this exercises the decoder's restart handling.
/// </summary>
internal static class LosslessJpegWriter
{
    public static byte[] Write(int width, int height, int components, int precision, int predictor, int restartRows, int[] samples)
    {
        var o = new List<byte> { 0xFF, 0xD8 };
        void Segment(byte marker, params byte[] body)
        {
            o.AddRange([0xFF, marker, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2)]);
            o.AddRange(body);
        }
        var counts = new byte[16];
        counts[4] = 17;
        Segment(0xC4, [0x00, .. counts, .. Enumerable.Range(0, 17).Select(i => (byte)i)]);
        var sof = new List<byte> { (byte)precision, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, (byte)components };
        for (int c = 0; c < components; c++) sof.AddRange([(byte)(c + 1), 0x11, 0]);
        Segment(0xC3, [.. sof]);
        int ri = restartRows * width;
        if (restartRows > 0) Segment(0xDD, (byte)(ri >> 8), (byte)ri);
        var sos = new List<byte> { (byte)components };
        for (int c = 0; c < components; c++) sos.AddRange([(byte)(c + 1), 0x00]);
        sos.AddRange([(byte)predictor, 0, 0]);
        Segment(0xDA, [.. sos]);

        ulong acc = 0;
        int nbits = 0, rst = 0;
        void Put(int value, int n)
        {
            acc = (acc << n) | (uint)(value & ((1 << n) - 1));
            nbits += n;
            while (nbits >= 8)
            {
                byte b = (byte)(acc >> (nbits - 8));
                o.Add(b);
                if (b == 0xFF) o.Add(0);
                nbits -= 8;
            }
        }
        int S(int x, int y, int c) => samples[(y * width + x) * components + c];
        int first = 0;
        for (int y = 0; y < height; y++)
        {
            if (restartRows > 0 && y > 0 && y % restartRows == 0)
            {
                if (nbits > 0) Put(0x7F, 8 - nbits); // pad with ones
                o.AddRange([0xFF, (byte)(0xD0 + rst++ % 8)]);
                first = y;
            }
            for (int x = 0; x < width; x++)
            for (int c = 0; c < components; c++)
            {
                int ra = x > 0 ? S(x - 1, y, c) : 0, rb = y > first ? S(x, y - 1, c) : 0, rc = x > 0 && y > first ? S(x - 1, y - 1, c) : 0;
                int px = y == first ? (x == 0 ? 1 << (precision - 1) : ra)
                    : x == 0 ? rb
                    : predictor switch
                    {
                        1 => ra, 2 => rb, 3 => rc, 4 => ra + rb - rc, 5 => ra + ((rb - rc) >> 1), 6 => rb + ((ra - rc) >> 1), _ => (ra + rb) >> 1,
                    };
                int d = (S(x, y, c) - px) & 0xFFFF;
                if (d > 32768) d -= 65536;
                int mag = Math.Abs(d), cat = mag == 0 ? 0 : 32 - int.LeadingZeroCount(mag);
                Put(cat, 5);
                if (cat is > 0 and < 16) Put(d > 0 ? d : d - 1, cat);
            }
        }
        if (nbits > 0) Put(0x7F, 8 - nbits);
        o.AddRange([0xFF, 0xD9]);
        return [.. o];
    }
}
