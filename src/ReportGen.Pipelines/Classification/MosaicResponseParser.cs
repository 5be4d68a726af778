using System.Text.Json;
using ReportGen.Core.Labels;

namespace ReportGen.Pipelines.Classification;

/// <summary>What the parser had to repair in a model's MOSAIC answer (counted, never fatal).</summary>
public sealed record MosaicParseReport(int MissingLabels, int UnknownKeys, int InvalidValues, bool Unparseable)
{
    /// <summary>True when the answer needed no repair.</summary>
    public bool Clean => MissingLabels == 0 && UnknownKeys == 0 && InvalidValues == 0 && !Unparseable;
}

/// <summary>
/// Reads the MOSAIC contract: one JSON object keyed by label, values 1 positive, 2 negative, 0 uncertain,
/// -1 not mentioned. Keys match labels case-insensitively; a missing label or an out-of-range value becomes
/// not mentioned, unknown keys are ignored, and each is counted. Text around the object (a model's preamble
/// or code fence) is skipped.
/// </summary>
public static class MosaicResponseParser
{
    public static (IReadOnlyDictionary<string, LabelValue> Labels, MosaicParseReport Report) Parse(string? answer, Taxonomy taxonomy)
    {
        var labels = taxonomy.Labels.ToDictionary(l => l.Name, _ => LabelValue.NotMentioned, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int unknown = 0, invalid = 0;
        JsonDocument? doc = null;
        try
        {
            if (ExtractObject(answer) is { } json)
            {
                try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
                catch (JsonException) { doc = null; }
            }
            if (doc is null || doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (labels, new MosaicParseReport(taxonomy.Labels.Count, 0, 0, Unparseable: true));
            }
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                var label = taxonomy.Find(property.Name.Trim());
                if (label is null) { unknown++; continue; }
                if (ReadValue(property.Value) is { } value)
                {
                    labels[label.Name] = value;
                    seen.Add(label.Name);
                }
                else
                {
                    invalid++;
                    seen.Add(label.Name);
                }
            }
            var missing = taxonomy.Labels.Count(l => !seen.Contains(l.Name));
            return (labels, new MosaicParseReport(missing, unknown, invalid, Unparseable: false));
        }
        finally
        {
            doc?.Dispose();
        }
    }

    private static LabelValue? ReadValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt32(out var code) => LabelValues.FromMosaic(code),
        JsonValueKind.Number when value.TryGetDouble(out var d) && d == Math.Floor(d) && d is >= -1 and <= 2 => LabelValues.FromMosaic((int)d),
        JsonValueKind.String when int.TryParse(value.GetString(), out var code) => LabelValues.FromMosaic(code),
        JsonValueKind.String => LabelValues.FromWireName(value.GetString()),
        _ => null,
    };

    /// <summary>The first balanced {...} in the text (strings respected), or null.</summary>
    private static string? ExtractObject(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var start = text.IndexOf('{');
        if (start < 0) return null;
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') inString = true;
            else if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return text[start..(i + 1)];
        }
        return null;
    }
}
