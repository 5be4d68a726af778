using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ReportGen.Eval.Bench;

/// <summary>
/// Measures sustained memory read bandwidth, the roofline's denominator: <c>threads</c> dedicated threads each
/// sum their own slice of a buffer much larger than the last-level cache with the widest vectors the CPU has,
/// released together by a barrier; a pass lasts from the release to the last thread's finish, and the best of
/// several passes is reported (bytes read per second).
/// Why dedicated threads rather than <c>Parallel.For</c>: the thread pool may start with fewer workers than
/// slices and run two slices one after the other, which halves the figure (the earlier version did, and the
/// roofline fraction came out above 1).
/// </summary>
public static class LlmMemoryBandwidth
{
    /// <summary>Bytes/s read by <paramref name="threads"/> threads over a <paramref name="bytes"/> buffer, best of <paramref name="passes"/>.</summary>
    public static double Measure(long bytes, int threads, int passes, CancellationToken cancellationToken)
    {
        if (bytes < 1 << 20 || threads < 1 || passes < 1) throw new ArgumentException("bytes >= 1 MiB, threads >= 1, passes >= 1");
        // Each slice is allocated and first touched by the thread that reads it (page faults out of the timing).
        var perThread = bytes / threads / 64 * 64 / sizeof(float);
        var slices = new float[threads][];
        var sums = new float[threads];
        var start = new Barrier(threads + 1);
        var done = new Barrier(threads + 1);
        var stop = false;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            slices[t] = GC.AllocateUninitializedArray<float>((int)Math.Min(perThread, Array.MaxLength), pinned: true);
            slices[t].AsSpan().Fill(1f);
            while (true)
            {
                start.SignalAndWait(CancellationToken.None);
                if (Volatile.Read(ref stop)) return;
                sums[t] += Sum(slices[t]);
                done.SignalAndWait(CancellationToken.None);
            }
        }) { IsBackground = true, Name = $"bandwidth-{t}" }).ToArray();
        foreach (var w in workers) w.Start();
        var best = 0.0;
        try
        {
            // One untimed pass warms the TLB and brings every thread up to speed. The barriers are not cancellable:
            // the workers must always be released together (cancellation is checked between passes).
            for (var p = 0; p <= passes; p++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var sw = Stopwatch.StartNew();
                start.SignalAndWait(CancellationToken.None);
                done.SignalAndWait(CancellationToken.None);
                var seconds = sw.Elapsed.TotalSeconds;
                if (p > 0) best = Math.Max(best, slices.Sum(s => (long)s.Length * sizeof(float)) / seconds);
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            start.SignalAndWait(CancellationToken.None);
            foreach (var w in workers) w.Join();
        }
        GC.KeepAlive(sums);
        return best;
    }

    /// <summary>Sums a slice with eight independent vector accumulators (so the adds never limit the loads).</summary>
    private static float Sum(float[] data)
    {
        ref var first = ref MemoryMarshal.GetArrayDataReference(data);
        var n = (nuint)data.Length;
        nuint i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var w = (nuint)Vector512<float>.Count;
            Vector512<float> a = default, b = default, c = default, d = default, e = default, f = default, g = default, h = default;
            for (; i + 8 * w <= n; i += 8 * w)
            {
                a += Vector512.LoadUnsafe(ref first, i); b += Vector512.LoadUnsafe(ref first, i + w);
                c += Vector512.LoadUnsafe(ref first, i + 2 * w); d += Vector512.LoadUnsafe(ref first, i + 3 * w);
                e += Vector512.LoadUnsafe(ref first, i + 4 * w); f += Vector512.LoadUnsafe(ref first, i + 5 * w);
                g += Vector512.LoadUnsafe(ref first, i + 6 * w); h += Vector512.LoadUnsafe(ref first, i + 7 * w);
            }
            sum = Vector512.Sum((a + b) + (c + d) + (e + f) + (g + h));
        }
        else
        {
            var w = (nuint)Vector256<float>.Count;
            Vector256<float> a = default, b = default, c = default, d = default, e = default, f = default, g = default, h = default;
            for (; i + 8 * w <= n; i += 8 * w)
            {
                a += Vector256.LoadUnsafe(ref first, i); b += Vector256.LoadUnsafe(ref first, i + w);
                c += Vector256.LoadUnsafe(ref first, i + 2 * w); d += Vector256.LoadUnsafe(ref first, i + 3 * w);
                e += Vector256.LoadUnsafe(ref first, i + 4 * w); f += Vector256.LoadUnsafe(ref first, i + 5 * w);
                g += Vector256.LoadUnsafe(ref first, i + 6 * w); h += Vector256.LoadUnsafe(ref first, i + 7 * w);
            }
            sum = Vector256.Sum((a + b) + (c + d) + (e + f) + (g + h));
        }
        for (; i < n; i++) sum += Unsafe.Add(ref first, i);
        return sum;
    }
}
