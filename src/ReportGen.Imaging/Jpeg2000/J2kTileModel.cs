namespace ReportGen.Imaging.Jpeg2000;

/// <summary>A code-block: its rectangle in subband coordinates and what the packets have delivered for it so far.</summary>
internal sealed class J2kCodeBlock(int x0, int y0, int x1, int y1)
{
    public readonly int X0 = x0, Y0 = y0, X1 = x1, Y1 = y1;
    public bool Included;
    public int ZeroBitPlanes;
    public int LBlock = 3;
    public int TotalPasses;
    /// <summary>Codeword segments: bytes and passes each; a segment may be filled over several layers.</summary>
    public List<(int Length, int Passes, int MaxPasses)>? Segments;
    /// <summary>Where the bytes lie in the tile's data, in order (segments are contiguous in their concatenation).</summary>
    public List<(int Offset, int Length)>? Chunks;
    public int DataLength;
}

/// <summary>One subband's share of a precinct: the code-blocks it covers and their two tag trees.</summary>
internal sealed class J2kPrecinctBand(int blocksWide, int blocksHigh, J2kCodeBlock[] blocks)
{
    public readonly int BlocksWide = blocksWide, BlocksHigh = blocksHigh;
    public readonly J2kCodeBlock[] Blocks = blocks;
    public readonly J2kTagTree Inclusion = new(Math.Max(blocksWide, 1), Math.Max(blocksHigh, 1));
    public readonly J2kTagTree ZeroPlanes = new(Math.Max(blocksWide, 1), Math.Max(blocksHigh, 1));
}

/// <summary>A subband: orientation (0 LL, 1 HL, 2 LH, 3 HH), rectangle, bit-plane count and step.</summary>
internal sealed class J2kBand
{
    public int Orient, X0, Y0, X1, Y1;
    /// <summary>M_b = guard bits + exponent − 1: the most bit-planes a code-block of this band can have.</summary>
    public int MaxBitPlanes;
    /// <summary>Where the band's (0,0) sits in the tile-component buffer (LL top-left, HL right, LH below, HH diagonal).</summary>
    public int OffsetX, OffsetY;
    public float Step;
}

/// <summary>A resolution level of a tile-component with its subbands and precinct grid.</summary>
internal sealed class J2kResolution
{
    public int X0, Y0, X1, Y1;
    public int PrecinctWidthExp, PrecinctHeightExp, PrecinctsWide, PrecinctsHigh;
    public J2kBand[] Bands = [];
    /// <summary>[precinct][band]; built lazily when a packet of the precinct is read (most precincts of a large image share this cost).</summary>
    public J2kPrecinctBand[]?[] Precincts = [];
    public int Width => X1 - X0;
    public int Height => Y1 - Y0;
}

/// <summary>One component of one tile: coding parameters, resolutions and, after tier-1, its coefficients.</summary>
internal sealed class J2kTileComponent
{
    public int X0, Y0, X1, Y1;
    public required J2kCodingStyle Style;
    public required J2kQuantization Quant;
    public int RoiShift;
    public J2kResolution[] Resolutions = [];
    public int Width => X1 - X0;
    public int Height => Y1 - Y0;
    /// <summary>Reversible path: integer coefficients, then samples.</summary>
    public int[]? Ints;
    /// <summary>Irreversible path: float coefficients, then samples.</summary>
    public float[]? Floats;
}
