using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Core.Labels;

namespace ReportGen.Pipelines.Classification;

/// <summary>
/// The MOSAIC-style classification prompt: the label list with descriptions, the value codes, few-shot
/// examples from the taxonomy as user/assistant turns, then the report; and the JSON schema that constrains
/// the answer to one object keyed by label with values in {1, 2, 0, -1}.
/// </summary>
public static class MosaicPrompt
{
    /// <summary>The system instructions for a taxonomy (also the text a prompt file's template receives as <c>labels</c>).</summary>
    public static string LabelList(Taxonomy taxonomy)
    {
        var sb = new StringBuilder();
        foreach (var label in taxonomy.Labels)
        {
            sb.Append("- \"").Append(label.Name).Append("\": ").AppendLine(label.Description);
        }
        return sb.ToString();
    }

    /// <summary>The expected answer for an example: every label, 1/2/0/-1.</summary>
    public static string Answer(Taxonomy taxonomy, IReadOnlyDictionary<string, LabelValue> labels)
    {
        var values = taxonomy.Labels.ToDictionary(
            l => l.Name,
            l => labels.FirstOrDefault(kv => string.Equals(kv.Key, l.Name, StringComparison.OrdinalIgnoreCase)).Value.ToMosaic());
        return JsonSerializer.Serialize(values);
    }

    /// <summary>The chat messages for one report.</summary>
    public static List<ChatMessage> Messages(Taxonomy taxonomy, string report, string language)
    {
        var system = new StringBuilder()
            .AppendLine("You are a radiologist labelling a radiology report. The report may be in any language.")
            .AppendLine("For each label below, answer 1 if the finding is present, 2 if the report says it is absent, 0 if the report is uncertain about it, and -1 if the report does not mention it.")
            .AppendLine("Answer with one JSON object whose keys are exactly these labels:")
            .Append(LabelList(taxonomy))
            .ToString();
        var messages = new List<ChatMessage> { new(ChatRole.System, system) };
        foreach (var example in taxonomy.Examples)
        {
            messages.Add(new ChatMessage(ChatRole.User, "Report:\n" + example.Text));
            messages.Add(new ChatMessage(ChatRole.Assistant, Answer(taxonomy, example.Labels)));
        }
        messages.Add(new ChatMessage(ChatRole.User, $"Report (language: {language}):\n{report}"));
        return messages;
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
