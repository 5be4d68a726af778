using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReportGen.Eval.Reporting;

/// <summary>The paths a run wrote.</summary>
public sealed record WrittenResults(string ResultsJson, string ReportHtml);

/// <summary>
/// Writes DIR/results.json (<c>suite</c>, <c>metrics</c>: name → number, <c>undefined_metrics</c> for NaN/∞,
/// <c>metric_descriptions</c>, <c>provenance</c>, <c>tables</c>, <c>items</c>) and the self-contained DIR/report.html.
/// </summary>
public static class ResultsWriter
{
    /// <summary>JSON options for results.json (indented, snake_case, readable non-ASCII).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes both files into <paramref name="directory"/> (created when missing).</summary>
    public static WrittenResults Write(string directory, EvalReport report, RunProvenance provenance)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(provenance);
        provenance.FinishedUtc ??= DateTimeOffset.UtcNow;
        Directory.CreateDirectory(directory);

        var json = ToJson(report, provenance);
        var resultsPath = Path.Combine(directory, "results.json");
        WriteAtomically(resultsPath, json.ToJsonString(JsonOptions) + "\n");
        var htmlPath = Path.Combine(directory, "report.html");
        WriteAtomically(htmlPath, HtmlReport.Render(report, provenance));
        return new WrittenResults(resultsPath, htmlPath);
    }

    /// <summary>The results.json document.</summary>
    public static JsonObject ToJson(EvalReport report, RunProvenance provenance)
    {
        var metrics = new JsonObject();
        var undefined = new JsonArray();
        foreach (var (name, value) in report.Metrics)
        {
            if (double.IsFinite(value)) metrics[name] = value;
            else undefined.Add(name);
        }
        var descriptions = new JsonObject();
        foreach (var (name, text) in report.Descriptions) descriptions[name] = text;

        var root = new JsonObject
        {
            ["suite"] = report.Suite,
            ["title"] = report.Title,
            ["metrics"] = metrics,
            ["undefined_metrics"] = undefined,
            ["metric_descriptions"] = descriptions,
            ["provenance"] = JsonSerializer.SerializeToNode(new
            {
                provenance.StartedUtc,
                provenance.FinishedUtc,
                DurationSeconds = provenance.FinishedUtc is { } end ? (end - provenance.StartedUtc).TotalSeconds : (double?)null,
                provenance.GitCommit,
                provenance.GitDirty,
                provenance.Models,
                provenance.Prompts,
                provenance.Data,
                provenance.Machine,
                provenance.Settings,
            }, JsonOptions),
            ["tables"] = new JsonArray(report.Sections.OfType<TableSection>().Select(t => (JsonNode?)new JsonObject
            {
                ["title"] = t.Title,
                ["headers"] = new JsonArray(t.Headers.Select(h => (JsonNode?)h).ToArray()),
                ["rows"] = new JsonArray(t.Rows.Select(r => (JsonNode?)new JsonArray(r.Select(c => (JsonNode?)c).ToArray())).ToArray()),
            }).ToArray()),
        };
        foreach (var (name, value) in report.Extra) root[name] = value?.DeepClone();
        root["items"] = new JsonArray(report.Items.Select(i => i?.DeepClone()).ToArray());
        return root;
    }

    // A reader never sees a half-written file (compare may run while a suite writes).
    private static void WriteAtomically(string path, string content)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, content, new System.Text.UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}
