using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReportGen.Eval.Reporting;

/// <summary>One metric in two runs.</summary>
public sealed record MetricDifference(string Name, double? A, double? B)
{
    /// <summary>B − A when both exist.</summary>
    public double? Delta => A is { } a && B is { } b ? b - a : null;
    /// <summary>(B − A)/|A| when both exist and A ≠ 0.</summary>
    public double? RelativeDelta => A is { } a && B is { } b && a != 0 ? (b - a) / Math.Abs(a) : null;
}

/// <summary>Two runs side by side: metric differences and what differs in provenance.</summary>
public sealed record RunComparison(string SuiteA, string SuiteB, IReadOnlyList<MetricDifference> Metrics, IReadOnlyList<(string What, string A, string B)> ProvenanceDifferences);

/// <summary>Reads two results.json files (or folders holding one) and lines up their metrics.</summary>
public static class EvalComparison
{
    /// <summary>Compares run A with run B.</summary>
    public static RunComparison Compare(string a, string b)
    {
        var docA = Load(a);
        var docB = Load(b);
        var metricsA = Metrics(docA);
        var metricsB = Metrics(docB);
        var names = metricsA.Keys.Concat(metricsB.Keys.Where(k => !metricsA.ContainsKey(k))).ToArray();
        var differences = names.Select(n => new MetricDifference(n, metricsA.TryGetValue(n, out var x) ? x : null, metricsB.TryGetValue(n, out var y) ? y : null)).ToArray();

        var provenance = new List<(string, string, string)>();
        foreach (var path in new[] { "git_commit", "prompts.sha256", "data.sha256", "machine.name" })
        {
            var va = Find(docA["provenance"], path);
            var vb = Find(docB["provenance"], path);
            if (va != vb) provenance.Add((path, va ?? "-", vb ?? "-"));
        }
        var modelsA = Models(docA);
        var modelsB = Models(docB);
        if (modelsA != modelsB) provenance.Add(("models", modelsA, modelsB));
        return new RunComparison(docA["suite"]?.GetValue<string>() ?? "?", docB["suite"]?.GetValue<string>() ?? "?", differences, provenance);
    }

    /// <summary>Loads DIR/results.json or the file itself; a clear error when it is not a results file.</summary>
    public static JsonObject Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = Directory.Exists(path) ? Path.Combine(path, "results.json") : path;
        if (!File.Exists(file)) throw new FileNotFoundException($"no results.json at {path}", file);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(file));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file} is not valid JSON: {e.Message}", e);
        }
        if (node is not JsonObject obj || obj["metrics"] is not JsonObject)
            throw new InvalidDataException($"{file} has no top-level \"metrics\" object");
        return obj;
    }

    private static Dictionary<string, double> Metrics(JsonObject doc)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in doc["metrics"]!.AsObject())
        {
            if (value is JsonValue v && v.TryGetValue<double>(out var d)) result[name] = d;
        }
        return result;
    }

    private static string? Find(JsonNode? node, string dottedPath)
    {
        foreach (var part in dottedPath.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }
        return node?.ToJsonString().Trim('"');
    }

    private static string Models(JsonObject doc)
    {
        if (doc["provenance"]?["models"] is not JsonArray models) return "";
        return string.Join(", ", models.Select(m =>
        {
            var id = m?["id"]?.GetValue<string>() ?? "?";
            var sha = m?["sha256"] is JsonValue v && v.TryGetValue<string>(out var s) ? s[..Math.Min(12, s.Length)] : "no-hash";
            return $"{id}@{sha}";
        }));
    }
}
