using System.Diagnostics;
using ReportGen.Imaging;
using ReportGen.Onnx;

namespace ReportGen.Eval.Bench;

/// <summary>One benchmark input: encoded bytes, or (when no decoder handles the format yet) a stand-in image.</summary>
/// <param name="Name">Row label.</param>
/// <param name="Bytes">The file as a client would send it.</param>
/// <param name="Fallback">Pixels to use when decoding is not possible here (the row then says decode n/a).</param>
public sealed record EncoderBenchCase(string Name, byte[] Bytes, PixelImage? Fallback = null);

/// <summary>Timings of one case: medians in milliseconds per image (medians, because a shared machine's preemptions
/// inflate means; the total is the median of whole decode+encode times, so the shares need not sum to exactly 100%).</summary>
/// <param name="Name">Case label.</param>
/// <param name="Width">Decoded width.</param>
/// <param name="Height">Decoded height.</param>
/// <param name="Iterations">Timed iterations.</param>
/// <param name="DecodeMs">Decode time, or null when the format could not be decoded (fallback pixels used).</param>
/// <param name="PreprocessMs">Preprocessing time.</param>
/// <param name="RunMs">ONNX Runtime time.</param>
/// <param name="TotalMs">End-to-end time per image.</param>
/// <param name="Note">Why decode is missing, if it is.</param>
public sealed record EncoderBenchRow(string Name, int Width, int Height, int Iterations, double? DecodeMs, double PreprocessMs, double RunMs, double TotalMs, string? Note)
{
    /// <summary>Images per second end to end.</summary>
    public double ImagesPerSecond => 1000.0 / TotalMs;

    /// <summary>Share of the total spent decoding and preprocessing.</summary>
    public double DecodePreprocessShare => ((DecodeMs ?? 0) + PreprocessMs) / TotalMs;

    /// <summary>Share of the total spent preprocessing (the target: under 20% for a 2048x2048 16-bit DICOM).</summary>
    public double PreprocessShare => PreprocessMs / TotalMs;

    /// <summary>Share of the total spent in <c>Run</c>.</summary>
    public double RunShare => RunMs / TotalMs;
}

/// <summary>
/// Decode -> preprocess -> Run timings for an <see cref="ImageEncoder"/>, one image at a time (the latency a request
/// sees). Ratios are measured within one run, so they stay meaningful on a busy machine even when absolute times do not.
/// </summary>
public static class EncoderBenchmark
{
    /// <summary>The standard cases: a 2048x2048 16-bit DICOM made in memory, then every PNG/DICOM in <paramref name="imagesFolder"/>.</summary>
    public static IReadOnlyList<EncoderBenchCase> StandardCases(string? imagesFolder)
    {
        var cases = new List<EncoderBenchCase> { new("dicom 2048x2048 16-bit (synthetic)", SyntheticDicom.Create(), SyntheticPixels(2048, 2048)) };
        if (imagesFolder is not null && Directory.Exists(imagesFolder))
            foreach (var file in Directory.EnumerateFiles(imagesFolder).Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".dcm", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
                cases.Add(new(Path.GetFileName(file), File.ReadAllBytes(file)));
        return cases;
    }

    /// <summary>Times each case: <paramref name="warmup"/> untimed runs, then <paramref name="iterations"/> timed ones.</summary>
    public static IReadOnlyList<EncoderBenchRow> Run(ImageEncoder encoder, IEnumerable<EncoderBenchCase> cases, int iterations, int warmup, CancellationToken cancellationToken)
    {
        var rows = new List<EncoderBenchRow>();
        foreach (var c in cases)
        {
            string? note = null;
            PixelImage? fixedImage = null;
            try
            {
                ImageDecoder.Decode(c.Bytes);
            }
            catch (ImageDecodeException e)
            {
                if (c.Fallback is null)
                {
                    rows.Add(new EncoderBenchRow(c.Name, 0, 0, 0, null, 0, 0, double.NaN, $"skipped: {e.Message}"));
                    continue;
                }
                fixedImage = c.Fallback;
                note = $"decode n/a ({e.Code}); same pixels built in memory";
            }

            List<double> decode = [], pre = [], run = [], total = [];
            var (w, h) = (0, 0);
            for (var i = -warmup; i < iterations; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                var image = fixedImage ?? ImageDecoder.Decode(c.Bytes);
                var decodeMs = clock.Elapsed.TotalMilliseconds;
                var e = encoder.Encode(image);
                var totalMs = clock.Elapsed.TotalMilliseconds;
                (w, h) = (image.Width, image.Height);
                if (i < 0) continue;
                decode.Add(decodeMs);
                pre.Add(e.PreprocessMs);
                run.Add(e.RunMs);
                total.Add(totalMs);
            }
            rows.Add(new EncoderBenchRow(c.Name, w, h, iterations, fixedImage is null ? Median(decode) : null, Median(pre), Median(run), Median(total), note));
        }
        return rows;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /// <summary>What <see cref="SyntheticDicom.Create"/> decodes to (12 bits stored scaled to [0,1]), for when no DICOM decoder is present.</summary>
    public static PixelImage SyntheticPixels(int width, int height)
    {
        var pixels = new float[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var dx = (x - width / 2.0) / width;
                var dy = (y - height / 2.0) / height;
                var v = 2400 + 1200 * Math.Cos(dx * 5) * Math.Cos(dy * 3) + 300 * Math.Sin(y / 40.0);
                pixels[y * width + x] = (float)(Math.Clamp(Math.Floor(v), 0, 4095) / 4095.0);
            }
        return new PixelImage(width, height, 1, pixels);
    }
}
