using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ReportGen.Eval.Bench;

/// <summary>
/// CPU time of this process (all threads) with nanosecond resolution: <c>clock_gettime(CLOCK_PROCESS_CPUTIME_ID)</c>,
/// the clock the C reference uses. <see cref="Process.TotalProcessorTime"/> reads /proc in 10 ms ticks on Linux,
/// too coarse for a 64-token decode that takes about 15 ms on stories260K.
/// </summary>
public static partial class ProcessCpuClock
{
    private const int ClockProcessCpuTimeId = 2;
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>Seconds of CPU used by this process so far.</summary>
    public static double Seconds()
    {
        if (OperatingSystem.IsLinux() && clock_gettime(ClockProcessCpuTimeId, out var ts) == 0) return ts.Seconds + ts.Nanoseconds * 1e-9;
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>
    /// Seconds of CPU used by the calling thread so far (<c>CLOCK_THREAD_CPUTIME_ID</c>), or NaN off Linux: beside a wall-clock
    /// span on one thread it tells the work from the time the thread waited for a core on a loaded machine.
    /// </summary>
    public static double ThreadSeconds() =>
        OperatingSystem.IsLinux() && clock_gettime(ClockThreadCpuTimeId, out var ts) == 0 ? ts.Seconds + ts.Nanoseconds * 1e-9 : double.NaN;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int clock_gettime(int clockId, out Timespec ts);
}

/// <summary>
/// CPU time of the threads of this process that carry a given name, ended ones included: the process's CPU time
/// minus that of its live threads with other names (<c>/proc/self/task/*/schedstat</c>, nanoseconds). Threads inherit
/// their creator's name on Linux, so "llama-scheduler" covers the scheduler thread and the ggml worker threads it
/// starts: the decode path without the runtime's JIT, GC and thread-pool threads. Ended threads matter because the
/// pinned llama.cpp (no OpenMP) starts its workers per <c>llama_decode</c> and joins them before it returns, so
/// with more than one thread most of the decode CPU belongs to threads that no longer exist when it is read
/// (summing the live ones counted only the scheduler thread: a "decode threads" ratio near 2 at 2 threads).
/// A thread of another name that ends in the interval is counted as decode time (the runtime's are long-lived).
/// </summary>
public static class ThreadCpuClock
{
    /// <summary>Seconds of CPU used so far by the threads named <paramref name="name"/> (ended ones included), or NaN where /proc is unavailable.</summary>
    public static double Seconds(string name)
    {
        if (!Directory.Exists("/proc/self/task")) return double.NaN;
        long others = 0;
        var process = ProcessCpuClock.Seconds();
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == name) continue;
                others += OnCpuNanoseconds(task);
            }
            catch (IOException) { } // the thread ended meanwhile
        }
        return process - others * 1e-9;
    }

    /// <summary>Nanoseconds one thread has run, from its <c>/proc/…/task/TID/schedstat</c> (first field).</summary>
    /// <exception cref="IOException">The thread or its process has ended.</exception>
    public static long OnCpuNanoseconds(string taskDirectory) =>
        long.Parse(File.ReadAllText(Path.Combine(taskDirectory, "schedstat")).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
}
