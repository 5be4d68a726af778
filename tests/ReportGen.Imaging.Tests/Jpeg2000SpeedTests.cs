using System.Diagnostics;
using ReportGen.Imaging.Jpeg2000;

namespace ReportGen.Imaging.Tests;

/// <summary>
/// Timing harness for eval/benchmarks.md: REPORTGEN_J2K_BENCH=folder decodes every *.j2k there on one thread and on
/// all cores and prints wall and process CPU time (compare with <c>opj_decompress -threads 1</c>). Skipped otherwise.
/// </summary>
public sealed class Jpeg2000SpeedTests(ITestOutputHelper output)
{
    [Fact]
    public void Times_large_codestreams()
    {
        var dir = Environment.GetEnvironmentVariable("REPORTGEN_J2K_BENCH");
        Assert.SkipWhen(string.IsNullOrEmpty(dir), "set REPORTGEN_J2K_BENCH to a folder of .j2k files to time them");
        foreach (var file in Directory.GetFiles(dir!, "*.j2k").Order())
        {
            var data = File.ReadAllBytes(file);
            foreach (int threads in new[] { 1, Environment.ProcessorCount })
            {
                Jpeg2000Decoder.Decode(data, ImageDecodeOptions.Default, threads); // warm-up (JIT)
                const int runs = 3;
                var proc = Process.GetCurrentProcess();
                var cpu0 = proc.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < runs; i++) Jpeg2000Decoder.Decode(data, ImageDecodeOptions.Default, threads);
                double wall = sw.Elapsed.TotalMilliseconds / runs;
                proc.Refresh();
                double cpu = (proc.TotalProcessorTime - cpu0).TotalMilliseconds / runs;
                output.WriteLine($"{Path.GetFileName(file)} threads={threads}: {wall:0} ms wall, {cpu:0} ms process CPU per decode");
            }
        }
    }
}
