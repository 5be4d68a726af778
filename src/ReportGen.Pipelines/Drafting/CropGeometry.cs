namespace ReportGen.Pipelines.Drafting;

/// <summary>
/// Where the model's square view lies in the original image: the encoder resizes the shortest edge and takes a
/// centre crop, so the view is the centred square of side min(width, height) in original pixels.
/// </summary>
/// <param name="OriginalWidth">Original image width in pixels.</param>
/// <param name="OriginalHeight">Original image height in pixels.</param>
/// <param name="CropX">Left edge of the crop in original pixels.</param>
/// <param name="CropY">Top edge of the crop in original pixels.</param>
/// <param name="CropWidth">Crop width in original pixels.</param>
/// <param name="CropHeight">Crop height in original pixels.</param>
public sealed record CropGeometry(int OriginalWidth, int OriginalHeight, double CropX, double CropY, double CropWidth, double CropHeight)
{
    /// <summary>The shortest-edge resize + centre crop (MAIRA-2's and the ONNX encoder's "center" crop).</summary>
    public static CropGeometry CenterSquare(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} is not positive");
        double side = Math.Min(width, height);
        return new CropGeometry(width, height, (width - side) / 2, (height - side) / 2, side, side);
    }

    /// <summary>
    /// The view an encoder's preprocessing (models.json) takes of a <paramref name="width"/> x <paramref name="height"/>
    /// image: <c>shortest-edge</c> + <c>center</c> crop keeps the centred Width x Height of the resized image (MobileNet:
    /// resize to 256, crop 224, so the view is 224/256 of the short side, not all of it); <c>letterbox</c> fits the whole
    /// image with padding (the view is larger than the image); <c>stretch</c> sees the whole image. Uses
    /// <see cref="Core.Models.Preprocessing.Placement"/>, the same placement the encoder's preprocessing uses.
    /// </summary>
    public static CropGeometry For(Core.Models.Preprocessing spec, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (rw, rh, ox, oy) = spec.Placement(width, height);
        // Resized pixel r maps to original pixel r * width / rw; the view starts at resized (ox, oy) and spans the input's Width x Height.
        double sx = (double)width / rw, sy = (double)height / rh;
        return new CropGeometry(width, height, ox * sx, oy * sy, spec.Width * sx, spec.Height * sy);
    }

    /// <summary>No crop: the model saw the whole image (stretch or letterbox-free resize).</summary>
    public static CropGeometry Whole(int width, int height) => new(width, height, 0, 0, width, height);

    /// <summary>Maps a box in view fractions (0–1) to original pixels.</summary>
    public BoundingBox ToPixels(BoundingBox view) => new(
        CropX + view.XMin * CropWidth, CropY + view.YMin * CropHeight,
        CropX + view.XMax * CropWidth, CropY + view.YMax * CropHeight);
}
