using System.Numerics;

namespace ReportGen.Imaging.JpegLs;

/// <summary>
/// JPEG-LS entropy-coded data (T.87 A.1): a byte after 0xFF carries only 7 data bits (its top bit is a stuffed 0),
/// and 0xFF followed by a byte with the top bit set is a marker, which ends the data. Past a marker the reader feeds
/// zero bits for a bounded while (a damaged stream then fails as corrupt rather than running on).
/// </summary>
internal sealed class JpegLsBitReader(byte[] data, int start)
{
    private ulong _buffer; // left-aligned
    private int _bits;
    private bool _afterFF, _atMarker;
    private int _zeroBytesFed;

    /// <summary>The next unread byte (at the end of a scan: the marker that ended it).</summary>
    public int Position { get; private set; } = start;

    private void Fill()
    {
        while (_bits <= 56)
        {
            if (_atMarker || Position >= data.Length)
            {
                if (!_atMarker && Position >= data.Length && ++_zeroBytesFed > 64)
                    throw Fail.Truncated("JPEG-LS entropy-coded data ends before the scan is complete");
                if (_atMarker && ++_zeroBytesFed > 4096) throw Fail.Corrupt("JPEG-LS entropy-coded data runs far past a marker");
                _bits += 8; // zeros
                continue;
            }
            int b = data[Position];
            if (_afterFF)
            {
                if (b >= 0x80) { _atMarker = true; Position--; continue; } // the 0xFF belongs to the marker
                _buffer |= (ulong)b << (57 - _bits);
                _bits += 7;
            }
            else
            {
                _buffer |= (ulong)b << (56 - _bits);
                _bits += 8;
            }
            _afterFF = b == 0xFF;
            Position++;
        }
    }

    public int ReadBits(int n)
    {
        if (n == 0) return 0;
        if (_bits < n) Fill();
        int v = (int)(_buffer >> (64 - n));
        _buffer <<= n;
        _bits -= n;
        return v;
    }

    public bool ReadBit() => ReadBits(1) != 0;

    /// <summary>The number of 0 bits before the next 1 bit (which is consumed); more than <paramref name="max"/> is corrupt.</summary>
    public int ReadZeros(int max)
    {
        int count = 0;
        while (true)
        {
            if (_bits < 32) Fill();
            int lz = BitOperations.LeadingZeroCount(_buffer);
            if (lz < _bits)
            {
                count += lz;
                if (count > max) throw Fail.Corrupt("JPEG-LS Golomb code longer than LIMIT");
                _buffer <<= lz + 1;
                _bits -= lz + 1;
                return count;
            }
            count += _bits;
            _buffer = 0;
            _bits = 0;
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
        _buffer = 0;
        _bits = 0;
        _afterFF = false;
        _atMarker = false;
        _zeroBytesFed = 0;
    }
}
