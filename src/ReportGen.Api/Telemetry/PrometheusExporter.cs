using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace ReportGen.Api.Telemetry;

/// <summary>
/// A small Prometheus text exporter over <see cref="MeterListener"/> (OpenTelemetry is not in our registry):
/// counters are summed, histograms get fixed buckets, observable gauges are read at scrape time.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Tags), double> _sums = new();
    private readonly ConcurrentDictionary<(string Name, string Tags), Histogram> _histograms = new();
    private readonly ConcurrentDictionary<string, (string Kind, string? Description)> _meta = new();

    /// <summary>
    /// Starts listening to meters whose name starts with one of <paramref name="meterPrefixes"/> and that belong to this host:
    /// made by <paramref name="meterFactory"/> or process-wide (no factory, such as the runtime's own meter).
    /// </summary>
    /// <remarks>
    /// A <see cref="MeterListener"/> sees every meter in the process. Without the factory check, two hosts in one process (the
    /// tests run several) would overwrite each other's observable counters at scrape time and sum each other's requests.
    /// </remarks>
    public PrometheusExporter(IMeterFactory meterFactory, params string[] meterPrefixes)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!meterPrefixes.Any(p => instrument.Meter.Name.StartsWith(p, StringComparison.Ordinal))) return;
            if (instrument.Meter.Scope is { } scope && !ReferenceEquals(scope, meterFactory)) return;   // another host's meter
            var kind = instrument switch
            {
                Histogram<double> or Histogram<long> => "histogram",
                Counter<long> or Counter<double> or ObservableCounter<long> or ObservableCounter<double> => "counter",
                _ => "gauge",
            };
            _meta[Name(instrument)] = (kind, instrument.Description);
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>Renders every series in the Prometheus text format (version 0.0.4).</summary>
    public string Scrape()
    {
        _listener.RecordObservableInstruments();
        var sb = new StringBuilder();
        foreach (var (name, (kind, description)) in _meta.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (!string.IsNullOrEmpty(description)) sb.Append("# HELP ").Append(name).Append(' ').Append(description).Append('\n');
            sb.Append("# TYPE ").Append(name).Append(' ').Append(kind).Append('\n');
            if (kind == "histogram")
            {
                foreach (var ((_, tags), h) in _histograms.Where(x => x.Key.Name == name).OrderBy(x => x.Key.Tags, StringComparer.Ordinal))
                    h.Write(sb, name, tags);
            }
            else
            {
                foreach (var ((_, tags), value) in _sums.Where(x => x.Key.Name == name).OrderBy(x => x.Key.Tags, StringComparer.Ordinal))
                    sb.Append(name).Append(tags.Length > 0 ? "{" + tags + "}" : "").Append(' ').Append(Format(value)).Append('\n');
            }
        }
        return sb.ToString();
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = (Name(instrument), Tags(tags));
        if (_meta.GetValueOrDefault(key.Item1).Kind == "histogram")
            _histograms.GetOrAdd(key, _ => new Histogram()).Add(value);
        else if (instrument.IsObservable)
            _sums[key] = value;   // observable instruments report the current total (or level), not a delta
        else if (instrument is Counter<long> or Counter<double> or UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double>)
            _sums.AddOrUpdate(key, value, (_, old) => old + value);   // deltas
        else
            _sums[key] = value;
    }

    private static string Name(Instrument instrument)
    {
        var sb = new StringBuilder(instrument.Name.Length);
        foreach (var c in instrument.Name) sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return sb.ToString();
    }

    private static string Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var parts = new List<string>(tags.Length);
        foreach (var (k, v) in tags)
        {
            var value = Convert.ToString(v, CultureInfo.InvariantCulture)?.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            parts.Add($"{k.Replace('.', '_')}=\"{value}\"");
        }
        parts.Sort(StringComparer.Ordinal);
        return string.Join(",", parts);
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Histogram
    {
        private readonly long[] _counts = new long[Buckets.Length];
        private long _count;
        private double _sum;
        private readonly Lock _gate = new();

        public void Add(double value)
        {
            lock (_gate)
            {
                for (var i = 0; i < Buckets.Length; i++) if (value <= Buckets[i]) _counts[i]++;
                _count++;
                _sum += value;
            }
        }

        public void Write(StringBuilder sb, string name, string tags)
        {
            lock (_gate)
            {
                var prefix = tags.Length > 0 ? tags + "," : "";
                for (var i = 0; i < Buckets.Length; i++)
                    sb.Append(name).Append("_bucket{").Append(prefix).Append("le=\"").Append(Format(Buckets[i])).Append("\"} ").Append(_counts[i]).Append('\n');
                sb.Append(name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(_count).Append('\n');
                sb.Append(name).Append("_sum").Append(tags.Length > 0 ? "{" + tags + "}" : "").Append(' ').Append(Format(_sum)).Append('\n');
                sb.Append(name).Append("_count").Append(tags.Length > 0 ? "{" + tags + "}" : "").Append(' ').Append(_count).Append('\n');
            }
        }
    }
}
