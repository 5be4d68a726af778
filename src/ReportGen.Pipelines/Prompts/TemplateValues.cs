using System.Collections;
using System.Text.Json;

namespace ReportGen.Pipelines.Prompts;

/// <summary>Turns argument values into what Handlebars.Net walks natively (JsonElement is not one of them).</summary>
internal static class TemplateValues
{
    public static object? From(object? value) => value switch
    {
        null => null,
        JsonElement element => FromJson(element),
        string or bool or int or long or double or float or decimal => value,
        IDictionary dictionary => dictionary.Keys.Cast<object>().ToDictionary(k => k.ToString() ?? "", k => From(dictionary[k])),
        IEnumerable<KeyValuePair<string, object?>> pairs => pairs.ToDictionary(p => p.Key, p => From(p.Value)),
        IEnumerable sequence => sequence.Cast<object?>().Select(From).ToList(),
        _ => value, // records and other objects: Handlebars reads their properties
    };

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var n) ? n : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
