namespace ReportGen.Eval.Reporting;

/// <summary>Latency summary in milliseconds (percentiles by linear interpolation, numpy's default).</summary>
public sealed record LatencyStats(int Count, double MeanMs, double P50Ms, double P95Ms, double P99Ms, double MinMs, double MaxMs)
{
    /// <summary>Summarises the samples; an empty set gives all zeros with Count 0.</summary>
    public static LatencyStats From(IEnumerable<double> milliseconds)
    {
        ArgumentNullException.ThrowIfNull(milliseconds);
        var sorted = milliseconds.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return new LatencyStats(0, 0, 0, 0, 0, 0, 0);
        return new LatencyStats(sorted.Length, sorted.Average(), Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99), sorted[0], sorted[^1]);
    }

    /// <summary>Summarises stopwatch durations.</summary>
    public static LatencyStats From(IEnumerable<TimeSpan> durations) => From(durations.Select(d => d.TotalMilliseconds));

    /// <summary>The p-th percentile (0–100) of ascending values, linear interpolation between ranks.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0) throw new ArgumentException("no values", nameof(sorted));
        var position = Math.Clamp(p, 0, 100) / 100 * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }

    /// <summary>Adds latency_{prefix}_p50_ms, _p95_ms, _mean_ms metrics to a report.</summary>
    public void AddTo(EvalReport report, string prefix)
    {
        ArgumentNullException.ThrowIfNull(report);
        report.AddMetric($"latency_{prefix}_p50_ms", P50Ms, $"median latency of {prefix} (ms)");
        report.AddMetric($"latency_{prefix}_p95_ms", P95Ms, $"95th percentile latency of {prefix} (ms)");
        report.AddMetric($"latency_{prefix}_mean_ms", MeanMs, $"mean latency of {prefix} (ms)");
    }
}
