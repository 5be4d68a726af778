using System.Numerics;

namespace ReportGen.Imaging.JpegLs;

/// <summary>
/// JPEG-LS entropy-coded data (T.87 A.1): a byte after 0xFF carries only 7 data bits (its top bit is a stuffed 0),
/// and 0xFF followed by a byte with the top bit set is a marker, which ends the data. Past a marker the reader feeds
/// zero bits for a bounded while (a damaged stream then fails as corrupt rather than running on).
/// </summary>
internal sealed class JpegLsBitReader(byte[] data, int start) : Jpeg.MsbBitReader
{
    private bool _afterFF, _atMarker;
    private int _zeroBytesFed;

    /// <summary>The next unread byte (at the end of a scan: the marker that ended it).</summary>
    public int Position { get; private set; } = start;

    protected override void Fill()
    {
        while (Bits <= 56)
        {
            if (_atMarker || Position >= data.Length)
            {
                if (!_atMarker && Position >= data.Length && ++_zeroBytesFed > 64)
                    throw Fail.Truncated("JPEG-LS entropy-coded data ends before the scan is complete");
                if (_atMarker && ++_zeroBytesFed > 4096) throw Fail.Corrupt("JPEG-LS entropy-coded data runs far past a marker");
                Bits += 8; // zeros
                continue;
            }
            int b = data[Position];
            if (_afterFF)
            {
                if (b >= 0x80) { _atMarker = true; Position--; continue; } // the 0xFF belongs to the marker
                Buffer |= (ulong)b << (57 - Bits);
                Bits += 7;
            }
            else
            {
                Buffer |= (ulong)b << (56 - Bits);
                Bits += 8;
            }
            _afterFF = b == 0xFF;
            Position++;
        }
    }

    /// <summary>The number of 0 bits before the next 1 bit (which is consumed); more than <paramref name="max"/> is corrupt.</summary>
    public int ReadZeros(int max)
    {
        int count = 0;
        while (true)
        {
            if (Bits < 32) Fill();
            int lz = BitOperations.LeadingZeroCount(Buffer);
            if (lz < Bits)
            {
                count += lz;
                if (count > max) throw Fail.Corrupt("JPEG-LS Golomb code longer than LIMIT");
                Skip(lz + 1);
                return count;
            }
            count += Bits;
            Buffer = 0;
            Bits = 0;
            if (count > max) throw Fail.Corrupt("JPEG-LS Golomb code longer than LIMIT");
        }
    }

    /// <summary>Skips past a restart marker (RSTm) at a byte boundary and starts afresh after it.</summary>
    public void Restart()
    {
        int p = Position;
        // The bits still buffered are the padding of the interval; find the marker.
        while (p + 1 < data.Length && !(data[p] == 0xFF && data[p + 1] >= 0xD0 && data[p + 1] <= 0xD7)) p++;
        if (p + 1 >= data.Length) throw Fail.Truncated("JPEG-LS ends before a restart marker");
        Position = p + 2;
        Buffer = 0;
        Bits = 0;
        _afterFF = false;
        _atMarker = false;
        _zeroBytesFed = 0;
    }
}
