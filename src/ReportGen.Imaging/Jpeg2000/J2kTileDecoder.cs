namespace ReportGen.Imaging.Jpeg2000;

/// <summary>
/// Decodes one tile: builds its components, resolutions, subbands, precincts and code-blocks (T.800 B.5–B.7), reads
/// its packets in the progression order (B.9–B.12), runs tier-1 on each code-block, the inverse wavelet transform,
/// the inverse multi-component transform and the DC level shift, and writes the samples into the component planes.
/// </summary>
internal sealed class J2kTileDecoder
{
    private readonly J2kCodestream _cs;
    private readonly J2kTilePart _part;
    private readonly J2kTileComponent[] _comps;
    private readonly int _tx0, _ty0, _tx1, _ty1;
    private readonly int _layers, _order, _mct;
    private readonly bool _sop, _eph;
    private byte[] _data = [];

    public J2kTileDecoder(J2kCodestream cs, int tileIndex)
    {
        _cs = cs;
        _part = cs.Tiles[tileIndex] ?? throw Fail.Truncated($"JPEG 2000 tile {tileIndex} is missing");
        int p = tileIndex % cs.TilesX, q = tileIndex / cs.TilesX;
        _tx0 = (int)Math.Max((long)cs.TileX0 + (long)p * cs.TileWidth, cs.X0);
        _ty0 = (int)Math.Max((long)cs.TileY0 + (long)q * cs.TileHeight, cs.Y0);
        _tx1 = (int)Math.Min((long)cs.TileX0 + (long)(p + 1) * cs.TileWidth, cs.X1);
        _ty1 = (int)Math.Min((long)cs.TileY0 + (long)(q + 1) * cs.TileHeight, cs.Y1);
        var tp = _part.Parameters;
        var main = cs.Main;
        bool tileCod = tp.Cod is not null;
        _layers = (tileCod ? tp.Layers : main.Layers) ?? 1;
        _order = (tileCod ? tp.Order : main.Order) ?? 0;
        _mct = (tileCod ? tp.Mct : main.Mct) ?? 0;
        _sop = tileCod ? tp.Sop : main.Sop;
        _eph = tileCod ? tp.Eph : main.Eph;
        _comps = new J2kTileComponent[cs.Components.Length];
        for (int c = 0; c < _comps.Length; c++) _comps[c] = BuildComponent(c);
    }

    private J2kTileComponent BuildComponent(int c)
    {
        var info = _cs.Components[c];
        var (style, quant, roi) = _cs.ComponentParameters(_part.Parameters, c);
        var tc = new J2kTileComponent
        {
            Style = style,
            Quant = quant,
            RoiShift = roi,
            X0 = J2kCodestream.CeilDiv(_tx0, info.Dx),
            Y0 = J2kCodestream.CeilDiv(_ty0, info.Dy),
            X1 = J2kCodestream.CeilDiv(_tx1, info.Dx),
            Y1 = J2kCodestream.CeilDiv(_ty1, info.Dy),
        };
        int levels = style.Levels;
        tc.Resolutions = new J2kResolution[levels + 1];
        for (int r = 0; r <= levels; r++)
        {
            int shift = levels - r;
            var res = new J2kResolution
            {
                X0 = CeilShift(tc.X0, shift),
                Y0 = CeilShift(tc.Y0, shift),
                X1 = CeilShift(tc.X1, shift),
                Y1 = CeilShift(tc.Y1, shift),
                PrecinctWidthExp = style.PrecinctWidthExp(r),
                PrecinctHeightExp = style.PrecinctHeightExp(r),
            };
            if (res.Width > 0 && res.Height > 0)
            {
                long pw = CeilShiftL(res.X1, res.PrecinctWidthExp) - (res.X0 >> res.PrecinctWidthExp);
                long ph = CeilShiftL(res.Y1, res.PrecinctHeightExp) - (res.Y0 >> res.PrecinctHeightExp);
                if (pw * ph > 1 << 24) throw Fail.TooLarge($"JPEG 2000 resolution with {pw}x{ph} precincts");
                res.PrecinctsWide = (int)pw;
                res.PrecinctsHigh = (int)ph;
                res.Precincts = new J2kPrecinctBand[]?[pw * ph];
            }
            int bandCount = r == 0 ? 1 : 3;
            res.Bands = new J2kBand[bandCount];
            for (int b = 0; b < bandCount; b++)
            {
                int orient = r == 0 ? 0 : b + 1;
                var band = new J2kBand { Orient = orient };
                if (r == 0)
                    (band.X0, band.Y0, band.X1, band.Y1) = (res.X0, res.Y0, res.X1, res.Y1);
                else
                {
                    // T.800 B-15: the band's rectangle at decomposition level n = levels − r + 1.
                    int n = levels - r + 1;
                    long xo = orient & 1, yo = orient >> 1;
                    band.X0 = (int)CeilShiftL(tc.X0 - (xo << (n - 1)), n);
                    band.Y0 = (int)CeilShiftL(tc.Y0 - (yo << (n - 1)), n);
                    band.X1 = (int)CeilShiftL(tc.X1 - (xo << (n - 1)), n);
                    band.Y1 = (int)CeilShiftL(tc.Y1 - (yo << (n - 1)), n);
                    var lower = tc.Resolutions[r - 1];
                    band.OffsetX = (orient & 1) != 0 ? lower.Width : 0;
                    band.OffsetY = (orient & 2) != 0 ? lower.Height : 0;
                }
                int bandIndex = r == 0 ? 0 : 3 * (r - 1) + orient;
                var (exponent, mantissa) = quant.Step(bandIndex, levels, r == 0 ? levels : levels - r + 1);
                band.MaxBitPlanes = quant.GuardBits + exponent - 1;
                int precision = _cs.Components[c].Precision;
                band.Step = (float)((1.0 + mantissa / 2048.0) * Math.Pow(2.0, precision - exponent));
                res.Bands[b] = band;
            }
            tc.Resolutions[r] = res;
        }
        return tc;
    }

    private static int CeilShift(int v, int s) => (int)(((long)v + (1L << s) - 1) >> s);
    private static long CeilShiftL(long v, int s) => (v + (1L << s) - 1) >> s;

    /// <summary>The precinct's code-blocks per band, made the first time a packet of the precinct is read.</summary>
    private J2kPrecinctBand[] Precinct(J2kTileComponent tc, int r, int p)
    {
        var res = tc.Resolutions[r];
        var existing = res.Precincts[p];
        if (existing is not null) return existing;
        int px = p % res.PrecinctsWide, py = p / res.PrecinctsWide;
        // The precinct's rectangle in this resolution, then halved into the subbands for r > 0 (T.800 B.6).
        long rx0 = ((long)(res.X0 >> res.PrecinctWidthExp) + px) << res.PrecinctWidthExp;
        long ry0 = ((long)(res.Y0 >> res.PrecinctHeightExp) + py) << res.PrecinctHeightExp;
        int pwExp = res.PrecinctWidthExp, phExp = res.PrecinctHeightExp;
        if (r > 0)
        {
            rx0 >>= 1;
            ry0 >>= 1;
            pwExp--;
            phExp--;
        }
        int cbw = Math.Min(tc.Style.CbWidthExp, pwExp), cbh = Math.Min(tc.Style.CbHeightExp, phExp);
        var bands = new J2kPrecinctBand[res.Bands.Length];
        for (int b = 0; b < res.Bands.Length; b++)
        {
            var band = res.Bands[b];
            long x0 = Math.Max(rx0, band.X0), y0 = Math.Max(ry0, band.Y0);
            long x1 = Math.Min(rx0 + (1L << pwExp), band.X1), y1 = Math.Min(ry0 + (1L << phExp), band.Y1);
            if (x1 <= x0 || y1 <= y0)
            {
                bands[b] = new J2kPrecinctBand(0, 0, []);
                continue;
            }
            long gx0 = x0 >> cbw, gy0 = y0 >> cbh;
            int nw = (int)(((x1 + (1L << cbw) - 1) >> cbw) - gx0), nh = (int)(((y1 + (1L << cbh) - 1) >> cbh) - gy0);
            var blocks = new J2kCodeBlock[nw * nh];
            for (int j = 0; j < nh; j++)
                for (int i = 0; i < nw; i++)
                {
                    long bx0 = (gx0 + i) << cbw, by0 = (gy0 + j) << cbh;
                    blocks[j * nw + i] = new J2kCodeBlock((int)Math.Max(bx0, x0), (int)Math.Max(by0, y0),
                        (int)Math.Min(bx0 + (1L << cbw), x1), (int)Math.Min(by0 + (1L << cbh), y1));
                }
            bands[b] = new J2kPrecinctBand(nw, nh, blocks);
        }
        res.Precincts[p] = bands;
        return bands;
    }

    /// <summary>Decodes the tile and writes its samples into <paramref name="planes"/> (one per component, image-sized).</summary>
    public void Decode(int[][] planes, int[] planeWidths, J2kComponentOrigin[] origins, int threads)
    {
        _data = ConcatenateTileData(out var headers);
        ReadPackets(headers);
        DecodeCodeBlocks(threads);
        foreach (var tc in _comps)
        {
            if (tc.Style.Reversible) J2kWavelet.Inverse53(tc);
            else J2kWavelet.Inverse97(tc);
        }
        ApplyMctAndStore(planes, planeWidths, origins);
    }

    private byte[] ConcatenateTileData(out byte[]? headers)
    {
        int total = 0;
        foreach (var (_, len) in _part.Data) total += len;
        var data = new byte[total];
        int at = 0;
        foreach (var (off, len) in _part.Data)
        {
            Array.Copy(_cs.Data, off, data, at, len);
            at += len;
        }
        headers = null;
        if (_part.Ppt is not null) headers = _part.Ppt.OrderBy(p => p.Index).SelectMany(p => p.Data).ToArray();
        else if (_part.PackedHeaders is not null) headers = _part.PackedHeaders.SelectMany(h => h).ToArray();
        return data;
    }

    // ---- tier 2 -------------------------------------------------------------------------------------------------

    private readonly record struct PacketId(int Layer, int Res, int Comp, int Precinct);

    private readonly List<(J2kCodeBlock Block, int Segment, int Length)> _pending = [];

    private void ReadPackets(byte[]? headers)
    {
        var body = new J2kBitReader(_data, 0, _data.Length);
        int bodyPos = 0;
        var hdr = headers is null ? body : new J2kBitReader(headers, 0, headers.Length);
        // Layers already read per (component, resolution, precinct), so a POC never repeats a packet.
        var done = new int[_comps.Length][][];
        for (int c = 0; c < _comps.Length; c++)
        {
            done[c] = new int[_comps[c].Resolutions.Length][];
            for (int r = 0; r < done[c].Length; r++) done[c][r] = new int[_comps[c].Resolutions[r].Precincts.Length];
        }
        foreach (var prog in Progressions())
        {
            foreach (var pkt in Packets(prog))
            {
                ref int next = ref done[pkt.Comp][pkt.Res][pkt.Precinct];
                if (pkt.Layer != next) continue;
                next++;
                if (headers is null)
                {
                    if (bodyPos >= _data.Length) return; // truncated or ended early: what was read still decodes
                    hdr.Seek(bodyPos);
                }
                else if (hdr.AtEnd) return; // PPM/PPT headers used up: no further packet can carry data
                bodyPos = ReadPacket(ref hdr, bodyPos, headers is null, pkt);
            }
        }
    }

    private IEnumerable<J2kProgression> Progressions()
    {
        var poc = _part.Parameters.Poc ?? _cs.Main.Poc;
        if (poc is null || poc.Count == 0)
        {
            yield return new J2kProgression(_order, 0, 0, _layers, 33, _comps.Length);
            yield break;
        }
        foreach (var p in poc) yield return p;
    }

    private IEnumerable<PacketId> Packets(J2kProgression prog)
    {
        int layerEnd = Math.Min(prog.LayerEnd, _layers);
        int compEnd = Math.Min(prog.CompEnd, _comps.Length);
        int maxRes = _comps.Max(tc => tc.Resolutions.Length);
        int resEnd = Math.Min(prog.ResEnd, maxRes);
        switch (prog.Order)
        {
            case 0: // LRCP
                for (int l = 0; l < layerEnd; l++)
                    for (int r = prog.ResStart; r < resEnd; r++)
                        for (int c = prog.CompStart; c < compEnd; c++)
                        {
                            if (r >= _comps[c].Resolutions.Length) continue;
                            int n = _comps[c].Resolutions[r].Precincts.Length;
                            for (int p = 0; p < n; p++) yield return new PacketId(l, r, c, p);
                        }
                break;
            case 1: // RLCP
                for (int r = prog.ResStart; r < resEnd; r++)
                    for (int l = 0; l < layerEnd; l++)
                        for (int c = prog.CompStart; c < compEnd; c++)
                        {
                            if (r >= _comps[c].Resolutions.Length) continue;
                            int n = _comps[c].Resolutions[r].Precincts.Length;
                            for (int p = 0; p < n; p++) yield return new PacketId(l, r, c, p);
                        }
                break;
            default:
            {
                // Position-driven orders (RPCL, PCRL, CPRL): each precinct is met where its top-left corner falls on
                // the reference grid (clamped to the tile's origin), which orders them as T.800 B.12.1.3–5 iterate.
                var list = new List<(long Y, long X, int R, int C, int P)>();
                for (int c = prog.CompStart; c < compEnd; c++)
                {
                    var tc = _comps[c];
                    var info = _cs.Components[c];
                    int levels = tc.Resolutions.Length - 1;
                    for (int r = prog.ResStart; r < Math.Min(resEnd, tc.Resolutions.Length); r++)
                    {
                        var res = tc.Resolutions[r];
                        for (int p = 0; p < res.Precincts.Length; p++)
                        {
                            int px = p % res.PrecinctsWide, py = p / res.PrecinctsWide;
                            long cx = ((long)(res.X0 >> res.PrecinctWidthExp) + px) << res.PrecinctWidthExp;
                            long cy = ((long)(res.Y0 >> res.PrecinctHeightExp) + py) << res.PrecinctHeightExp;
                            long gx = Math.Max((cx * info.Dx) << (levels - r), _tx0);
                            long gy = Math.Max((cy * info.Dy) << (levels - r), _ty0);
                            list.Add((gy, gx, r, c, p));
                        }
                    }
                }
                Comparison<(long Y, long X, int R, int C, int P)> cmp = prog.Order switch
                {
                    2 => (a, b) => (a.R, a.Y, a.X, a.C).CompareTo((b.R, b.Y, b.X, b.C)),
                    3 => (a, b) => (a.Y, a.X, a.C, a.R).CompareTo((b.Y, b.X, b.C, b.R)),
                    _ => (a, b) => (a.C, a.Y, a.X, a.R).CompareTo((b.C, b.Y, b.X, b.R)),
                };
                list.Sort(cmp);
                foreach (var e in list)
                    for (int l = 0; l < layerEnd; l++)
                        yield return new PacketId(l, e.R, e.C, e.P);
                break;
            }
        }
    }

    /// <summary>Reads one packet's header (from the body or from PPM/PPT headers) and records its code-block data; returns the new body position.</summary>
    private int ReadPacket(ref J2kBitReader hdr, int bodyPos, bool inline, PacketId pkt)
    {
        var tc = _comps[pkt.Comp];
        var bands = Precinct(tc, pkt.Res, pkt.Precinct);
        var data = _data;
        // SOP marker segment (FF91, length 4, sequence number) before the packet.
        if (_sop && bodyPos + 6 <= data.Length && data[bodyPos] == 0xFF && data[bodyPos + 1] == 0x91)
        {
            bodyPos += 6;
            if (inline) hdr.Seek(bodyPos);
        }
        _pending.Clear();
        bool nonEmpty = hdr.ReadBit() != 0;
        if (nonEmpty)
        {
            for (int b = 0; b < bands.Length; b++)
            {
                var pb = bands[b];
                for (int i = 0; i < pb.Blocks.Length; i++)
                {
                    var cb = pb.Blocks[i];
                    bool included = cb.Included ? hdr.ReadBit() != 0 : pb.Inclusion.Decode(ref hdr, i, pkt.Layer + 1);
                    if (!included) continue;
                    if (!cb.Included)
                    {
                        cb.ZeroBitPlanes = pb.ZeroPlanes.DecodeValue(ref hdr, i, 74);
                        cb.Included = true;
                    }
                    int passes = ReadPassCount(ref hdr);
                    while (hdr.ReadBit() != 0)
                        if (++cb.LBlock > 32) throw Fail.Corrupt("JPEG 2000 code-block length indicator out of range");
                    AddPasses(ref hdr, cb, passes, tc.Style.CbStyle);
                }
            }
        }
        hdr.Align();
        // EPH marker (FF92) after the header (in the packed headers when PPM/PPT carry them).
        if (_eph) hdr.SkipMarker(0x92);
        if (inline) bodyPos = hdr.Position;
        // The bodies, in header order; a stream cut short leaves the remaining segments short (they decode as far as they go).
        foreach (var (cb, seg, len) in _pending)
        {
            int take = Math.Max(0, Math.Min(len, data.Length - bodyPos));
            cb.Chunks ??= [];
            cb.Chunks.Add((bodyPos, take));
            cb.DataLength += take;
            var s = cb.Segments![seg];
            cb.Segments[seg] = (s.Length + take, s.Passes, s.MaxPasses);
            bodyPos += take;
        }
        return bodyPos;
    }

    private static int ReadPassCount(ref J2kBitReader hdr)
    {
        if (hdr.ReadBit() == 0) return 1;
        if (hdr.ReadBit() == 0) return 2;
        int n = hdr.ReadBits(2);
        if (n != 3) return 3 + n;
        n = hdr.ReadBits(5);
        if (n != 31) return 6 + n;
        return 37 + hdr.ReadBits(7);
    }

    /// <summary>Splits the packet's new passes over codeword segments (by the termination style) and reads each length.</summary>
    private void AddPasses(ref J2kBitReader hdr, J2kCodeBlock cb, int passes, int style)
    {
        cb.Segments ??= [];
        if (cb.TotalPasses + passes > 3 * 37) throw Fail.Corrupt("JPEG 2000 code-block has more coding passes than bit-planes");
        cb.TotalPasses += passes;
        while (passes > 0)
        {
            int seg = cb.Segments.Count - 1;
            if (seg < 0 || cb.Segments[seg].Passes >= cb.Segments[seg].MaxPasses)
            {
                cb.Segments.Add((0, 0, MaxPasses(style, seg < 0 ? -1 : cb.Segments[seg].MaxPasses)));
                seg++;
            }
            var s = cb.Segments[seg];
            int take = Math.Min(passes, s.MaxPasses - s.Passes);
            int bits = cb.LBlock + Log2(take);
            if (bits > 31) throw Fail.Corrupt("JPEG 2000 code-block segment length field too long");
            int len = hdr.ReadBits(bits);
            cb.Segments[seg] = (s.Length, s.Passes + take, s.MaxPasses);
            _pending.Add((cb, seg, len));
            passes -= take;
        }
    }

    private static int MaxPasses(int style, int previousMax)
    {
        if ((style & J2kCodingStyle.TermAll) != 0) return 1;
        if ((style & J2kCodingStyle.Bypass) != 0)
            return previousMax < 0 ? 10 : previousMax is 1 or 10 ? 2 : 1;
        return 109;
    }

    private static int Log2(int v) => 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)v);

    // ---- tier 1 -------------------------------------------------------------------------------------------------

    [ThreadStatic] private static J2kBlockDecoder? t_block;

    private void DecodeCodeBlocks(int threads)
    {
        var jobs = new List<(J2kTileComponent Tc, J2kBand Band, J2kCodeBlock Block)>();
        foreach (var tc in _comps)
        {
            if (tc.Style.Reversible) tc.Ints = new int[(long)tc.Width * tc.Height];
            else tc.Floats = new float[(long)tc.Width * tc.Height];
            foreach (var res in tc.Resolutions)
                foreach (var prec in res.Precincts)
                {
                    if (prec is null) continue;
                    for (int b = 0; b < prec.Length; b++)
                        foreach (var cb in prec[b].Blocks)
                            if (cb.TotalPasses > 0) jobs.Add((tc, res.Bands[b], cb));
                }
        }
        if (threads > 1 && jobs.Count > 8)
            BoundedParallel.For(jobs.Count, i => DecodeBlock(jobs[i].Tc, jobs[i].Band, jobs[i].Block));
        else
            foreach (var (tc, band, cb) in jobs) DecodeBlock(tc, band, cb);
    }

    private void DecodeBlock(J2kTileComponent tc, J2kBand band, J2kCodeBlock cb)
    {
        var dec = t_block ??= new J2kBlockDecoder();
        int planes = band.MaxBitPlanes - cb.ZeroBitPlanes + tc.RoiShift;
        if (planes <= 0) return;
        if (planes > 30) throw Fail.Corrupt($"JPEG 2000 code-block with {planes} bit-planes");
        var buf = dec.Buffer(cb.DataLength);
        int at = 0;
        foreach (var (off, len) in cb.Chunks!)
        {
            Array.Copy(_data, off, buf, at, len);
            at += len;
        }
        Span<(int Start, int Length, int Passes)> segs = stackalloc (int, int, int)[cb.Segments!.Count];
        int start = 0;
        for (int i = 0; i < segs.Length; i++)
        {
            var s = cb.Segments[i];
            segs[i] = (start, s.Length, s.Passes);
            start += s.Length;
        }
        int w = cb.X1 - cb.X0, h = cb.Y1 - cb.Y0;
        dec.Decode(w, h, band.Orient, tc.Style.CbStyle, planes, buf, segs);
        if (tc.RoiShift > 0) dec.RemoveRoiShift(w * h, tc.RoiShift);
        var src = dec.Data;
        int stride = tc.Width;
        int ox = cb.X0 - band.X0 + band.OffsetX, oy = cb.Y0 - band.Y0 + band.OffsetY;
        if (tc.Ints is { } ints)
        {
            for (int y = 0; y < h; y++)
            {
                var row = ints.AsSpan((oy + y) * stride + ox, w);
                var s = src.AsSpan(y * w, w);
                for (int x = 0; x < w; x++) row[x] = s[x] / 2;
            }
        }
        else
        {
            var floats = tc.Floats!;
            float step = 0.5f * band.Step;
            for (int y = 0; y < h; y++)
            {
                var row = floats.AsSpan((oy + y) * stride + ox, w);
                var s = src.AsSpan(y * w, w);
                for (int x = 0; x < w; x++) row[x] = s[x] * step;
            }
        }
    }

    // ---- components → image -------------------------------------------------------------------------------------

    private void ApplyMctAndStore(int[][] planes, int[] planeWidths, J2kComponentOrigin[] origins)
    {
        bool mct = _mct == 1 && _comps.Length >= 3;
        if (mct)
        {
            var (a, b, c) = (_comps[0], _comps[1], _comps[2]);
            if (a.Width != b.Width || a.Width != c.Width || a.Height != b.Height || a.Height != c.Height)
                throw Fail.Corrupt("JPEG 2000 multi-component transform over components of different sizes");
            if (a.Style.Reversible != b.Style.Reversible || a.Style.Reversible != c.Style.Reversible)
                throw Fail.Corrupt("JPEG 2000 multi-component transform over reversible and irreversible components");
            if (a.Style.Reversible) J2kColour.InverseRct(a.Ints!, b.Ints!, c.Ints!);
            else J2kColour.InverseIct(a.Floats!, b.Floats!, c.Floats!);
        }
        for (int ci = 0; ci < _comps.Length; ci++)
        {
            var tc = _comps[ci];
            var info = _cs.Components[ci];
            int shift = info.Signed ? 0 : 1 << (info.Precision - 1);
            int min = info.Signed ? -(1 << (info.Precision - 1)) : 0;
            int max = info.Signed ? (1 << (info.Precision - 1)) - 1 : (1 << info.Precision) - 1;
            var plane = planes[ci];
            int pw = planeWidths[ci];
            int w = tc.Width;
            for (int y = 0; y < tc.Height; y++)
            {
                int dst = (tc.Y0 - origins[ci].Y + y) * pw + tc.X0 - origins[ci].X;
                if (tc.Ints is { } ints)
                {
                    var src = ints.AsSpan(y * w, w);
                    for (int x = 0; x < w; x++) plane[dst + x] = Math.Clamp(src[x] + shift, min, max);
                }
                else
                {
                    var src = tc.Floats!.AsSpan(y * w, w);
                    for (int x = 0; x < w; x++)
                    {
                        float v = src[x];
                        // OpenJPEG: lrintf (round half to even), then shift and clamp.
                        long r = v >= int.MaxValue ? int.MaxValue : v <= int.MinValue ? int.MinValue : (long)MathF.Round(v);
                        plane[dst + x] = (int)Math.Clamp(r + shift, min, max);
                    }
                }
            }
        }
    }
}

/// <summary>Where a component's plane starts on its own sampling grid (ceil(XOsiz / dx), ceil(YOsiz / dy)).</summary>
internal readonly record struct J2kComponentOrigin(int X, int Y);
