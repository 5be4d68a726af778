using System.Diagnostics;
using ReportGen.Imaging.Tests.Fixtures;

namespace ReportGen.Imaging.Tests;

/// <summary>
/// Decoding must be a small share of an encoder run (the ONNX benchmark decodes a 2048×2048 16-bit DICOM per image).
/// The bound is loose (shared 2-core CI, Debug build); the measured time goes to the test output.
/// </summary>
public sealed class DecodeSpeedTests(ITestOutputHelper output)
{
    [Fact]
    public void Decodes_a_2048_square_16_bit_dicom_in_well_under_a_second()
    {
        const int n = 2048;
        var rng = new Random(3);
        var stored = new int[n * n];
        for (int i = 0; i < stored.Length; i++) stored[i] = rng.Next(4096);
        var dcm = DicomWriter.Grey(n, n, 16, 12, false, stored)
            .Str(0x0028, 0x1050, "DS", "2000").Str(0x0028, 0x1051, "DS", "3000").Build();
        ImageDecoder.Decode(dcm); // warm-up (JIT)
        var times = new List<double>();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (int i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            var img = ImageDecoder.Decode(dcm);
            times.Add(sw.Elapsed.TotalMilliseconds);
            img.Pixels.Length.ShouldBe(n * n);
        }
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / 5;
        times.Sort();
        // Wall time suffers when other builds share the cores; process CPU time per decode is the steadier figure.
        output.WriteLine($"2048x2048 16-bit DICOM decode: median {times[2]:0.0} ms wall, min {times[0]:0.0} ms, {cpuMs:0.0} ms CPU per decode");
        times[2].ShouldBeLessThan(1000);
    }
}
