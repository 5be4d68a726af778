using System.Buffers.Binary;

namespace ReportGen.Imaging.Jpeg2000;

/// <summary>One component as SIZ declares it.</summary>
internal readonly record struct J2kComponent(int Precision, bool Signed, int Dx, int Dy);

/// <summary>COD/COC: how one component of a tile is transformed and entropy coded.</summary>
internal sealed record J2kCodingStyle(int Levels, int CbWidthExp, int CbHeightExp, int CbStyle, bool Reversible, byte[] PrecinctExps)
{
    public const int Bypass = 0x01, Reset = 0x02, TermAll = 0x04, VerticalCausal = 0x08, Predictable = 0x10, SegmentationSymbols = 0x20, HighThroughput = 0x40;

    /// <summary>log2 precinct width (low nibble) and height (high nibble) at a resolution; 15 = the default "no partition".</summary>
    public int PrecinctWidthExp(int r) => PrecinctExps[r] & 0xF;
    public int PrecinctHeightExp(int r) => PrecinctExps[r] >> 4;
}

/// <summary>QCD/QCC: guard bits and, per subband (LL first, then HL/LH/HH per level), exponent and mantissa.</summary>
internal sealed record J2kQuantization(int Style, int GuardBits, int[] Exponents, int[] Mantissas)
{
    public const int None = 0, ScalarDerived = 1, ScalarExpounded = 2;

    /// <summary>(exponent, mantissa) of band <paramref name="index"/> (0 = LL, 1 + 3(r-1) + orient-1), decomposition level <paramref name="level"/>.</summary>
    public (int Exponent, int Mantissa) Step(int index, int levels, int level)
    {
        if (Style == ScalarDerived) return (Exponents[0] - levels + level, Mantissas[0]);
        if (index >= Exponents.Length) throw Fail.Corrupt($"JPEG 2000 quantization lists {Exponents.Length} subbands, band {index} needs one");
        return (Exponents[index], Mantissas[index]);
    }
}

/// <summary>One POC entry: packets for layers &lt; LayerEnd, resolutions [ResStart, ResEnd), components [CompStart, CompEnd) in Order.</summary>
internal readonly record struct J2kProgression(int Order, int ResStart, int CompStart, int LayerEnd, int ResEnd, int CompEnd);

/// <summary>The coding parameters COD/COC/QCD/QCC/RGN/POC set, either for the main header or overriding it in a tile.</summary>
internal sealed class J2kParameters
{
    public int? Order, Layers, Mct;
    public bool Sop, Eph;
    public J2kCodingStyle? Cod;
    public J2kQuantization? Qcd;
    public J2kCodingStyle?[] Coc;
    public J2kQuantization?[] Qcc;
    public int[] RoiShift;
    public List<J2kProgression>? Poc;

    public J2kParameters(int components)
    {
        Coc = new J2kCodingStyle?[components];
        Qcc = new J2kQuantization?[components];
        RoiShift = new int[components];
    }
}

/// <summary>One tile's parts as found in the codestream: header parameters and the packet data.</summary>
internal sealed class J2kTilePart
{
    public required J2kParameters Parameters { get; init; }
    public List<(int Offset, int Length)> Data { get; } = [];
    /// <summary>Packet headers from PPT markers or the main header's PPM (null when headers sit in the packet data).</summary>
    public List<byte[]>? PackedHeaders { get; set; }
    public List<(int Index, byte[] Data)>? Ppt { get; set; }
}

/// <summary>
/// The parsed codestream (ITU-T T.800 Annex A): SIZ, main-header parameters and each tile's parts.
/// Markers we do not need (TLM, PLM, PLT, CRG, COM) are skipped; HTJ2K and Part 2 extensions are refused by name.
/// </summary>
internal sealed class J2kCodestream
{
    public const ushort Soc = 0xFF4F, Cap = 0xFF50, Siz = 0xFF51, Cod = 0xFF52, Coc = 0xFF53, Tlm = 0xFF55, Prf = 0xFF56, Plm = 0xFF57, Plt = 0xFF58,
        Cpf = 0xFF59, Qcd = 0xFF5C, Qcc = 0xFF5D, Rgn = 0xFF5E, Poc = 0xFF5F, Ppm = 0xFF60, Ppt = 0xFF61, Crg = 0xFF63, Com = 0xFF64,
        Sot = 0xFF90, Sod = 0xFF93, Eoc = 0xFFD9;

    public byte[] Data { get; }
    public int X0, Y0, X1, Y1, TileWidth, TileHeight, TileX0, TileY0, TilesX, TilesY;
    public J2kComponent[] Components { get; private set; } = [];
    public J2kParameters Main { get; private set; } = null!;
    public J2kTilePart?[] Tiles { get; private set; } = [];

    public int Width => X1 - X0;
    public int Height => Y1 - Y0;

    private J2kCodestream(byte[] data) => Data = data;

    /// <summary>Parses the headers and locates each tile's data; checks the image against <paramref name="options"/> before anything is allocated for it.</summary>
    public static J2kCodestream Parse(ReadOnlySpan<byte> codestream, ImageDecodeOptions options)
    {
        if (codestream.Length < 2 || BinaryPrimitives.ReadUInt16BigEndian(codestream) != Soc)
            throw new ImageDecodeException(ImageDecodeErrorCodes.BadMagic, "not a JPEG 2000 codestream (no SOC marker FF4F)");
        var cs = new J2kCodestream(codestream.ToArray());
        cs.ParseAll(options);
        return cs;
    }

    private int ComponentIndexSize => Components.Length < 257 ? 1 : 2;

    private void ParseAll(ImageDecodeOptions options)
    {
        var d = Data;
        int pos = ParseMainHeader(options, out var ppm);
        Tiles = new J2kTilePart?[TilesX * TilesY];
        var ppmHeaders = ppm is null ? null : SplitPpm(ppm);
        int tilePartCount = 0;
        // Tile-parts: SOT, its header markers, SOD, data up to Psot (or to EOC when Psot is 0).
        while (pos + 2 <= d.Length)
        {
            ushort marker = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(pos));
            if (marker == Eoc) break;
            if (marker != Sot)
            {
                // Some writers leave junk after the last tile; stop there as OpenJPEG does.
                break;
            }
            if (pos + 12 > d.Length) throw Fail.Truncated("JPEG 2000 SOT marker");
            int lsot = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(pos + 2));
            if (lsot != 10) throw Fail.Corrupt($"JPEG 2000 SOT length {lsot}");
            int tileIndex = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(pos + 4));
            long psot = BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(pos + 6));
            if (tileIndex >= Tiles.Length) throw Fail.Corrupt($"JPEG 2000 tile index {tileIndex} of {Tiles.Length} tiles");
            int start = pos;
            long end = psot == 0 ? d.Length : start + psot;
            if (psot != 0 && psot < 14) throw Fail.Corrupt($"JPEG 2000 tile-part length {psot}");
            if (end > d.Length)
            {
                end = d.Length; // a truncated last tile-part: decode what is there
                if (end - start < 14) throw Fail.Truncated("JPEG 2000 tile-part");
            }
            var tile = Tiles[tileIndex] ??= new J2kTilePart { Parameters = new J2kParameters(Components.Length) };
            pos += 12;
            while (true)
            {
                if (pos + 2 > end) throw Fail.Truncated("JPEG 2000 tile-part header");
                ushort m = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(pos));
                if (m == Sod) { pos += 2; break; }
                if (pos + 4 > end) throw Fail.Truncated("JPEG 2000 tile-part header");
                int len = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(pos + 2));
                if (len < 2 || pos + 2 + len > end) throw Fail.Corrupt($"JPEG 2000 tile-part marker {m:X4} length {len}");
                var seg = d.AsSpan(pos + 4, len - 2);
                switch (m)
                {
                    case Ppt:
                        if (seg.Length < 1) throw Fail.Corrupt("JPEG 2000 PPT marker is empty");
                        (tile.Ppt ??= []).Add((seg[0], seg[1..].ToArray()));
                        break;
                    case Plt or Com:
                        break;
                    case Cod or Coc or Qcd or Qcc or Rgn or Poc:
                        ParseParameter(m, seg, tile.Parameters, mainHeader: false);
                        break;
                    default:
                        if ((m >> 8) != 0xFF) throw Fail.Corrupt($"JPEG 2000 tile-part header: expected a marker, found {m:X4}");
                        break;
                }
                pos += 2 + len;
            }
            if (ppmHeaders is not null)
            {
                if (tilePartCount >= ppmHeaders.Count) throw Fail.Corrupt("JPEG 2000 PPM has fewer tile-parts than the codestream");
                (tile.PackedHeaders ??= []).Add(ppmHeaders[tilePartCount]);
            }
            tilePartCount++;
            tile.Data.Add((pos, (int)(end - pos)));
            pos = (int)end;
        }
        if (tilePartCount == 0) throw Fail.Truncated("JPEG 2000 codestream has no tile-parts");
    }

    /// <summary>
    /// Reads the main header (SOC up to the first SOT): SIZ first, then coding and quantisation defaults; PPM
    /// packed headers are collected into <paramref name="ppm"/>. Returns the offset of the first SOT.
    /// </summary>
    private int ParseMainHeader(ImageDecodeOptions options, out List<(int Index, byte[] Data)>? ppm)
    {
        var d = Data;
        int pos = 2;
        bool sawSiz = false;
        ppm = null;
        // Main header: every marker segment up to the first SOT.
        while (true)
        {
            if (pos + 4 > d.Length) throw Fail.Truncated("JPEG 2000 main header");
            ushort marker = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(pos));
            if (marker == Sot) break;
            if (marker == Eoc) throw Fail.Corrupt("JPEG 2000 codestream has no tiles");
            if ((marker >> 8) != 0xFF) throw Fail.Corrupt($"JPEG 2000 main header: expected a marker at byte {pos}, found {marker:X4}");
            int len = BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(pos + 2));
            if (len < 2) throw Fail.Corrupt($"JPEG 2000 marker {marker:X4} length {len}");
            if (pos + 2 + len > d.Length) throw Fail.Truncated($"JPEG 2000 marker {marker:X4}");
            var seg = d.AsSpan(pos + 4, len - 2);
            if (!sawSiz && marker != Siz) throw Fail.Corrupt("JPEG 2000: SIZ must follow SOC");
            switch (marker)
            {
                case Siz:
                    if (sawSiz) throw Fail.Corrupt("JPEG 2000: two SIZ markers");
                    ParseSiz(seg, options);
                    Main = new J2kParameters(Components.Length);
                    sawSiz = true;
                    break;
                case Cap:
                    RefuseCapabilities(seg);
                    break;
                case Ppm:
                    if (seg.Length < 1) throw Fail.Corrupt("JPEG 2000 PPM marker is empty");
                    (ppm ??= []).Add((seg[0], seg[1..].ToArray()));
                    break;
                case Tlm or Plm or Crg or Com or Prf or Cpf:
                    break;
                default:
                    ParseParameter(marker, seg, Main, mainHeader: true);
                    break;
            }
            pos += 2 + len;
        }
        if (Main.Cod is null) throw Fail.Corrupt("JPEG 2000 main header has no COD marker");
        if (Main.Qcd is null && Main.Qcc.Any(q => q is null)) throw Fail.Corrupt("JPEG 2000 main header has no QCD marker");

        return pos;
    }

    private static List<byte[]> SplitPpm(List<(int Index, byte[] Data)> ppm)
    {
        // Zppm orders the markers; their concatenation is a run of (Nppm, Ippm) pairs, one per tile-part.
        var all = ppm.OrderBy(p => p.Index).SelectMany(p => p.Data).ToArray();
        var result = new List<byte[]>();
        int i = 0;
        while (i + 4 <= all.Length)
        {
            long n = BinaryPrimitives.ReadUInt32BigEndian(all.AsSpan(i));
            i += 4;
            if (n > all.Length - i) throw Fail.Corrupt("JPEG 2000 PPM length runs past its markers");
            result.Add(all.AsSpan(i, (int)n).ToArray());
            i += (int)n;
        }
        return result;
    }

    private static void RefuseCapabilities(ReadOnlySpan<byte> seg)
    {
        if (seg.Length < 4) throw Fail.Corrupt("JPEG 2000 CAP marker is too short");
        uint pcap = BinaryPrimitives.ReadUInt32BigEndian(seg);
        // Bit 15 (counting the MSB as 1) is Part 15, HTJ2K; other bits are Part 2 extensions.
        if ((pcap & (1u << (32 - 15))) != 0)
            throw new ImageDecodeException(ImageDecodeErrorCodes.Unsupported,
                "unsupported: HTJ2K (High-Throughput JPEG 2000, ITU-T T.814 / Part 15) codestreams are not decoded, only JPEG 2000 Part 1");
        if (pcap != 0) throw Fail.Unsupported($"JPEG 2000 extended capabilities (CAP {pcap:X8}); only Part 1 codestreams are decoded");
    }

    private void ParseSiz(ReadOnlySpan<byte> s, ImageDecodeOptions options)
    {
        if (s.Length < 36) throw Fail.Corrupt("JPEG 2000 SIZ marker is too short");
        int rsiz = BinaryPrimitives.ReadUInt16BigEndian(s);
        long xsiz = BinaryPrimitives.ReadUInt32BigEndian(s[2..]), ysiz = BinaryPrimitives.ReadUInt32BigEndian(s[6..]);
        long xo = BinaryPrimitives.ReadUInt32BigEndian(s[10..]), yo = BinaryPrimitives.ReadUInt32BigEndian(s[14..]);
        long xt = BinaryPrimitives.ReadUInt32BigEndian(s[18..]), yt = BinaryPrimitives.ReadUInt32BigEndian(s[22..]);
        long xto = BinaryPrimitives.ReadUInt32BigEndian(s[26..]), yto = BinaryPrimitives.ReadUInt32BigEndian(s[30..]);
        int csiz = BinaryPrimitives.ReadUInt16BigEndian(s[34..]);
        if ((rsiz & 0x4000) != 0)
            throw new ImageDecodeException(ImageDecodeErrorCodes.Unsupported,
                "unsupported: HTJ2K (High-Throughput JPEG 2000, ITU-T T.814 / Part 15) codestreams are not decoded, only JPEG 2000 Part 1");
        if (xsiz <= xo || ysiz <= yo) throw Fail.Corrupt($"JPEG 2000 SIZ image area {xo}..{xsiz} x {yo}..{ysiz} is empty");
        if (xt == 0 || yt == 0 || xto > xo || yto > yo || xto + xt <= xo || yto + yt <= yo)
            throw Fail.Corrupt("JPEG 2000 SIZ tile grid does not cover the image origin");
        if (xsiz > int.MaxValue / 2 || ysiz > int.MaxValue / 2 || xt > int.MaxValue / 2 || yt > int.MaxValue / 2)
            throw Fail.TooLarge($"JPEG 2000 SIZ reference grid {xsiz}x{ysiz}");
        if (csiz < 1) throw Fail.Corrupt("JPEG 2000 SIZ has no components");
        if (s.Length < 36 + 3 * csiz) throw Fail.Truncated("JPEG 2000 SIZ component list");
        long w = xsiz - xo, h = ysiz - yo;
        if (w * h > options.MaxPixels) throw Fail.TooLarge($"JPEG 2000 image {w}x{h} exceeds MaxPixels {options.MaxPixels}");
        if (csiz > 4) throw Fail.Unsupported($"JPEG 2000 with {csiz} components (1 to 4 are decoded)");
        var comps = new J2kComponent[csiz];
        long samples = 0;
        for (int c = 0; c < csiz; c++)
        {
            int ssiz = s[36 + 3 * c], dx = s[37 + 3 * c], dy = s[38 + 3 * c];
            int prec = (ssiz & 0x7F) + 1;
            if (dx == 0 || dy == 0) throw Fail.Corrupt($"JPEG 2000 component {c} subsampling {dx}x{dy}");
            if (prec > 16) throw Fail.Unsupported($"JPEG 2000 component {c} of {prec} bits (up to 16 are decoded)");
            comps[c] = new J2kComponent(prec, (ssiz & 0x80) != 0, dx, dy);
            samples += (CeilDiv(xsiz, dx) - CeilDiv(xo, dx)) * (CeilDiv(ysiz, dy) - CeilDiv(yo, dy));
        }
        if (samples > 4 * options.MaxPixels) throw Fail.TooLarge($"JPEG 2000 image of {samples} samples exceeds MaxPixels {options.MaxPixels}");
        long tilesX = CeilDiv(xsiz - xto, xt), tilesY = CeilDiv(ysiz - yto, yt);
        if (tilesX * tilesY > 65535) throw Fail.Corrupt($"JPEG 2000 SIZ gives {tilesX}x{tilesY} tiles (at most 65535)");
        (X0, Y0, X1, Y1) = ((int)xo, (int)yo, (int)xsiz, (int)ysiz);
        (TileWidth, TileHeight, TileX0, TileY0) = ((int)xt, (int)yt, (int)xto, (int)yto);
        (TilesX, TilesY) = ((int)tilesX, (int)tilesY);
        Components = comps;
    }

    private void ParseParameter(ushort marker, ReadOnlySpan<byte> s, J2kParameters p, bool mainHeader)
    {
        int ci = ComponentIndexSize;
        switch (marker)
        {
            case Cod:
            {
                if (s.Length < 5) throw Fail.Corrupt("JPEG 2000 COD marker is too short");
                int scod = s[0];
                p.Sop = (scod & 2) != 0;
                p.Eph = (scod & 4) != 0;
                p.Order = s[1];
                p.Layers = BinaryPrimitives.ReadUInt16BigEndian(s[2..]);
                p.Mct = s[4];
                if (p.Order > 4) throw Fail.Corrupt($"JPEG 2000 progression order {p.Order}");
                if (p.Layers == 0) throw Fail.Corrupt("JPEG 2000 COD has 0 quality layers");
                p.Cod = ParseStyle(s[5..], (scod & 1) != 0, "COD");
                break;
            }
            case Coc:
            {
                if (s.Length < ci + 1) throw Fail.Corrupt("JPEG 2000 COC marker is too short");
                int c = ReadComponent(s, ci, "COC");
                p.Coc[c] = ParseStyle(s[(ci + 1)..], (s[ci] & 1) != 0, "COC");
                break;
            }
            case Qcd:
                p.Qcd = ParseQuant(s, "QCD");
                break;
            case Qcc:
            {
                if (s.Length < ci) throw Fail.Corrupt("JPEG 2000 QCC marker is too short");
                int c = ReadComponent(s, ci, "QCC");
                p.Qcc[c] = ParseQuant(s[ci..], "QCC");
                break;
            }
            case Rgn:
            {
                if (s.Length < ci + 2) throw Fail.Corrupt("JPEG 2000 RGN marker is too short");
                int c = ReadComponent(s, ci, "RGN");
                if (s[ci] != 0) throw Fail.Unsupported($"JPEG 2000 ROI style {s[ci]} (only maxshift)");
                p.RoiShift[c] = s[ci + 1];
                break;
            }
            case Poc:
            {
                int entry = 5 + 2 * ci;
                if (s.Length < entry || s.Length % entry != 0) throw Fail.Corrupt("JPEG 2000 POC marker length");
                p.Poc ??= [];
                for (int i = 0; i < s.Length; i += entry)
                {
                    var e = s[i..];
                    int cs = ci == 1 ? e[1] : BinaryPrimitives.ReadUInt16BigEndian(e[1..]);
                    int lye = BinaryPrimitives.ReadUInt16BigEndian(e[(1 + ci)..]);
                    int re = e[3 + ci];
                    int ce = ci == 1 ? e[4 + ci] : BinaryPrimitives.ReadUInt16BigEndian(e[(4 + ci)..]);
                    if (ce == 0) ce = 256; // CEpoc 0 means 256 components
                    int order = e[4 + 2 * ci];
                    if (order > 4) throw Fail.Corrupt($"JPEG 2000 POC progression order {order}");
                    p.Poc.Add(new J2kProgression(order, e[0], cs, lye, re, ce));
                }
                break;
            }
            default:
                if (!mainHeader) throw Fail.Corrupt($"JPEG 2000 marker {marker:X4} in a tile-part header");
                break; // an unknown main-header marker segment: skip it
        }
    }

    private int ReadComponent(ReadOnlySpan<byte> s, int size, string what)
    {
        int c = size == 1 ? s[0] : BinaryPrimitives.ReadUInt16BigEndian(s);
        if (c >= Components.Length) throw Fail.Corrupt($"JPEG 2000 {what} names component {c} of {Components.Length}");
        return c;
    }

    private static J2kCodingStyle ParseStyle(ReadOnlySpan<byte> s, bool customPrecincts, string what)
    {
        if (s.Length < 5) throw Fail.Corrupt($"JPEG 2000 {what} marker is too short");
        int levels = s[0], xcb = s[1] + 2, ycb = s[2] + 2, style = s[3], transform = s[4];
        if (levels > 32) throw Fail.Corrupt($"JPEG 2000 {what}: {levels} decomposition levels (at most 32)");
        if (xcb > 10 || ycb > 10 || xcb + ycb > 12) throw Fail.Corrupt($"JPEG 2000 {what}: code-block 2^{xcb} x 2^{ycb}");
        if ((style & J2kCodingStyle.HighThroughput) != 0)
            throw new ImageDecodeException(ImageDecodeErrorCodes.Unsupported,
                "unsupported: HTJ2K (High-Throughput JPEG 2000, ITU-T T.814 / Part 15) code-blocks are not decoded, only JPEG 2000 Part 1");
        if ((style & 0x80) != 0) throw Fail.Unsupported($"JPEG 2000 {what}: code-block style {style:X2}");
        if (transform > 1) throw Fail.Unsupported($"JPEG 2000 {what}: wavelet {transform} (Part 2 arbitrary wavelets)");
        var exps = new byte[levels + 1];
        if (customPrecincts)
        {
            if (s.Length < 5 + levels + 1) throw Fail.Truncated($"JPEG 2000 {what} precinct sizes");
            for (int r = 0; r <= levels; r++)
            {
                exps[r] = s[5 + r];
                // Only the lowest resolution may have 1-sample-wide precincts (T.800 A.6.1).
                if (r > 0 && ((exps[r] & 0xF) == 0 || (exps[r] >> 4) == 0)) throw Fail.Corrupt($"JPEG 2000 {what}: precinct exponent 0 at resolution {r}");
            }
        }
        else Array.Fill(exps, (byte)0xFF);
        return new J2kCodingStyle(levels, xcb, ycb, style, transform == 1, exps);
    }

    private static J2kQuantization ParseQuant(ReadOnlySpan<byte> s, string what)
    {
        if (s.Length < 2) throw Fail.Corrupt($"JPEG 2000 {what} marker is too short");
        int style = s[0] & 0x1F, guard = s[0] >> 5;
        var body = s[1..];
        int[] exps, mants;
        switch (style)
        {
            case J2kQuantization.None:
                exps = new int[body.Length];
                mants = new int[body.Length];
                for (int i = 0; i < body.Length; i++) exps[i] = body[i] >> 3;
                break;
            case J2kQuantization.ScalarDerived or J2kQuantization.ScalarExpounded:
                if (body.Length < 2 || body.Length % 2 != 0) throw Fail.Corrupt($"JPEG 2000 {what} step sizes length {body.Length}");
                exps = new int[body.Length / 2];
                mants = new int[body.Length / 2];
                for (int i = 0; i < exps.Length; i++)
                {
                    int v = BinaryPrimitives.ReadUInt16BigEndian(body[(2 * i)..]);
                    exps[i] = v >> 11;
                    mants[i] = v & 0x7FF;
                }
                break;
            default:
                throw Fail.Corrupt($"JPEG 2000 {what} quantization style {style}");
        }
        if (exps.Length == 0) throw Fail.Corrupt($"JPEG 2000 {what} lists no subbands");
        return new J2kQuantization(style, guard, exps, mants);
    }

    /// <summary>The parameters in force for component <paramref name="c"/> of a tile (T.800 A.6: tile COC &gt; tile COD &gt; main COC &gt; main COD).</summary>
    public (J2kCodingStyle Style, J2kQuantization Quant, int RoiShift) ComponentParameters(J2kParameters tile, int c)
    {
        var style = tile.Coc[c] ?? tile.Cod ?? Main.Coc[c] ?? Main.Cod!;
        var quant = tile.Qcc[c] ?? tile.Qcd ?? Main.Qcc[c] ?? Main.Qcd ?? throw Fail.Corrupt($"JPEG 2000 component {c} has no quantization");
        int roi = tile.RoiShift[c] != 0 ? tile.RoiShift[c] : Main.RoiShift[c];
        return (style, quant, roi);
    }

    public static long CeilDiv(long a, long b) => (a + b - 1) / b;
    public static int CeilDiv(int a, int b) => (int)(((long)a + b - 1) / b);
}
