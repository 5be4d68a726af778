using System.Buffers.Binary;

namespace ReportGen.Imaging.Jpeg;

/// <summary>
/// Managed JPEG decoder: baseline and extended Huffman (SOF0/SOF1) and progressive (SOF2, spectral selection and
/// successive approximation) at 8- or 12-bit precision, and lossless (SOF3, Process 14: the seven predictors, point
/// transform, 2–16 bits); greyscale or three components (YCbCr or RGB, decided as libjpeg does, see
/// <see cref="JpegState.IsYCbCr"/>) with any sampling factors (fancy upsampling as libjpeg-turbo does), restart
/// markers; APPn/COM skipped. Output: 1 channel (grey) or 3 (RGB), samples / (2^precision − 1).
/// </summary>
public static class JpegDecoder
{
    private static readonly byte[] ZigZag =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ];

    /// <summary>Decodes a JPEG file (SOI … EOI).</summary>
    /// <exception cref="ImageDecodeException">Malformed, truncated, unsupported or over-limit input.</exception>
    public static PixelImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        if (data.Length > options.MaxInputBytes) throw Fail.TooLarge($"JPEG of {data.Length} bytes exceeds MaxInputBytes {options.MaxInputBytes}");
        var state = Parse(data.ToArray(), options, photometricHint: null);
        if (state.IsEightBitDct) return state.Output().ToPixelImage();
        var frame = state.OutputFrame();
        var px = new float[frame.Samples.Length];
        float scale = 1f / ((1 << frame.Precision) - 1);
        for (int i = 0; i < px.Length; i++) px[i] = frame.Samples[i] * scale;
        return new PixelImage(frame.Width, frame.Height, frame.Components, px)
        {
            Metadata = new ImageMetadata { Format = "jpeg", BitsStored = frame.Precision },
        };
    }

    /// <summary>Decodes an 8-bit DCT JPEG to 8-bit samples, interleaved (1 or 3 channels), for callers that want bytes.</summary>
    internal static JpegPlanes DecodePlanes(byte[] data, ImageDecodeOptions options)
    {
        var state = Parse(data, options, photometricHint: null);
        if (!state.IsEightBitDct) throw Fail.Unsupported("JPEG that is not 8-bit DCT where 8-bit samples are needed");
        return state.Output();
    }

    /// <summary>
    /// The DICOM frame codec for every JPEG process we decode (baseline, extended 8/12-bit, progressive, lossless):
    /// integer samples at the stream's precision; three-component DCT streams come back as RGB (the YCbCr decision
    /// uses the DICOM Photometric Interpretation only where the stream itself is silent).
    /// </summary>
    internal static Dicom.DecodedFrame DecodeFrame(ReadOnlySpan<byte> data, Dicom.FrameGeometry expected, ImageDecodeOptions options) =>
        Parse(data.ToArray(), options, expected.PhotometricInterpretation).OutputFrame();

    private static JpegState Parse(byte[] data, ImageDecodeOptions options, string? photometricHint)
    {
        if (data.Length < 2 || data[0] != 0xFF || data[1] != 0xD8)
            throw new ImageDecodeException(ImageDecodeErrorCodes.BadMagic, "not a JPEG: SOI marker missing");
        var state = new JpegState(data, options, photometricHint);
        state.Run();
        return state;
    }

    internal sealed class Component
    {
        public int Id, H, V, Tq;
        public int BlocksPerLine, BlocksPerColumn;        // blocks covering the component's samples
        public int BlocksPerLineAlloc, BlocksPerColumnAlloc; // padded to whole MCUs
        public int Width, Height;                          // component samples actually used
        public short[] Coefs = [];
        public int[] Samples = [];                         // lossless: reconstructed samples (before the point transform)
        public int PointTransform;                         // lossless: the scan's Al, applied at output
        public int DcPred;
        public JpegHuffmanTable? Dc, Ac;
    }

    private sealed class JpegState(byte[] data, ImageDecodeOptions options, string? photometricHint)
    {
        private readonly ushort[][] _quant = new ushort[4][];
        private readonly JpegHuffmanTable?[] _dc = new JpegHuffmanTable?[4];
        private readonly JpegHuffmanTable?[] _ac = new JpegHuffmanTable?[4];
        private Component[] _comps = [];
        private int _width, _height, _hmax, _vmax, _mcusX, _mcusY, _restartInterval, _eobrun;
        private int _precision = 8;
        private bool _progressive, _lossless, _frameSeen, _jfif, _adobe, _adobeTransformZero, _sawScan, _eoi;

        public bool IsEightBitDct => !_lossless && _precision == 8;
        private int _pos = 2;

        private ushort ReadU16(int at)
        {
            if (at + 2 > data.Length) throw Fail.Truncated("JPEG marker segment");
            return BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at));
        }

        public void Run()
        {
            while (!_eoi)
            {
                // Markers may be preceded by fill bytes (0xFF).
                if (_pos >= data.Length) throw Fail.Truncated(_sawScan ? "JPEG ends without EOI" : "JPEG ends before any scan");
                if (data[_pos] != 0xFF) throw Fail.Corrupt($"JPEG expected a marker at offset {_pos}");
                while (_pos < data.Length && data[_pos] == 0xFF) _pos++;
                if (_pos >= data.Length) throw Fail.Truncated("JPEG ends inside a marker");
                int marker = data[_pos++];
                switch (marker)
                {
                    case 0xD8: // SOI again: tolerated
                    case >= 0xD0 and <= 0xD7: // stray RST
                    case 0x01:
                        continue;
                    case 0xD9:
                        _eoi = true;
                        continue;
                }
                int len = ReadU16(_pos);
                if (len < 2) throw Fail.Corrupt($"JPEG marker 0x{marker:X2} segment length {len}");
                if (_pos + len > data.Length) throw Fail.Truncated($"JPEG marker 0x{marker:X2} segment of {len} bytes");
                var seg = data.AsSpan(_pos + 2, len - 2);
                int segEnd = _pos + len;
                switch (marker)
                {
                    case 0xC0 or 0xC1 or 0xC2 or 0xC3:
                        ReadFrame(seg, marker);
                        break;
                    case (>= 0xC5 and <= 0xC7) or (>= 0xC9 and <= 0xCB) or (>= 0xCD and <= 0xCF):
                        throw Fail.Unsupported($"JPEG process SOF{marker - 0xC0} (only baseline, extended, progressive and lossless Huffman are decoded)");
                    case 0xC4:
                        ReadHuffman(seg);
                        break;
                    case 0xCC:
                        throw Fail.Unsupported("JPEG arithmetic coding");
                    case 0xDB:
                        ReadQuant(seg);
                        break;
                    case 0xDD:
                        if (seg.Length < 2) throw Fail.Corrupt("JPEG DRI length");
                        _restartInterval = BinaryPrimitives.ReadUInt16BigEndian(seg);
                        break;
                    case 0xE0:
                        if (seg.Length >= 5 && seg[..5].SequenceEqual("JFIF\0"u8)) _jfif = true;
                        break;
                    case 0xEE:
                        if (seg.Length >= 12 && seg[..5].SequenceEqual("Adobe"u8)) { _adobe = true; _adobeTransformZero = seg[11] == 0; }
                        break;
                    case 0xDA:
                        _pos = segEnd;
                        ReadScan(seg);
                        _sawScan = true;
                        continue; // ReadScan leaves _pos at the next marker
                    case 0xDC:
                        break; // DNL: ignored (we reject height 0 at SOF)
                    default:
                        break; // APPn, COM and anything else with a length: skipped
                }
                _pos = segEnd;
            }
            if (!_frameSeen || !_sawScan) throw Fail.Corrupt("JPEG has no frame or no scan");
        }

        private void ReadQuant(ReadOnlySpan<byte> s)
        {
            int p = 0;
            while (p < s.Length)
            {
                int pq = s[p] >> 4, tq = s[p] & 15;
                p++;
                if (tq > 3 || pq > 1) throw Fail.Corrupt("JPEG DQT table id or precision");
                int need = pq == 0 ? 64 : 128;
                if (p + need > s.Length) throw Fail.Corrupt("JPEG DQT shorter than its table");
                var q = new ushort[64];
                for (int i = 0; i < 64; i++)
                    q[ZigZag[i]] = pq == 0 ? s[p + i] : BinaryPrimitives.ReadUInt16BigEndian(s[(p + 2 * i)..]);
                _quant[tq] = q;
                p += need;
            }
        }

        private void ReadHuffman(ReadOnlySpan<byte> s)
        {
            int p = 0;
            while (p < s.Length)
            {
                if (p + 17 > s.Length) throw Fail.Corrupt("JPEG DHT shorter than its counts");
                int tc = s[p] >> 4, th = s[p] & 15;
                if (tc > 1 || th > 3) throw Fail.Corrupt("JPEG DHT class or id");
                var counts = s.Slice(p + 1, 16);
                int total = 0;
                foreach (var c in counts) total += c;
                if (total > 256 || p + 17 + total > s.Length) throw Fail.Corrupt("JPEG DHT symbol count");
                var table = new JpegHuffmanTable(counts, s.Slice(p + 17, total));
                if (tc == 0) _dc[th] = table; else _ac[th] = table;
                p += 17 + total;
            }
        }

        private void ReadFrame(ReadOnlySpan<byte> s, int marker)
        {
            if (_frameSeen) throw Fail.Unsupported("JPEG with more than one frame");
            if (s.Length < 6) throw Fail.Corrupt("JPEG SOF too short");
            int precision = s[0];
            _height = BinaryPrimitives.ReadUInt16BigEndian(s[1..]);
            _width = BinaryPrimitives.ReadUInt16BigEndian(s[3..]);
            int n = s[5];
            _lossless = marker == 0xC3;
            if (_lossless ? precision is < 2 or > 16 : !(precision == 8 || (precision == 12 && marker != 0xC0)))
                throw Fail.Unsupported($"JPEG SOF{marker - 0xC0} sample precision {precision}");
            _precision = precision;
            if (_height == 0) throw Fail.Unsupported("JPEG height defined by DNL");
            if (_width == 0) throw Fail.Corrupt("JPEG width 0");
            if ((long)_width * _height > options.MaxPixels) throw Fail.TooLarge($"JPEG {_width}x{_height} exceeds MaxPixels {options.MaxPixels}");
            if (n is not (1 or 3)) throw Fail.Unsupported($"JPEG with {n} components (only 1 and 3 are decoded)");
            // Bomb guard: even an all-flat image costs a few bits per 8×8 block; a tiny file announcing a huge
            // image is refused before any allocation.
            if ((double)_width * _height * n / data.Length > options.MaxCompressionRatio * 8)
                throw Fail.Bomb($"JPEG of {data.Length} bytes announces {_width}x{_height}x{n} samples");
            // Lossless: every sample costs at least one Huffman bit (plus the zero bytes the reader feeds past a marker).
            if (_lossless && (long)_width * _height * n > (data.Length + 4096L * n) * 8)
                throw Fail.Bomb($"lossless JPEG of {data.Length} bytes announces {_width}x{_height}x{n} samples");
            if (s.Length < 6 + 3 * n) throw Fail.Corrupt("JPEG SOF shorter than its components");
            _comps = new Component[n];
            for (int i = 0; i < n; i++)
            {
                var c = new Component { Id = s[6 + i * 3], H = s[7 + i * 3] >> 4, V = s[7 + i * 3] & 15, Tq = s[8 + i * 3] };
                if (c.H is < 1 or > 4 || c.V is < 1 or > 4 || c.Tq > 3) throw Fail.Corrupt("JPEG component sampling factors or table");
                _comps[i] = c;
            }
            if (_lossless && _comps.Any(c => c.H != 1 || c.V != 1))
                throw Fail.Unsupported("lossless JPEG with subsampled components");
            _hmax = _comps.Max(c => c.H);
            _vmax = _comps.Max(c => c.V);
            _mcusX = (_width + 8 * _hmax - 1) / (8 * _hmax);
            _mcusY = (_height + 8 * _vmax - 1) / (8 * _vmax);
            foreach (var c in _comps)
            {
                c.Width = (_width * c.H + _hmax - 1) / _hmax;
                c.Height = (_height * c.V + _vmax - 1) / _vmax;
                c.BlocksPerLine = (c.Width + 7) / 8;
                c.BlocksPerColumn = (c.Height + 7) / 8;
                c.BlocksPerLineAlloc = Math.Max(_mcusX * c.H, c.BlocksPerLine);
                c.BlocksPerColumnAlloc = Math.Max(_mcusY * c.V, c.BlocksPerColumn);
                if (_lossless) c.Samples = new int[_width * _height];
                else c.Coefs = new short[c.BlocksPerLineAlloc * c.BlocksPerColumnAlloc * 64];
            }
            _progressive = marker == 0xC2;
            _frameSeen = true;
        }

        private void ReadScan(ReadOnlySpan<byte> s)
        {
            if (!_frameSeen) throw Fail.Corrupt("JPEG scan before frame header");
            if (s.Length < 1) throw Fail.Corrupt("JPEG SOS too short");
            int n = s[0];
            if (n < 1 || n > 4 || s.Length < 1 + 2 * n + 3) throw Fail.Corrupt("JPEG SOS component count");
            var scomps = new Component[n];
            for (int i = 0; i < n; i++)
            {
                int id = s[1 + i * 2], tables = s[2 + i * 2];
                var c = Array.Find(_comps, x => x.Id == id) ?? throw Fail.Corrupt($"JPEG scan names unknown component {id}");
                int td = tables >> 4, ta = tables & 15;
                if (td > 3 || ta > 3) throw Fail.Corrupt("JPEG scan Huffman table id");
                c.Dc = _dc[td];
                c.Ac = _ac[ta];
                scomps[i] = c;
            }
            int ss = s[1 + 2 * n], se = s[2 + 2 * n], ah = s[3 + 2 * n] >> 4, al = s[3 + 2 * n] & 15;
            if (_lossless)
            {
                ReadLosslessScan(scomps, predictor: ss, pointTransform: al);
                return;
            }
            if (!_progressive) { ss = 0; se = 63; ah = 0; al = 0; }
            else if (ss > 63 || se > 63 || ss > se || (ss == 0 && se != 0) || (ss > 0 && n != 1) || al > 13 || ah > 13)
                throw Fail.Corrupt("JPEG progressive scan parameters");
            bool needDc = ss == 0 && ah == 0, needAc = se > 0;
            foreach (var c in scomps)
            {
                if (needDc && c.Dc is null) throw Fail.Corrupt("JPEG scan uses an undefined DC Huffman table");
                if (needAc && c.Ac is null) throw Fail.Corrupt("JPEG scan uses an undefined AC Huffman table");
                c.DcPred = 0;
            }
            _eobrun = 0;

            var reader = new JpegBitReader(data, _pos, data.Length);
            Action<JpegBitReader, Component, int> decodeBlock;
            if (!_progressive) decodeBlock = DecodeBaseline;
            else if (ss == 0) decodeBlock = ah == 0 ? (r, c, o) => DecodeDcFirst(r, c, o, al) : (r, c, o) => DecodeDcRefine(r, c, o, al);
            else decodeBlock = ah == 0 ? (r, c, o) => DecodeAcFirst(r, c, o, ss, se, al) : (r, c, o) => DecodeAcRefine(r, c, o, ss, se, al);

            int totalMcus;
            int mcusPerLine;
            if (n == 1)
            {
                mcusPerLine = scomps[0].BlocksPerLine;
                totalMcus = mcusPerLine * scomps[0].BlocksPerColumn;
            }
            else
            {
                mcusPerLine = _mcusX;
                totalMcus = _mcusX * _mcusY;
            }
            int ri = _restartInterval;
            for (int mcu = 0; mcu < totalMcus; mcu++)
            {
                if (ri > 0 && mcu > 0 && mcu % ri == 0) Restart(ref reader, scomps);
                int mx = mcu % mcusPerLine, my = mcu / mcusPerLine;
                if (n == 1)
                {
                    var c = scomps[0];
                    decodeBlock(reader, c, (my * c.BlocksPerLineAlloc + mx) * 64);
                }
                else
                {
                    foreach (var c in scomps)
                    {
                        for (int v = 0; v < c.V; v++)
                        for (int h = 0; h < c.H; h++)
                        {
                            int by = my * c.V + v, bx = mx * c.H + h;
                            decodeBlock(reader, c, (by * c.BlocksPerLineAlloc + bx) * 64);
                        }
                    }
                }
            }
            EndScan(reader);
        }

        /// <summary>Moves to the marker that ends the scan.</summary>
        private void EndScan(JpegBitReader reader)
        {
            int p = reader.Position;
            while (p + 1 < data.Length && !(data[p] == 0xFF && data[p + 1] != 0x00 && data[p + 1] is < 0xD0 or > 0xD7 && data[p + 1] != 0xFF)) p++;
            if (p + 1 >= data.Length) throw Fail.Truncated("JPEG ends without EOI after a scan");
            _pos = p;
        }

        /// <summary>
        /// A lossless scan (T.81 Annex H): each sample is its predictor plus a Huffman-coded difference, modulo 2^16.
        /// Differences are decoded a row at a time (all the scan's components interleaved), then undone per component.
        /// </summary>
        private void ReadLosslessScan(Component[] scomps, int predictor, int pointTransform)
        {
            if (predictor is < 1 or > 7) throw Fail.Corrupt($"lossless JPEG predictor {predictor}");
            if (pointTransform >= _precision) throw Fail.Corrupt($"lossless JPEG point transform {pointTransform} with precision {_precision}");
            foreach (var c in scomps)
                if (c.Dc is null) throw Fail.Corrupt("JPEG scan uses an undefined DC Huffman table");
            int ri = _restartInterval, w = _width, n = scomps.Length;
            // One MCU is one sample of each component; restarts that split a row have no defined prediction rule in
            // libjpeg either, so they are refused.
            if (ri > 0 && ri % w != 0) throw Fail.Unsupported($"lossless JPEG restart interval {ri} is not a whole number of {w}-sample rows");
            int initial = 1 << (_precision - pointTransform - 1);
            var diffs = new int[n * w];
            var reader = new JpegBitReader(data, _pos, data.Length);
            bool firstRow = true;
            for (int y = 0; y < _height; y++)
            {
                if (ri > 0 && y > 0 && y * w % ri == 0)
                {
                    Restart(ref reader, scomps);
                    firstRow = true;
                }
                if (n == 1) reader.DecodeDifferences(scomps[0].Dc!, diffs);
                else
                {
                    for (int x = 0; x < w; x++)
                    for (int i = 0; i < n; i++)
                        diffs[i * w + x] = reader.DecodeDifference(scomps[i].Dc!);
                }
                for (int i = 0; i < n; i++)
                {
                    var plane = scomps[i].Samples;
                    var cur = plane.AsSpan(y * w, w);
                    var diff = diffs.AsSpan(i * w, w);
                    if (firstRow) JpegLossless.UndifferenceFirstRow(diff, cur, initial);
                    else JpegLossless.Undifference(diff, cur, plane.AsSpan((y - 1) * w, w), predictor);
                }
                firstRow = false;
            }
            foreach (var c in scomps) c.PointTransform = pointTransform;
            EndScan(reader);
        }

        private void Restart(ref JpegBitReader reader, Component[] scomps)
        {
            int p = reader.Position;
            // Skip to the RSTn marker (tolerating garbage before it), then past it.
            while (p + 1 < data.Length && !(data[p] == 0xFF && data[p + 1] is >= 0xD0 and <= 0xD7))
            {
                if (data[p] == 0xFF && data[p + 1] != 0x00 && data[p + 1] != 0xFF) break; // another marker: let decoding feed zeros
                p++;
            }
            if (p + 1 >= data.Length) throw Fail.Truncated("JPEG ends before a restart marker");
            if (data[p + 1] is >= 0xD0 and <= 0xD7) p += 2;
            reader = new JpegBitReader(data, p, data.Length);
            foreach (var c in scomps) c.DcPred = 0;
            _eobrun = 0;
        }

        private static void DecodeBaseline(JpegBitReader r, Component c, int off)
        {
            var b = c.Coefs.AsSpan(off, 64);
            int t = r.Decode(c.Dc!);
            c.DcPred += r.ReceiveExtend(t);
            b[0] = (short)c.DcPred;
            var ac = c.Ac!;
            for (int k = 1; k < 64;)
            {
                int rs = r.Decode(ac);
                int s = rs & 15, run = rs >> 4;
                if (s == 0)
                {
                    if (run < 15) break;
                    k += 16;
                    continue;
                }
                k += run;
                if (k > 63) throw Fail.Corrupt("JPEG AC coefficient index past 63");
                b[ZigZag[k]] = (short)r.ReceiveExtend(s);
                k++;
            }
        }

        private static void DecodeDcFirst(JpegBitReader r, Component c, int off, int al)
        {
            int t = r.Decode(c.Dc!);
            c.DcPred += r.ReceiveExtend(t);
            c.Coefs[off] = (short)(c.DcPred << al);
        }

        private static void DecodeDcRefine(JpegBitReader r, Component c, int off, int al)
        {
            if (r.GetBit() != 0) c.Coefs[off] |= (short)(1 << al);
        }

        private void DecodeAcFirst(JpegBitReader r, Component c, int off, int ss, int se, int al)
        {
            if (_eobrun > 0) { _eobrun--; return; }
            var b = c.Coefs.AsSpan(off, 64);
            var ac = c.Ac!;
            for (int k = ss; k <= se;)
            {
                int rs = r.Decode(ac);
                int s = rs & 15, run = rs >> 4;
                if (s == 0)
                {
                    if (run < 15)
                    {
                        _eobrun = (1 << run) - 1;
                        if (run > 0) _eobrun += r.GetBits(run);
                        break;
                    }
                    k += 16;
                    continue;
                }
                k += run;
                if (k > 63) throw Fail.Corrupt("JPEG AC coefficient index past 63");
                b[ZigZag[k]] = (short)(r.ReceiveExtend(s) * (1 << al));
                k++;
            }
        }

        private void DecodeAcRefine(JpegBitReader r, Component c, int off, int ss, int se, int al)
        {
            var b = c.Coefs.AsSpan(off, 64);
            int p1 = 1 << al, m1 = -1 << al;
            int k = ss;
            if (_eobrun == 0)
            {
                var ac = c.Ac!;
                for (; k <= se; k++)
                {
                    int rs = r.Decode(ac);
                    int s = rs & 15, run = rs >> 4;
                    if (s != 0)
                    {
                        s = r.GetBit() != 0 ? p1 : m1;
                    }
                    else if (run != 15)
                    {
                        _eobrun = 1 << run;
                        if (run > 0) _eobrun += r.GetBits(run);
                        break;
                    }
                    while (k <= se)
                    {
                        ref short coef = ref b[ZigZag[k]];
                        if (coef != 0)
                        {
                            if (r.GetBit() != 0 && (coef & p1) == 0) coef += (short)(coef >= 0 ? p1 : m1);
                        }
                        else
                        {
                            if (--run < 0) break;
                        }
                        k++;
                    }
                    if (s != 0)
                    {
                        if (k > 63) throw Fail.Corrupt("JPEG refinement coefficient index past 63");
                        b[ZigZag[k]] = (short)s;
                    }
                }
            }
            if (_eobrun > 0)
            {
                for (; k <= se; k++)
                {
                    ref short coef = ref b[ZigZag[k]];
                    if (coef != 0 && r.GetBit() != 0 && (coef & p1) == 0) coef += (short)(coef >= 0 ? p1 : m1);
                }
                _eobrun--;
            }
        }

        public JpegPlanes Output()
        {
            // Inverse DCT every component into a padded sample plane.
            var planes = new byte[_comps.Length][];
            for (int i = 0; i < _comps.Length; i++)
            {
                var c = _comps[i];
                var q = _quant[c.Tq] ?? throw Fail.Corrupt($"JPEG component {c.Id} uses undefined quantisation table {c.Tq}");
                int stride = c.BlocksPerLineAlloc * 8;
                var plane = new byte[stride * c.BlocksPerColumnAlloc * 8];
                for (int by = 0; by < c.BlocksPerColumn; by++)
                for (int bx = 0; bx < c.BlocksPerLine; bx++)
                {
                    int off = (by * c.BlocksPerLineAlloc + bx) * 64;
                    JpegIdct.Transform(c.Coefs.AsSpan(off, 64), q, plane.AsSpan(by * 8 * stride + bx * 8), stride);
                }
                planes[i] = plane;
            }
            if (_comps.Length == 1)
            {
                var c = _comps[0];
                var grey = new byte[_width * _height];
                int stride = c.BlocksPerLineAlloc * 8;
                for (int y = 0; y < _height; y++) planes[0].AsSpan(y * stride, _width).CopyTo(grey.AsSpan(y * _width));
                return new JpegPlanes(_width, _height, 1, grey);
            }
            bool rgb = !IsYCbCr();
            var full = new byte[3][];
            for (int i = 0; i < 3; i++) full[i] = JpegUpsampler.ToFullSize(planes[i], _comps[i], _width, _height, _hmax, _vmax);
            var outBytes = new byte[_width * _height * 3];
            if (rgb)
            {
                for (int p = 0; p < _width * _height; p++)
                {
                    outBytes[p * 3] = full[0][p]; outBytes[p * 3 + 1] = full[1][p]; outBytes[p * 3 + 2] = full[2][p];
                }
            }
            else
            {
                JpegColor.YCbCrToRgb(full[0], full[1], full[2], outBytes);
            }
            return new JpegPlanes(_width, _height, 3, outBytes);
        }

        /// <summary>
        /// Whether three components are YCbCr (to convert to RGB), decided as libjpeg-turbo does: a JFIF marker means
        /// YCbCr; an Adobe marker's transform flag decides (0 = RGB); component ids 1,2,3 mean YCbCr and 'R','G','B'
        /// mean RGB. Where the stream says nothing (other ids, e.g. 0,1,2) libjpeg assumes YCbCr; GDCM instead
        /// trusts the DICOM Photometric Interpretation, and so do we when we have one (RGB → no conversion).
        /// </summary>
        public bool IsYCbCr()
        {
            if (_jfif) return true;
            if (_adobe) return !_adobeTransformZero;
            var (a, b, c) = (_comps[0].Id, _comps[1].Id, _comps[2].Id);
            if (a == 1 && b == 2 && c == 3) return true;
            if (a == 'R' && b == 'G' && c == 'B') return false;
            return photometricHint != "RGB";
        }

        /// <summary>Integer samples at the stream's precision, interleaved (RGB for three-component DCT streams).</summary>
        public Dicom.DecodedFrame OutputFrame()
        {
            int n = _width * _height, nc = _comps.Length;
            if (IsEightBitDct)
            {
                var planes = Output();
                var wide = new int[planes.Samples.Length];
                for (int i = 0; i < wide.Length; i++) wide[i] = planes.Samples[i];
                // Three components come out RGB whether the stream was YCbCr (converted) or RGB already.
                return new Dicom.DecodedFrame(_width, _height, nc, 8, false, wide) { IsRgb = nc == 3 };
            }
            int[][] comp;
            if (_lossless)
            {
                comp = new int[nc][];
                for (int i = 0; i < nc; i++)
                {
                    var c = _comps[i];
                    int pt = c.PointTransform;
                    if (pt > 0)
                        foreach (ref int v in c.Samples.AsSpan()) v = (v << pt) & 0xFFFF;
                    comp[i] = c.Samples;
                }
            }
            else
            {
                if (nc != 1) throw Fail.Unsupported("12-bit JPEG with three components");
                comp = [Idct12(_comps[0])];
            }
            if (nc == 1) return new Dicom.DecodedFrame(_width, _height, 1, _precision, false, comp[0]);
            var samples = new int[n * nc];
            for (int p = 0; p < n; p++)
            for (int i = 0; i < nc; i++)
                samples[p * nc + i] = comp[i][p];
            return new Dicom.DecodedFrame(_width, _height, nc, _precision, false, samples);
        }

        /// <summary>12-bit inverse DCT of a (greyscale) component, cropped to the image.</summary>
        private int[] Idct12(Component c)
        {
            var q = _quant[c.Tq] ?? throw Fail.Corrupt($"JPEG component {c.Id} uses undefined quantisation table {c.Tq}");
            var outp = new int[_width * _height];
            Span<int> block = stackalloc int[64];
            for (int by = 0; by < c.BlocksPerColumn; by++)
            for (int bx = 0; bx < c.BlocksPerLine; bx++)
            {
                JpegIdct.Transform12(c.Coefs.AsSpan((by * c.BlocksPerLineAlloc + bx) * 64, 64), q, block);
                int rows = Math.Min(8, _height - by * 8), cols = Math.Min(8, _width - bx * 8);
                for (int r = 0; r < rows; r++) block.Slice(r * 8, cols).CopyTo(outp.AsSpan((by * 8 + r) * _width + bx * 8));
            }
            return outp;
        }
    }
}

/// <summary>Decoded 8-bit samples, interleaved.</summary>
internal sealed record JpegPlanes(int Width, int Height, int Channels, byte[] Samples)
{
    private static readonly float[] Lut = Enumerable.Range(0, 256).Select(i => i / 255f).ToArray();

    public PixelImage ToPixelImage()
    {
        var px = new float[Samples.Length];
        var lut = Lut;
        for (int i = 0; i < px.Length; i++) px[i] = lut[Samples[i]];
        return new PixelImage(Width, Height, Channels, px) { Metadata = new ImageMetadata { Format = "jpeg", BitsStored = 8 } };
    }
}
