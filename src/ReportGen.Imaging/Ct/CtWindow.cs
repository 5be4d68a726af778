namespace ReportGen.Imaging.Ct;

/// <summary>
/// A named CT display window in Hounsfield units: values from Level − Width/2 to Level + Width/2 map linearly to
/// 0..1, clipped outside.
/// </summary>
/// <param name="Name">e.g. "lung".</param>
/// <param name="Level">Window level (centre), HU.</param>
/// <param name="Width">Window width, HU (&gt; 0).</param>
public readonly record struct CtWindow(string Name, double Level, double Width)
{
    /// <summary>Lung: W 1500 / L −600 HU (aerated lung −900…−500 stays graded; soft tissue saturates).</summary>
    public static CtWindow Lung { get; } = new("lung", -600, 1500);

    /// <summary>Mediastinum (soft tissue): W 350 / L 50 HU (fat −100, blood/muscle 30–60, contrast up to ~225).</summary>
    public static CtWindow Mediastinum { get; } = new("mediastinum", 50, 350);

    /// <summary>Bone: W 1800 / L 400 HU (cortical bone up to ~1300 HU stays graded).</summary>
    public static CtWindow Bone { get; } = new("bone", 400, 1800);

    /// <summary>Lung, mediastinum, bone: the usual three channels for a CT encoder.</summary>
    public static IReadOnlyList<CtWindow> Standard { get; } = [Lung, Mediastinum, Bone];

    /// <summary>A named window ("lung", "mediastinum", "bone"; case-insensitive).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static CtWindow ByName(string name) => name.ToLowerInvariant() switch
    {
        "lung" => Lung,
        "mediastinum" or "soft-tissue" or "soft_tissue" => Mediastinum,
        "bone" => Bone,
        _ => throw new ArgumentException($"unknown CT window '{name}' (expected lung, mediastinum or bone)", nameof(name)),
    };

    /// <summary>Maps HU values to [0, 1] into <paramref name="destination"/> (may alias <paramref name="hu"/>).</summary>
    public void Apply(ReadOnlySpan<float> hu, Span<float> destination)
    {
        if (Width <= 0) throw new InvalidOperationException($"CT window '{Name}' has width {Width}");
        float lo = (float)(Level - Width / 2), scale = (float)(1 / Width);
        for (int i = 0; i < hu.Length; i++)
        {
            float y = (hu[i] - lo) * scale;
            destination[i] = y < 0 ? 0 : y > 1 ? 1 : y;
        }
    }
}
