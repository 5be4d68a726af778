using System.Diagnostics;
using ReportGen.Imaging.Tests.Fixtures;

namespace ReportGen.Imaging.Tests;

/// <summary>CPU time of the calling thread from /proc (Linux), so other tests and builds sharing the cores do not count.</summary>
internal static class ThreadCpu
{
    /// <summary>User + system time of this thread in ms, or null where /proc/thread-self is absent.</summary>
    public static double? NowMs()
    {
        try
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ", field 3 (state) is index 0, so utime (14) and stime (15) are indices 11 and 12.
            return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) +
                    long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) * 10.0; // USER_HZ = 100
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}

/// <summary>
/// Decoding must be a small share of an encoder run (the ONNX benchmark decodes a 2048×2048 16-bit DICOM per image).
/// Bounds are on this thread's CPU time (wall time on a shared 2-core CI box says little) and are loose for Debug builds;
/// the measured times go to the test output.
/// </summary>
public sealed class DecodeSpeedTests(ITestOutputHelper output)
{
    private double Measure(string what, Action decode, int runs = 5)
    {
        decode(); // warm-up (JIT)
        var cpu0 = ThreadCpu.NowMs();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < runs; i++) decode();
        double wall = sw.Elapsed.TotalMilliseconds / runs;
        double? cpu = ThreadCpu.NowMs() - cpu0 is { } d ? d / runs : null;
        output.WriteLine($"{what}: {wall:0.0} ms wall, {cpu?.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) ?? "n/a"} ms thread CPU per decode");
        return cpu ?? wall;
    }

    [Fact]
    public void Decodes_a_2048_square_16_bit_dicom_quickly()
    {
        const int n = 2048;
        var rng = new Random(3);
        var stored = new int[n * n];
        for (int i = 0; i < stored.Length; i++) stored[i] = rng.Next(4096);
        var dcm = DicomWriter.Grey(n, n, 16, 12, false, stored)
            .Str(0x0028, 0x1050, "DS", "2000").Str(0x0028, 0x1051, "DS", "3000").Build();
        ImageDecoder.Decode(dcm).Pixels.Length.ShouldBe(n * n);
        Measure("2048x2048 16-bit DICOM (VOI window)", () => ImageDecoder.Decode(dcm)).ShouldBeLessThan(1000);
    }

    [Fact]
    public void Decodes_the_shared_1024_square_jpeg_dicom_quickly()
    {
        var bytes = File.ReadAllBytes(TestSupport.SharedData.Data("images", "siim-cxr-sample.dcm"));
        Measure("siim-cxr-sample.dcm (1024x1024 JPEG baseline)", () => ImageDecoder.Decode(bytes)).ShouldBeLessThan(2000);
    }

    [Fact]
    public void Multi_frame_files_decode_their_frames_on_every_core_with_the_same_result()
    {
        const int n = 512, frames = 24;
        var rng = new Random(5);
        var stored = new int[n * n * frames];
        for (int i = 0; i < stored.Length; i++) stored[i] = rng.Next(4096);
        var file = Dicom.DicomFile.Parse(DicomWriter.Grey(n, n, 16, 12, false, stored, frames: frames).Build());
        file.DecodeAllFrames(); // warm-up (JIT)
        var sw = Stopwatch.StartNew();
        var parallel = file.DecodeAllFrames();
        double parallelMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var oneByOne = Enumerable.Range(0, frames).Select(file.DecodeFrame).ToList();
        double sequentialMs = sw.Elapsed.TotalMilliseconds;
        output.WriteLine($"{frames} frames of {n}x{n} 16-bit: {parallelMs:0} ms on {Environment.ProcessorCount} cores, {sequentialMs:0} ms one by one (wall; shared machine)");
        for (int i = 0; i < frames; i++)
        {
            parallel[i].Metadata.FrameIndex.ShouldBe(i);
            parallel[i].Pixels.ShouldBe(oneByOne[i].Pixels);
        }
    }
}
