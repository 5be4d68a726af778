using System.Runtime.CompilerServices;

namespace ReportGen.Imaging.Jpeg2000;

/// <summary>
/// The MQ arithmetic decoder (T.800 Annex C) over one codeword segment, plus the raw (bypass) bit reader used by
/// selective arithmetic-coding bypass. Past the segment's end it reads 0xFF bytes, as the standard's decoder does.
/// </summary>
internal struct J2kMqDecoder
{
    // Probability states: Qe, next state on MPS, next on LPS, and whether an LPS flips the MPS (T.800 Table C.2).
    private static readonly ushort[] Qe =
    [
        0x5601, 0x3401, 0x1801, 0x0AC1, 0x0521, 0x0221, 0x5601, 0x5401, 0x4801, 0x3801, 0x3001, 0x2401, 0x1C01, 0x1601,
        0x5601, 0x5401, 0x5101, 0x4801, 0x3801, 0x3401, 0x3001, 0x2801, 0x2401, 0x2201, 0x1C01, 0x1801, 0x1601, 0x1401,
        0x1201, 0x1101, 0x0AC1, 0x09C1, 0x08A1, 0x0521, 0x0441, 0x02A1, 0x0221, 0x0141, 0x0111, 0x0085, 0x0049, 0x0025,
        0x0015, 0x0009, 0x0005, 0x0001, 0x5601,
    ];
    private static readonly byte[] Nmps =
    [
        1, 2, 3, 4, 5, 38, 7, 8, 9, 10, 11, 12, 13, 29, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
        32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 45, 46,
    ];
    private static readonly byte[] Nlps =
    [
        1, 6, 9, 12, 29, 33, 6, 14, 14, 14, 17, 18, 20, 21, 14, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 23, 24, 25, 26, 27,
        28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 46,
    ];
    private static readonly byte[] Switch = [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>Context state s = 2·index + MPS; these give Qe and the next state after an MPS or an LPS.</summary>
    internal static readonly uint[] StateQe = new uint[94];
    internal static readonly byte[] NextMps = new byte[94], NextLps = new byte[94];

    static J2kMqDecoder()
    {
        for (int i = 0; i < 47; i++)
            for (int mps = 0; mps < 2; mps++)
            {
                int s = 2 * i + mps;
                StateQe[s] = Qe[i];
                NextMps[s] = (byte)(2 * Nmps[i] + mps);
                NextLps[s] = (byte)(2 * Nlps[i] + (Switch[i] == 1 ? 1 - mps : mps));
            }
    }

    private byte[] _buf;
    private int _pos, _end;
    private uint _a, _c;
    private int _ct;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly uint ByteAt(int p) => p < _end ? _buf[p] : 0xFFu;

    /// <summary>INITDEC on bytes [start, start + length) of buf.</summary>
    public void Init(byte[] buf, int start, int length)
    {
        _buf = buf;
        _pos = start;
        _end = start + length;
        _c = ByteAt(_pos) << 16;
        ByteIn();
        _c <<= 7;
        _ct -= 7;
        _a = 0x8000;
    }

    /// <summary>Starts raw (bypass) reading of bytes [start, start + length).</summary>
    public void InitRaw(byte[] buf, int start, int length)
    {
        _buf = buf;
        _pos = start;
        _end = start + length;
        _c = 0;
        _ct = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ByteIn()
    {
        if (ByteAt(_pos) == 0xFF)
        {
            uint next = ByteAt(_pos + 1);
            if (next > 0x8F)
            {
                _c += 0xFF00;
                _ct = 8;
            }
            else
            {
                _pos++;
                _c += next << 9;
                _ct = 7;
            }
        }
        else
        {
            _pos++;
            _c += ByteAt(_pos) << 8;
            _ct = 8;
        }
    }

    /// <summary>Decodes one binary decision in context <paramref name="cx"/> of <paramref name="states"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Decode(byte[] states, int cx)
    {
        int s = states[cx];
        uint qe = StateQe[s];
        _a -= qe;
        int d;
        if ((_c >> 16) < qe)
        {
            // LPS interval (at the bottom), with conditional exchange
            if (_a < qe)
            {
                d = s & 1;
                states[cx] = NextMps[s];
            }
            else
            {
                d = 1 - (s & 1);
                states[cx] = NextLps[s];
            }
            _a = qe;
        }
        else
        {
            _c -= qe << 16;
            if ((_a & 0x8000) != 0) return s & 1;
            // MPS path needing renormalisation, with conditional exchange
            if (_a < qe)
            {
                d = 1 - (s & 1);
                states[cx] = NextLps[s];
            }
            else
            {
                d = s & 1;
                states[cx] = NextMps[s];
            }
        }
        do
        {
            if (_ct == 0) ByteIn();
            _a <<= 1;
            _c <<= 1;
            _ct--;
        } while ((_a & 0x8000) == 0);
        return d;
    }

    /// <summary>One raw bit (bypass mode): MSB first, a stuffed bit after each 0xFF, 1s past the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int RawBit()
    {
        if (_ct == 0)
        {
            if (_c == 0xFF)
            {
                uint next = ByteAt(_pos);
                if (next > 0x8F)
                {
                    _c = 0xFF;
                    _ct = 8;
                }
                else
                {
                    _c = next;
                    _pos++;
                    _ct = 7;
                }
            }
            else
            {
                _c = ByteAt(_pos);
                _pos++;
                _ct = 8;
            }
        }
        _ct--;
        return (int)((_c >> _ct) & 1);
    }
}
