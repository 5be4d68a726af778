using System.Text.Json;
using ReportGen.Core.Labels;

namespace ReportGen.Pipelines.Classification;

/// <summary>
/// The MOSAIC answer format the prompt file <c>prompts/classify-mosaic.yaml</c> asks for: one JSON object keyed by
/// label with values in {1, 2, 0, -1}. Builds the few-shot answers from a taxonomy's examples and the JSON schema
/// that constrains the model to the taxonomy's labels.
/// </summary>
public static class MosaicAnswer
{
    /// <summary>The expected answer for an example: every label, 1/2/0/-1.</summary>
    public static string Format(Taxonomy taxonomy, IReadOnlyDictionary<string, LabelValue> labels)
    {
        var values = taxonomy.Labels.ToDictionary(
            l => l.Name,
            l => labels.FirstOrDefault(kv => string.Equals(kv.Key, l.Name, StringComparison.OrdinalIgnoreCase)).Value.ToMosaic());
        return JsonSerializer.Serialize(values);
    }

    /// <summary>JSON schema: an object with every label as a required integer in {1, 2, 0, -1}.</summary>
    public static JsonElement Schema(Taxonomy taxonomy)
    {
        var properties = taxonomy.Labels.ToDictionary(l => l.Name, _ => (object)new Dictionary<string, object> { ["type"] = "integer", ["enum"] = new[] { 1, 2, 0, -1 } });
        var schema = new Dictionary<string, object>
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = taxonomy.Labels.Select(l => l.Name).ToArray(),
            ["additionalProperties"] = false,
        };
        return JsonSerializer.SerializeToElement(schema);
    }
}
