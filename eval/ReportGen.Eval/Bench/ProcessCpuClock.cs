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

    /// <summary>Seconds of CPU used by this process so far.</summary>
    public static double Seconds()
    {
        if (OperatingSystem.IsLinux() && clock_gettime(ClockProcessCpuTimeId, out var ts) == 0) return ts.Seconds + ts.Nanoseconds * 1e-9;
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int clock_gettime(int clockId, out Timespec ts);
}
