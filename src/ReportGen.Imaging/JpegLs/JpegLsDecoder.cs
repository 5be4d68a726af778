using System.Buffers.Binary;
using ReportGen.Imaging.Dicom;

namespace ReportGen.Imaging.JpegLs;

/// <summary>
/// Managed JPEG-LS decoder (ITU-T T.87 / ISO 14495-1), lossless and near-lossless: regular mode with the 365 context
/// statistics, run mode, NEAR, 2–16-bit precision, one or three components, interleave none / line / sample, preset
/// coding parameters (LSE id 1: MAXVAL, T1–T3, RESET) and restart markers. Written from the standard; the run-mode
/// details of sample-interleaved scans follow CharLS (what dcmtk and GDCM use), so output matches theirs.
/// Not decoded (typed <c>unsupported</c>): mapping tables (LSE 2/3), oversize dimensions (LSE 4), point transform.
/// </summary>
internal static class JpegLsDecoder
{
    /// <inheritdoc cref="FrameCodec"/>
    public static DecodedFrame Decode(ReadOnlySpan<byte> data, FrameGeometry expected, ImageDecodeOptions options)
    {
        _ = expected; // the DICOM layer checks the stream's size and components against the header
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
            throw new ImageDecodeException(ImageDecodeErrorCodes.BadMagic, "not a JPEG-LS stream: SOI marker missing");
        return new Parser(data.ToArray(), options).Run();
    }

    private sealed class Parser(byte[] data, ImageDecodeOptions options)
    {
        private int _pos = 2, _width, _height, _precision, _restartInterval;
        private int[] _ids = [];
        private JpegLsParameters _preset;
        private int[] _samples = [];
        private int _componentsDone;

        private int U16(int at)
        {
            if (at + 2 > data.Length) throw Fail.Truncated("JPEG-LS marker segment");
            return BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at));
        }

        public DecodedFrame Run()
        {
            while (true)
            {
                if (_pos >= data.Length) throw Fail.Truncated(_samples.Length == 0 ? "JPEG-LS ends before any scan" : "JPEG-LS ends without EOI");
                if (data[_pos] != 0xFF) throw Fail.Corrupt($"JPEG-LS expected a marker at offset {_pos}");
                while (_pos < data.Length && data[_pos] == 0xFF) _pos++;
                if (_pos >= data.Length) throw Fail.Truncated("JPEG-LS ends inside a marker");
                int marker = data[_pos++];
                if (marker == 0xD9) break;
                if (marker is 0xD8 or (>= 0xD0 and <= 0xD7)) continue;
                int len = U16(_pos);
                if (len < 2 || _pos + len > data.Length) throw Fail.Truncated($"JPEG-LS marker 0x{marker:X2} segment of {len} bytes");
                var seg = data.AsSpan(_pos + 2, len - 2);
                _pos += len;
                switch (marker)
                {
                    case 0xF7: ReadFrame(seg); break;
                    case 0xF8: ReadPreset(seg); break;
                    case 0xDD:
                        // T.87 allows a 2-, 3- or 4-byte interval (in lines).
                        if (seg.Length is < 2 or > 4) throw Fail.Corrupt("JPEG-LS DRI length");
                        _restartInterval = 0;
                        foreach (var b in seg) _restartInterval = (_restartInterval << 8) | b;
                        if (_restartInterval < 0) throw Fail.Corrupt("JPEG-LS restart interval");
                        break;
                    case 0xDA: ReadScan(seg); break;
                    case >= 0xC0 and <= 0xCF when marker is not (0xC4 or 0xC8 or 0xCC):
                        throw Fail.Unsupported($"JPEG SOF{marker - 0xC0} inside a JPEG-LS stream");
                    default: break; // APPn, COM: skipped
                }
            }
            if (_samples.Length == 0) throw Fail.Corrupt("JPEG-LS has no frame or no scan");
            if (_componentsDone < _ids.Length) throw Fail.Truncated($"JPEG-LS scans cover {_componentsDone} of {_ids.Length} components");
            return new DecodedFrame(_width, _height, _ids.Length, _precision, false, _samples);
        }

        private void ReadFrame(ReadOnlySpan<byte> s)
        {
            if (_samples.Length != 0) throw Fail.Unsupported("JPEG-LS with more than one frame");
            if (s.Length < 6) throw Fail.Corrupt("JPEG-LS SOF55 too short");
            _precision = s[0];
            _height = BinaryPrimitives.ReadUInt16BigEndian(s[1..]);
            _width = BinaryPrimitives.ReadUInt16BigEndian(s[3..]);
            int n = s[5];
            if (_precision is < 2 or > 16) throw Fail.Unsupported($"JPEG-LS precision {_precision}");
            if (_width == 0 || _height == 0) throw Fail.Unsupported("JPEG-LS size given by an LSE oversize segment");
            if (n is not (1 or 3)) throw Fail.Unsupported($"JPEG-LS with {n} components (only 1 and 3 are decoded)");
            if (s.Length < 6 + 3 * n) throw Fail.Corrupt("JPEG-LS SOF55 shorter than its components");
            long samples = (long)_width * _height * n;
            if ((long)_width * _height > options.MaxPixels) throw Fail.TooLarge($"JPEG-LS {_width}x{_height} exceeds MaxPixels {options.MaxPixels}");
            // A flat image costs about a byte per line in run mode; far fewer bytes than that cannot be a real image.
            if (samples > (data.Length + 64L) * (long)(options.MaxCompressionRatio * 8))
                throw Fail.Bomb($"JPEG-LS of {data.Length} bytes announces {_width}x{_height}x{n} samples");
            _ids = new int[n];
            for (int i = 0; i < n; i++)
            {
                _ids[i] = s[6 + 3 * i];
                if (s[7 + 3 * i] != 0x11) throw Fail.Unsupported("JPEG-LS with subsampled components");
            }
            _samples = new int[samples];
        }

        private void ReadPreset(ReadOnlySpan<byte> s)
        {
            if (s.Length < 1) throw Fail.Corrupt("JPEG-LS LSE too short");
            if (s[0] != 1) throw Fail.Unsupported($"JPEG-LS LSE id {s[0]} (mapping tables / oversize images)");
            if (s.Length < 11) throw Fail.Corrupt("JPEG-LS LSE preset parameters too short");
            _preset = new JpegLsParameters(
                BinaryPrimitives.ReadUInt16BigEndian(s[1..]), BinaryPrimitives.ReadUInt16BigEndian(s[3..]),
                BinaryPrimitives.ReadUInt16BigEndian(s[5..]), BinaryPrimitives.ReadUInt16BigEndian(s[7..]),
                BinaryPrimitives.ReadUInt16BigEndian(s[9..]));
        }

        private void ReadScan(ReadOnlySpan<byte> s)
        {
            if (_samples.Length == 0) throw Fail.Corrupt("JPEG-LS scan before frame header");
            if (s.Length < 1) throw Fail.Corrupt("JPEG-LS SOS too short");
            int ns = s[0];
            if (ns < 1 || ns > _ids.Length || s.Length < 1 + 2 * ns + 3) throw Fail.Corrupt("JPEG-LS SOS component count");
            var comps = new int[ns];
            for (int i = 0; i < ns; i++)
            {
                int idx = Array.IndexOf(_ids, s[1 + 2 * i]);
                if (idx < 0) throw Fail.Corrupt($"JPEG-LS scan names unknown component {s[1 + 2 * i]}");
                if (s[2 + 2 * i] != 0) throw Fail.Unsupported("JPEG-LS mapping tables");
                comps[i] = idx;
            }
            int near = s[1 + 2 * ns], ilv = s[2 + 2 * ns], pt = s[3 + 2 * ns] & 15;
            if (pt != 0) throw Fail.Unsupported("JPEG-LS point transform");
            if (ilv > 2) throw Fail.Corrupt($"JPEG-LS interleave mode {ilv}");
            if (ilv == 0 && ns != 1) throw Fail.Corrupt("JPEG-LS non-interleaved scan with several components");
            if (ilv == 2 && ns != 3) throw Fail.Unsupported($"JPEG-LS sample-interleaved scan of {ns} components");
            var p = _preset.Resolve(_precision, near);
            var scan = new JpegLsScan(data, _pos, p, _width, _height, _restartInterval);
            if (ilv == 2) scan.DecodeSampleInterleaved(_samples, comps, _ids.Length);
            else scan.DecodeLines(_samples, comps, _ids.Length);
            _componentsDone += ns;
            // Move to the marker that ends the scan.
            int q = scan.EndPosition;
            while (q + 1 < data.Length && !(data[q] == 0xFF && data[q + 1] >= 0x80 && data[q + 1] is < 0xD0 or > 0xD7)) q++;
            if (q + 1 >= data.Length) throw Fail.Truncated("JPEG-LS ends without EOI after a scan");
            _pos = q;
        }
    }
}

/// <summary>The coding parameters of T.87 C.2.4.1 as they appear in an LSE segment (0 = default).</summary>
internal readonly record struct JpegLsParameters(int MaxVal, int T1, int T2, int T3, int Reset)
{
    /// <summary>Fills the defaults for a precision and NEAR and checks the values (T.87 C.2.4.1.1).</summary>
    public JpegLsParameters Resolve(int precision, int near) => Resolve(precision, near, this);

    private static JpegLsParameters Resolve(int precision, int near, JpegLsParameters given)
    {
        int maxVal = given.MaxVal != 0 ? given.MaxVal : (1 << precision) - 1;
        if (maxVal >= 1 << precision || maxVal < 1) throw Fail.Corrupt($"JPEG-LS MAXVAL {maxVal} for precision {precision}");
        if (near > Math.Min(255, maxVal / 2)) throw Fail.Corrupt($"JPEG-LS NEAR {near} with MAXVAL {maxVal}");
        static int Clamp(int i, int j, int maxVal) => i > maxVal || i < j ? j : i;
        int t1, t2, t3;
        if (maxVal >= 128)
        {
            int factor = (Math.Min(maxVal, 4095) + 128) / 256;
            t1 = Clamp(factor * (3 - 2) + 2 + 3 * near, near + 1, maxVal);
            t2 = Clamp(factor * (7 - 3) + 3 + 5 * near, t1, maxVal);
            t3 = Clamp(factor * (21 - 4) + 4 + 7 * near, t2, maxVal);
        }
        else
        {
            int factor = 256 / (maxVal + 1);
            t1 = Clamp(Math.Max(2, 3 / factor + 3 * near), near + 1, maxVal);
            t2 = Clamp(Math.Max(3, 7 / factor + 5 * near), t1, maxVal);
            t3 = Clamp(Math.Max(4, 21 / factor + 7 * near), t2, maxVal);
        }
        if (given.T1 != 0) t1 = given.T1;
        if (given.T2 != 0) t2 = given.T2;
        if (given.T3 != 0) t3 = given.T3;
        int reset = given.Reset != 0 ? given.Reset : 64;
        if (t1 < near + 1 || t2 < t1 || t3 < t2 || t3 > maxVal || reset < 3)
            throw Fail.Corrupt($"JPEG-LS thresholds T1={t1} T2={t2} T3={t3} RESET={reset} with MAXVAL {maxVal}, NEAR {near}");
        return new JpegLsParameters(maxVal, t1, t2, t3, reset) { Near = near };
    }

    /// <summary>NEAR of the scan (set by <see cref="Resolve(int, int)"/>).</summary>
    public int Near { get; init; }
}
