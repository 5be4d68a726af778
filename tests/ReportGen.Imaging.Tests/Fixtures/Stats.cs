namespace ReportGen.Imaging.Tests.Fixtures;

/// <summary>Pixel statistics in the source's integer scale, to compare with numpy.</summary>
internal static class Stats
{
    /// <summary>Mean, population std, min, max of samples × scale (rounded to integers for min/max).</summary>
    public static (double Mean, double Std, int Min, int Max) Of(float[] pixels, double scale)
    {
        double sum = 0, sq = 0;
        int min = int.MaxValue, max = int.MinValue;
        foreach (var p in pixels)
        {
            int v = (int)Math.Round(p * scale);
            sum += v; sq += (double)v * v;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        double mean = sum / pixels.Length;
        return (mean, Math.Sqrt(sq / pixels.Length - mean * mean), min, max);
    }

    /// <summary>Sample at (row, column), channel 0, × scale, rounded.</summary>
    public static int At(PixelImage img, int row, int col, double scale) =>
        (int)Math.Round(img.Pixels[(row * img.Width + col) * img.Channels] * scale);
}
