using System.Buffers;
using System.Numerics.Tensors;
using ReportGen.Core.Models;
using ReportGen.Imaging;

namespace ReportGen.Onnx;

/// <summary>
/// Turns a decoded <see cref="PixelImage"/> into the float tensor an encoder expects, exactly as its manifest entry
/// says (<see cref="Core.Models.Preprocessing"/>): resize (shortest-edge + crop, stretch or letterbox), channel order
/// (RGB, BGR, L; grey is replicated to three channels), mean/std normalisation and layout (NCHW, NHWC, or NCDHW for
/// 3-D encoders). Separable: a vertical pass blends whole source rows with SIMD multiply-adds, then a horizontal pass
/// computes only the output columns; a big downscale averages areas instead of sampling (see <see cref="ResampleAxis"/>). Thread-safe; scratch memory comes from the shared pool.
/// </summary>
public sealed class ImagePreprocessor
{
    private readonly float[] _scale; // 1/std per output channel
    private readonly float[] _shift; // -mean/std per output channel
    private readonly bool _bgr;
    private readonly bool _nhwc;

    /// <summary>Validates the manifest's preprocessing block.</summary>
    /// <exception cref="ArgumentException">A field has a value this preprocessor does not know; the message names it.</exception>
    public ImagePreprocessor(Core.Models.Preprocessing spec)
    {
        Spec = spec;
        if (spec.Width <= 0 || spec.Height <= 0) throw new ArgumentException($"preprocessing width/height must be positive, got {spec.Width}x{spec.Height}");
        if (spec.Resize is not ("shortest-edge" or "stretch" or "letterbox")) throw new ArgumentException($"preprocessing resize '{spec.Resize}' is not shortest-edge, stretch or letterbox");
        if (spec.Crop is not ("center" or "none")) throw new ArgumentException($"preprocessing crop '{spec.Crop}' is not center or none");
        if (spec.ShortestEdge is <= 0) throw new ArgumentException($"preprocessing shortestEdge must be positive, got {spec.ShortestEdge}");
        Channels = spec.Channels switch
        {
            "RGB" or "BGR" => 3,
            "L" => 1,
            _ => throw new ArgumentException($"preprocessing channels '{spec.Channels}' is not RGB, BGR or L"),
        };
        if (spec.Layout is not ("NCHW" or "NHWC" or "NCDHW")) throw new ArgumentException($"preprocessing layout '{spec.Layout}' is not NCHW, NHWC or NCDHW");
        if (spec.Layout == "NCDHW" && spec.Depth is not > 0) throw new ArgumentException("preprocessing layout NCDHW needs a positive depth");
        if (spec.Mean.Length == 0 || spec.Mean.Length != spec.Std.Length || (spec.Mean.Length != 1 && spec.Mean.Length < Channels))
            throw new ArgumentException($"preprocessing mean/std need 1 or {Channels} values each");
        if (spec.Std.Any(s => !(s > 0))) throw new ArgumentException("preprocessing std values must be > 0");
        _scale = new float[Channels];
        _shift = new float[Channels];
        for (var c = 0; c < Channels; c++)
        {
            var i = spec.Mean.Length == 1 ? 0 : c;
            _scale[c] = 1f / spec.Std[i];
            _shift[c] = -spec.Mean[i] / spec.Std[i];
        }
        _bgr = spec.Channels == "BGR";
        _nhwc = spec.Layout == "NHWC";
        Depth = spec.Layout == "NCDHW" ? spec.Depth!.Value : 0;
    }

    /// <summary>The manifest block this was built from.</summary>
    public Core.Models.Preprocessing Spec { get; }

    /// <summary>Output channels (3 for RGB/BGR, 1 for L).</summary>
    public int Channels { get; }

    /// <summary>Slices per volume for NCDHW encoders; 0 for 2-D encoders.</summary>
    public int Depth { get; }

    /// <summary>Floats per 2-D image (C x H x W).</summary>
    public int ValuesPerImage => Channels * Spec.Width * Spec.Height;

    /// <summary>Floats per batch item: one image, or one volume of <see cref="Depth"/> slices.</summary>
    public int ValuesPerItem => Depth > 0 ? ValuesPerImage * Depth : ValuesPerImage;

    /// <summary>The input tensor shape for <paramref name="batch"/> items.</summary>
    public long[] Shape(int batch) => Spec.Layout switch
    {
        "NHWC" => [batch, Spec.Height, Spec.Width, Channels],
        "NCDHW" => [batch, Channels, Depth, Spec.Height, Spec.Width],
        _ => [batch, Channels, Spec.Height, Spec.Width],
    };

    /// <summary>Writes one image (<see cref="ValuesPerImage"/> floats, in the 2-D layout) into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">The image is empty, inconsistent, or the destination too small.</exception>
    public void Process(PixelImage image, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width <= 0 || image.Height <= 0 || image.Channels is not (1 or 3 or 4) || image.Pixels.Length != (long)image.Width * image.Height * image.Channels)
            throw new ArgumentException($"image {image.Width}x{image.Height}x{image.Channels} does not match its {image.Pixels.Length} samples");
        if (destination.Length < ValuesPerImage) throw new ArgumentException($"destination holds {destination.Length} floats; {ValuesPerImage} needed");

        var (ax, ay) = Axes(image.Width, image.Height);
        var outW = Spec.Width;
        var outH = Spec.Height;
        var srcC = image.Channels;
        var rc = srcC == 1 ? 1 : 3; // channels resampled: alpha is dropped
        var rowLen = outW * rc;

        // Pass 1, vertical: each output row is a weighted sum of a few whole source rows (SIMD multiply-adds over
        // W x C floats), so the per-pixel scalar work below runs on only outH rows however tall the source is.
        var srcRowLen = image.Width * srcC;
        var temp = ArrayPool<float>.Shared.Rent(outH * srcRowLen);
        var acc = ArrayPool<float>.Shared.Rent(rowLen);
        try
        {
            var pixels = image.Pixels;
            for (var oy = 0; oy < outH; oy++)
            {
                var blended = temp.AsSpan(oy * srcRowLen, srcRowLen);
                blended.Clear();
                var n = ay.Count[oy];
                for (var k = 0; k < n; k++)
                    TensorPrimitives.MultiplyAdd(pixels.AsSpan((ay.Start[oy] + k) * srcRowLen, srcRowLen), ay.Weights[oy * ay.MaxTaps + k], blended, blended);
            }

            // Pass 2, horizontal: only the output columns (the crop), then normalise into the destination.
            var row = acc.AsSpan(0, rowLen);
            for (var oy = 0; oy < outH; oy++)
            {
                HorizontalRow(temp.AsSpan(oy * srcRowLen, srcRowLen), srcC, rc, ax, row);
                WriteRow(row, rc, oy, destination);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(temp);
            ArrayPool<float>.Shared.Return(acc);
        }
    }

    /// <summary>
    /// Writes one volume for an NCDHW encoder: <see cref="Depth"/> slices, sampled evenly from <paramref name="slices"/>
    /// when their count differs, each preprocessed like a 2-D image.
    /// </summary>
    /// <exception cref="InvalidOperationException">This preprocessor is for a 2-D encoder.</exception>
    public void ProcessVolume(IReadOnlyList<PixelImage> slices, Span<float> destination)
    {
        if (Depth == 0) throw new InvalidOperationException($"layout {Spec.Layout} is 2-D; volumes need NCDHW");
        if (slices.Count == 0) throw new ArgumentException("a volume needs at least one slice");
        if (destination.Length < ValuesPerItem) throw new ArgumentException($"destination holds {destination.Length} floats; {ValuesPerItem} needed");
        var plane = Spec.Width * Spec.Height;
        var scratch = ArrayPool<float>.Shared.Rent(ValuesPerImage);
        try
        {
            for (var d = 0; d < Depth; d++)
            {
                var index = slices.Count == Depth ? d : (int)Math.Min(slices.Count - 1, Math.Floor((d + 0.5) * slices.Count / Depth));
                Process(slices[index], scratch);
                for (var c = 0; c < Channels; c++)
                    scratch.AsSpan(c * plane, plane).CopyTo(destination.Slice((c * Depth + d) * plane, plane));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>Per-axis taps for a source size under the manifest's resize/crop rule.</summary>
    internal (ResampleAxis X, ResampleAxis Y) Axes(int width, int height)
    {
        var (rw, rh, ox, oy) = Spec.Placement(width, height);
        return (new ResampleAxis(width, rw, Spec.Width, ox), new ResampleAxis(height, rh, Spec.Height, oy));
    }

    private static void HorizontalRow(ReadOnlySpan<float> src, int srcC, int rc, ResampleAxis ax, Span<float> dst)
    {
        var taps = ax.MaxTaps;
        var weights = ax.Weights;
        for (var o = 0; o < ax.Count.Length; o++)
        {
            var n = ax.Count[o];
            var start = ax.Start[o];
            var wBase = o * taps;
            if (rc == 1)
            {
                float s = 0;
                for (var k = 0; k < n; k++) s += weights[wBase + k] * src[start + k];
                dst[o] = s;
            }
            else
            {
                float r = 0, g = 0, b = 0;
                for (var k = 0; k < n; k++)
                {
                    var w = weights[wBase + k];
                    var p = (start + k) * srcC;
                    r += w * src[p];
                    g += w * src[p + 1];
                    b += w * src[p + 2];
                }
                dst[o * 3] = r;
                dst[o * 3 + 1] = g;
                dst[o * 3 + 2] = b;
            }
        }
    }

    private void Normalise(ReadOnlySpan<float> row, int c, Span<float> dst)
    {
        TensorPrimitives.Multiply(row, _scale[c], dst);
        TensorPrimitives.Add(dst, _shift[c], dst);
    }

    private void WriteRow(ReadOnlySpan<float> row, int rc, int oy, Span<float> destination)
    {
        var outW = Spec.Width;
        var plane = outW * Spec.Height;
        if (Channels == 1)
        {
            var dst = destination.Slice(oy * outW, outW);
            if (rc == 1)
            {
                Normalise(row, 0, dst);
                return;
            }
            for (var x = 0; x < outW; x++)
                dst[x] = (0.299f * row[x * 3] + 0.587f * row[x * 3 + 1] + 0.114f * row[x * 3 + 2]) * _scale[0] + _shift[0];
            return;
        }

        if (_nhwc)
        {
            var dst = destination.Slice(oy * outW * 3, outW * 3);
            for (var x = 0; x < outW; x++)
                for (var c = 0; c < 3; c++)
                {
                    var v = rc == 1 ? row[x] : row[x * 3 + (_bgr ? 2 - c : c)];
                    dst[x * 3 + c] = v * _scale[c] + _shift[c];
                }
            return;
        }

        for (var c = 0; c < 3; c++)
        {
            var dst = destination.Slice(c * plane + oy * outW, outW);
            if (rc == 1)
            {
                Normalise(row, c, dst);
                continue;
            }
            var sc = _bgr ? 2 - c : c;
            for (var x = 0; x < outW; x++) dst[x] = row[x * 3 + sc] * _scale[c] + _shift[c];
        }
    }
}
