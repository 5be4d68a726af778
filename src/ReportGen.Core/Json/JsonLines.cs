using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReportGen.Core.Json;

/// <summary>One object line of a JSONL file, with its 1-based line number for error messages.</summary>
/// <param name="Line">1-based line number in the file.</param>
/// <param name="Item">The parsed object.</param>
public readonly record struct JsonLine(int Line, JsonObject Item)
{
    /// <summary>The string value of <paramref name="name"/>, or null when it is absent, not a string or blank.</summary>
    public string? Text(string name) =>
        Item[name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;
}

/// <summary>Reads JSONL data files (studies, image–report pairs, corpora) one object per line, skipping blank lines.</summary>
public static class JsonLines
{
    /// <summary>The objects of <paramref name="path"/> in order.</summary>
    /// <exception cref="InvalidDataException">A line is not a JSON object; the message names the file and line (never its content, which may be patient data).</exception>
    public static IEnumerable<JsonLine> ReadObjects(string path)
    {
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonObject? item;
            try
            {
                item = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
                item = null;
            }
            yield return item is null
                ? throw new InvalidDataException($"{Path.GetFileName(path)}: line {lineNumber} is not a JSON object")
                : new JsonLine(lineNumber, item);
        }
    }
}
