using System.Text.Json;
using ReportGen.Pipelines.Judging;

namespace ReportGen.Eval.Metrics.Judging;

/// <summary>
/// Reads RadFact's examples/test_examples.json: per example, <c>input.phrases_A</c> (candidate) and
/// <c>input.phrases_B</c> (reference), and <c>output.phrases_A_evidenced</c> / <c>phrases_B_evidenced</c> with
/// status and evidence texts, as RadFact's run_radfact_test_examples.py pairs them (A = candidate, B = reference).
/// </summary>
public static class RadFactExamples
{
    /// <summary>Loads the stored labels; an example whose output is missing or malformed becomes an invalid sample.</summary>
    public static IReadOnlyList<RadFactSample> Load(string path) => LoadExamples(path).Select(e => e.Labels).ToArray();

    /// <summary>Loads inputs (phrase lists) and stored labels of every example.</summary>
    public static IReadOnlyList<RadFactExample> LoadExamples(string path)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{Path.GetFileName(path)}: expected a JSON array of examples");
        var samples = new List<RadFactExample>();
        var index = 0;
        foreach (var example in doc.RootElement.EnumerateArray())
        {
            if (example.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{Path.GetFileName(path)}: example {index} is not a JSON object");
            var id = example.TryGetProperty("example_id", out var idElement) && idElement.ValueKind == JsonValueKind.String
                ? idElement.GetString()!
                : $"example_{index}";
            samples.Add(new RadFactExample(id, InputPhrases(example, "phrases_A"), InputPhrases(example, "phrases_B"), Read(id, example)));
            index++;
        }
        return samples;
    }

    private static IReadOnlyList<string> InputPhrases(JsonElement example, string name)
        => example.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object
           && input.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            && list.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String)
            ? list.EnumerateArray().Select(p => p.GetString()!).ToArray()
            : throw new InvalidDataException($"an example has no input.{name} list of strings");

    private static RadFactSample Read(string id, JsonElement example)
    {
        if (!example.TryGetProperty("output", out var output) || output.ValueKind != JsonValueKind.Object
            || !output.TryGetProperty("phrases_A_evidenced", out var a) || !output.TryGetProperty("phrases_B_evidenced", out var b)
            || a.ValueKind != JsonValueKind.Array || b.ValueKind != JsonValueKind.Array)
        {
            return new RadFactSample(id, null, null);
        }
        return new RadFactSample(id, ReadPhrases(a), ReadPhrases(b));
    }

    private static List<EvidencedPhrase>? ReadPhrases(JsonElement array)
    {
        // A malformed judgement (what an LLM may return) makes the sample invalid, not the file unreadable.
        var phrases = new List<EvidencedPhrase>();
        foreach (var p in array.EnumerateArray())
        {
            if (p.ValueKind != JsonValueKind.Object
                || !p.TryGetProperty("phrase", out var text) || text.ValueKind != JsonValueKind.String
                || !p.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.String)
            {
                return null;
            }
            var evidence = new List<EvidencePhrase>();
            if (p.TryGetProperty("evidence", out var ev) && ev.ValueKind == JsonValueKind.Array)
            {
                foreach (var e in ev.EnumerateArray())
                {
                    if (e.ValueKind != JsonValueKind.String) return null;
                    evidence.Add(new EvidencePhrase(e.GetString()!));
                }
            }
            phrases.Add(new EvidencedPhrase(text.GetString()!, status.GetString()!, null, evidence));
        }
        return phrases;
    }
}

/// <summary>One RadFact example: the candidate (A) and reference (B) phrases and the stored entailment labels.</summary>
public sealed record RadFactExample(string Id, IReadOnlyList<string> CandidatePhrases, IReadOnlyList<string> ReferencePhrases, RadFactSample Labels);

/// <summary>Bootstrap statistics of one aggregate metric.</summary>
public sealed record BootstrapStats(double Mean, double Median, double Lower, double Upper);

/// <summary>
/// RadFact's MetricBootstrapper: resample the per-sample results with replacement, re-aggregate, and report
/// the median and the 2.5th/97.5th percentiles (numpy's linear quantiles, NaNs ignored). The draws use .NET's
/// seeded <see cref="Random"/>, so the intervals are statistically equivalent, not bit-identical, to numpy's.
/// </summary>
public static class RadFactBootstrap
{
    /// <summary>Statistics for every key of <see cref="RadFactAggregate.ToDictionary"/>.</summary>
    public static IReadOnlyDictionary<string, BootstrapStats> Compute(IReadOnlyList<RadFactSample> samples, int resamples = 500, int seed = 42, bool onlyFactualScores = true)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) throw new ArgumentException("no samples to bootstrap", nameof(samples));
        var random = new Random(seed);
        var collected = new Dictionary<string, List<double>>();
        var draw = new RadFactSample[samples.Count];
        for (var r = 0; r < resamples; r++)
        {
            for (var i = 0; i < draw.Length; i++) draw[i] = samples[random.Next(samples.Count)];
            foreach (var (key, value) in RadFact.Aggregate(draw, onlyFactualScores).ToDictionary())
            {
                if (!collected.TryGetValue(key, out var list)) collected[key] = list = [];
                list.Add(value);
            }
        }
        return collected.ToDictionary(kv => kv.Key, kv => Stats(kv.Value));
    }

    private static BootstrapStats Stats(List<double> values)
    {
        var finite = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (finite.Length == 0) return new BootstrapStats(double.NaN, double.NaN, double.NaN, double.NaN);
        return new BootstrapStats(finite.Average(), Quantile(finite, 0.5), Quantile(finite, 0.025), Quantile(finite, 0.975));
    }

    /// <summary>numpy's default ("linear") quantile of sorted values.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
