namespace ReportGen.Eval.Bench;

/// <summary>
/// The machine's load averages, printed beside every benchmark and latency figure: wall-clock numbers taken on a
/// busy machine are not comparable with quiet ones, so each figure carries the load it was measured under.
/// </summary>
public static class MachineLoad
{
    /// <summary>The 1-, 5- and 15-minute load averages ("0.52 0.61 0.70"), or null where /proc/loadavg cannot be read.</summary>
    public static string? Averages()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average (what the machine did during the section just measured), or null.</summary>
    public static string? OneMinute() => Averages()?.Split(' ')[0];
}
