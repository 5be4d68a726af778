using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ReportGen.Eval.Bench;

/// <summary>
/// Measures sustained memory read bandwidth: threads sum disjoint slices of a buffer much larger than the
/// caches with 256-bit vectors; the best of several passes is reported (bytes read per second).
/// </summary>
public static class LlmMemoryBandwidth
{
    /// <summary>Bytes/s read by <paramref name="threads"/> threads over a <paramref name="bytes"/> buffer, best of <paramref name="passes"/>.</summary>
    public static double Measure(long bytes, int threads, int passes, CancellationToken cancellationToken)
    {
        if (bytes < 1 << 20 || threads < 1 || passes < 1) throw new ArgumentException("bytes >= 1 MiB, threads >= 1, passes >= 1");
        var floats = bytes / sizeof(float);
        var slices = Enumerable.Range(0, threads).Select(t => new float[floats / threads]).ToArray();
        // Touch every page so the first pass does not measure page faults.
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => slices[t].AsSpan().Fill(1f));
        var best = 0.0;
        var sink = 0f;
        for (var p = 0; p < passes; p++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sums = new float[threads];
            var sw = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => sums[t] = Sum(slices[t]));
            var seconds = sw.Elapsed.TotalSeconds;
            sink += sums.Sum();
            best = Math.Max(best, slices.Sum(s => (long)s.Length * sizeof(float)) / seconds);
        }
        GC.KeepAlive(sink);
        return best;
    }

    private static float Sum(float[] data)
    {
        // LoadUnsafe on the array's data reference: no bounds checks, so the loop is load-bound, not check-bound.
        ref var start = ref MemoryMarshal.GetArrayDataReference(data);
        var n = (nuint)data.Length;
        var w = (nuint)Vector256<float>.Count;
        // Eight accumulators so the adds do not serialise on one register.
        Vector256<float> a = default, b = default, c = default, d = default, e = default, f = default, g = default, h = default;
        nuint i = 0;
        for (; i + 8 * w <= n; i += 8 * w)
        {
            a += Vector256.LoadUnsafe(ref start, i); b += Vector256.LoadUnsafe(ref start, i + w);
            c += Vector256.LoadUnsafe(ref start, i + 2 * w); d += Vector256.LoadUnsafe(ref start, i + 3 * w);
            e += Vector256.LoadUnsafe(ref start, i + 4 * w); f += Vector256.LoadUnsafe(ref start, i + 5 * w);
            g += Vector256.LoadUnsafe(ref start, i + 6 * w); h += Vector256.LoadUnsafe(ref start, i + 7 * w);
        }
        var sum = Vector256.Sum((a + b) + (c + d) + (e + f) + (g + h));
        for (; i < n; i++) sum += data[(int)i];
        return sum;
    }
}
