namespace ReportGen.Onnx;

/// <summary>
/// Precomputed taps for one axis of a separable resample: output index -> (first source index, weights). Upsampling
/// and mild downsampling use bilinear taps (half-pixel centres, edge clamped); a downscale by more than 2x uses area
/// (box) weights, i.e. each output pixel averages exactly the source pixels it covers, which keeps a 2048 -> 224
/// reduction free of aliasing and costs only ~scale taps per pixel.
/// </summary>
internal sealed class ResampleAxis
{
    /// <summary>First source index per output index (unused where <see cref="Count"/> is 0).</summary>
    public readonly int[] Start;
    /// <summary>Number of taps per output index; 0 marks padding (letterbox).</summary>
    public readonly int[] Count;
    /// <summary>Weights, <see cref="MaxTaps"/> per output index.</summary>
    public readonly float[] Weights;
    /// <summary>Stride of <see cref="Weights"/>.</summary>
    public readonly int MaxTaps;

    /// <summary>Lowest and highest source index any tap touches (inclusive); -1 when the axis is all padding.</summary>
    public int MinSource { get; } = int.MaxValue;
    /// <summary>Highest source index any tap touches.</summary>
    public int MaxSource { get; } = -1;

    /// <param name="sourceSize">Source pixels along the axis.</param>
    /// <param name="resizedSize">Size the source is resized to before the crop/pad.</param>
    /// <param name="outputSize">Pixels written along the axis.</param>
    /// <param name="offset">Resized index of output index 0: positive crops, negative pads.</param>
    public ResampleAxis(int sourceSize, int resizedSize, int outputSize, int offset)
    {
        var scale = (double)sourceSize / resizedSize; // source pixels per resized pixel
        var area = scale > 2.0;
        MaxTaps = area ? (int)Math.Ceiling(scale) + 2 : 2;
        Start = new int[outputSize];
        Count = new int[outputSize];
        Weights = new float[outputSize * MaxTaps];
        for (var o = 0; o < outputSize; o++)
        {
            var r = o + offset;
            if (r < 0 || r >= resizedSize) continue; // padding
            var w = Weights.AsSpan(o * MaxTaps, MaxTaps);
            int first, n;
            if (area)
            {
                var lo = r * scale;
                var hi = Math.Min((r + 1) * scale, sourceSize);
                first = (int)Math.Floor(lo);
                var last = Math.Min((int)Math.Ceiling(hi) - 1, sourceSize - 1);
                n = last - first + 1;
                for (var k = 0; k < n; k++)
                {
                    var s = first + k;
                    w[k] = (float)((Math.Min(hi, s + 1) - Math.Max(lo, s)) / (hi - lo));
                }
            }
            else
            {
                var centre = Math.Clamp((r + 0.5) * scale - 0.5, 0, sourceSize - 1);
                first = Math.Min((int)Math.Floor(centre), Math.Max(sourceSize - 2, 0));
                var frac = (float)(centre - first);
                n = sourceSize > 1 ? 2 : 1;
                w[0] = n == 2 ? 1f - frac : 1f;
                if (n == 2) w[1] = frac;
            }
            Start[o] = first;
            Count[o] = n;
            MinSource = Math.Min(MinSource, first);
            MaxSource = Math.Max(MaxSource, first + n - 1);
        }
        if (MaxSource < 0) MinSource = -1;
    }
}
