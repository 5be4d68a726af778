namespace ReportGen.Imaging.Ct;

/// <summary>
/// A CT series as a volume of Hounsfield units, slices sorted along the slice normal (ascending position).
/// </summary>
public sealed class CtVolume
{
    /// <summary>Creates a volume; <paramref name="hounsfield"/> is Depth × Height × Width, slice-major.</summary>
    public CtVolume(int width, int height, int depth, float[] hounsfield, double[] slicePositions, ImageMetadata metadata)
    {
        if (hounsfield.Length != (long)width * height * depth) throw new ArgumentException("voxel count does not match the size", nameof(hounsfield));
        if (slicePositions.Length != depth) throw new ArgumentException("one position per slice", nameof(slicePositions));
        Width = width;
        Height = height;
        Depth = depth;
        Hounsfield = hounsfield;
        SlicePositions = slicePositions;
        Metadata = metadata;
    }

    /// <summary>Columns per slice.</summary>
    public int Width { get; }
    /// <summary>Rows per slice.</summary>
    public int Height { get; }
    /// <summary>Number of slices.</summary>
    public int Depth { get; }
    /// <summary>HU values, Depth × Height × Width, slice-major, slices in ascending position.</summary>
    public float[] Hounsfield { get; }
    /// <summary>Each slice's position along the slice normal (mm), ascending.</summary>
    public double[] SlicePositions { get; }
    /// <summary>Metadata of the first slice (modality, pixel spacing, orientation, …).</summary>
    public ImageMetadata Metadata { get; }

    /// <summary>Median distance between neighbouring slices in mm (null for one slice).</summary>
    public double? SliceSpacing
    {
        get
        {
            if (Depth < 2) return null;
            var gaps = new double[Depth - 1];
            for (int i = 0; i < gaps.Length; i++) gaps[i] = SlicePositions[i + 1] - SlicePositions[i];
            Array.Sort(gaps);
            return gaps[gaps.Length / 2];
        }
    }

    /// <summary>The HU values of one slice.</summary>
    public ReadOnlySpan<float> SliceHounsfield(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Depth);
        return Hounsfield.AsSpan(index * Width * Height, Width * Height);
    }

    /// <summary>One slice through the given windows: one window → grey, three → RGB-like channels (e.g. lung, mediastinum, bone).</summary>
    public PixelImage Slice(int index, IReadOnlyList<CtWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count is not (1 or 3 or 4)) throw new ArgumentException("1, 3 or 4 windows (one per channel)", nameof(windows));
        var hu = SliceHounsfield(index);
        int n = Width * Height, ch = windows.Count;
        var px = new float[n * ch];
        if (ch == 1)
        {
            windows[0].Apply(hu, px);
        }
        else
        {
            var tmp = new float[n];
            for (int c = 0; c < ch; c++)
            {
                windows[c].Apply(hu, tmp);
                for (int i = 0; i < n; i++) px[i * ch + c] = tmp[i];
            }
        }
        var w = windows[0];
        return new PixelImage(Width, Height, ch, px)
        {
            Metadata = Metadata with
            {
                FrameIndex = index,
                Window = (w.Level, w.Width),
                ImagePositionPatient = null,
                InstanceNumber = null,
            },
        };
    }

    /// <summary>Indices of <paramref name="count"/> evenly spaced slices (first and last included; one → the middle).</summary>
    public int[] EvenlySpacedIndices(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        count = Math.Min(count, Depth);
        if (count == 1) return [Depth / 2];
        var idx = new int[count];
        for (int i = 0; i < count; i++) idx[i] = (int)Math.Round(i * (Depth - 1) / (double)(count - 1), MidpointRounding.AwayFromZero);
        return idx;
    }

    /// <summary>
    /// N evenly spaced slices (at most <see cref="Depth"/>) for a 2-D encoder, each through <paramref name="windows"/>
    /// (default: lung, mediastinum, bone as three channels).
    /// </summary>
    public IReadOnlyList<PixelImage> SampleSlices(int count, IReadOnlyList<CtWindow>? windows = null)
    {
        windows ??= CtWindow.Standard;
        return EvenlySpacedIndices(count).Select(i => Slice(i, windows)).ToArray();
    }

    /// <summary>
    /// The [1, C, D, H, W] tensor a 3-D encoder wants: C = one channel per window, the volume resampled
    /// trilinearly to depth × height × width (in-plane on pixel centres; along z by slice position, so uneven gaps are honoured).
    /// </summary>
    public CtTensor ToTensor(int depth, int height, int width, IReadOnlyList<CtWindow>? windows = null)
    {
        windows ??= CtWindow.Standard;
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (windows.Count == 0) throw new ArgumentException("at least one window", nameof(windows));
        int c = windows.Count;
        long total = (long)c * depth * height * width;
        if (total > Array.MaxLength) throw new ArgumentException("tensor too large");
        var data = new float[total];
        int plane = height * width;

        var (xi0, xi1, xw) = Axis(Width, width);
        var (yi0, yi1, yw) = Axis(Height, height);
        var resampled = new float[]?[Depth];
        float[] InPlane(int z)
        {
            if (resampled[z] is { } done) return done;
            var src = SliceHounsfield(z);
            var dst = new float[plane];
            for (int y = 0; y < height; y++)
            {
                int r0 = yi0[y] * Width, r1 = yi1[y] * Width;
                float wy = yw[y];
                for (int x = 0; x < width; x++)
                {
                    float top = src[r0 + xi0[x]] + (src[r0 + xi1[x]] - src[r0 + xi0[x]]) * xw[x];
                    float bottom = src[r1 + xi0[x]] + (src[r1 + xi1[x]] - src[r1 + xi0[x]]) * xw[x];
                    dst[y * width + x] = top + (bottom - top) * wy;
                }
            }
            return resampled[z] = dst;
        }

        var hu = new float[plane];
        double first = SlicePositions[0], last = SlicePositions[^1];
        int k = 0;
        for (int z = 0; z < depth; z++)
        {
            // Output slice centres spread evenly over the physical extent of the series.
            double pos = depth == 1 ? (first + last) / 2 : first + (last - first) * z / (depth - 1);
            while (k + 1 < Depth - 1 && SlicePositions[k + 1] < pos) k++;
            int z0 = k, z1 = Math.Min(k + 1, Depth - 1);
            double span = SlicePositions[z1] - SlicePositions[z0];
            float wz = span > 0 ? (float)Math.Clamp((pos - SlicePositions[z0]) / span, 0, 1) : 0;
            var a = InPlane(z0);
            var b = InPlane(z1);
            for (int i = 0; i < plane; i++) hu[i] = a[i] + (b[i] - a[i]) * wz;
            for (int ch = 0; ch < c; ch++) windows[ch].Apply(hu, data.AsSpan((ch * depth + z) * plane, plane));
            if (z0 > 0) resampled[z0 - 1] = null; // slices behind us are no longer needed
        }
        return new CtTensor(data, [1, c, depth, height, width], windows.Select(w => w.Name).ToArray());
    }

    /// <summary>Per output index: the two source indices and the weight of the second (pixel-centre alignment).</summary>
    private static (int[] I0, int[] I1, float[] W) Axis(int inSize, int outSize)
    {
        var i0 = new int[outSize];
        var i1 = new int[outSize];
        var w = new float[outSize];
        double scale = (double)inSize / outSize;
        for (int o = 0; o < outSize; o++)
        {
            double s = Math.Clamp((o + 0.5) * scale - 0.5, 0, inSize - 1);
            int a = (int)Math.Floor(s);
            i0[o] = a;
            i1[o] = Math.Min(a + 1, inSize - 1);
            w[o] = (float)(s - a);
        }
        return (i0, i1, w);
    }
}

/// <summary>A dense float tensor for an encoder: row-major <see cref="Data"/> of shape <see cref="Shape"/>.</summary>
/// <param name="Data">Values, row-major.</param>
/// <param name="Shape">e.g. [1, C, D, H, W].</param>
/// <param name="Channels">What each channel holds (window names).</param>
public sealed record CtTensor(float[] Data, int[] Shape, IReadOnlyList<string> Channels);
