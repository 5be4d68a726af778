using System.Text.Json;
using ReportGen.Pipelines.Judging;

namespace ReportGen.Eval.Metrics.Judging;

/// <summary>One grounded RadFact example: candidate ("prediction") and reference ("target") phrases with their boxes.</summary>
/// <param name="Id">example_id.</param>
/// <param name="CandidatePhrases">The generated report's phrases (boxes normalised; null when a phrase has none).</param>
/// <param name="ReferencePhrases">The ground-truth report's phrases.</param>
public sealed record RadFactGroundedExample(string Id, IReadOnlyList<GroundedPhrase> CandidatePhrases, IReadOnlyList<GroundedPhrase> ReferencePhrases);

/// <summary>
/// Reads RadFact's examples/grounded_reporting_examples.json: an array of
/// <c>{"example_id", "prediction": [{"text", "boxes": [{x_min, y_min, x_max, y_max}] | null}], "target": [...]}</c>
/// (prediction = candidate, target = reference, as RadFact's run_radfact.py pairs them). The file carries no entailment
/// labels: a judge (an LLM, or <see cref="PhraseMatchOracle"/>) must supply them. Each side is read by
/// <see cref="GroundedReport.Read"/>, the judges' one reader, so a bad box is refused with its path.
/// </summary>
public static class RadFactGroundedExamples
{
    /// <summary>True when <paramref name="path"/> is a JSON array whose first example has "prediction" and "target" (this format, not test_examples.json's).</summary>
    public static bool IsGroundedFile(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var doc = JsonDocument.Parse(stream);
            return doc.RootElement.ValueKind == JsonValueKind.Array && doc.RootElement.GetArrayLength() > 0
                && doc.RootElement[0] is { ValueKind: JsonValueKind.Object } first
                && first.TryGetProperty("prediction", out _) && first.TryGetProperty("target", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Loads every example; throws <see cref="InvalidDataException"/> naming the example and field for malformed content.</summary>
    public static IReadOnlyList<RadFactGroundedExample> Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var doc = JsonDocument.Parse(stream);
        var name = Path.GetFileName(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{name}: expected a JSON array of examples");
        var examples = new List<RadFactGroundedExample>();
        var index = 0;
        foreach (var example in doc.RootElement.EnumerateArray())
        {
            if (example.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{name}: example {index} is not a JSON object");
            var id = example.TryGetProperty("example_id", out var idElement) && idElement.ValueKind is JsonValueKind.String or JsonValueKind.Number
                ? idElement.ToString()
                : $"example_{index}";
            examples.Add(new RadFactGroundedExample(id, Side(example, "prediction", id, name), Side(example, "target", id, name)));
            index++;
        }
        return examples;
    }

    private static IReadOnlyList<GroundedPhrase> Side(JsonElement example, string side, string id, string file)
    {
        if (!example.TryGetProperty(side, out var phrases) || phrases.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{file}: example {id} has no \"{side}\" array");
        try
        {
            // The drafting output's shape, so the judges' reader (and its box rules) applies as it is.
            return GroundedReport.Read($"{{\"findings\": {phrases.GetRawText()}}}").Phrases;
        }
        catch (JudgeInputException ex)
        {
            throw new InvalidDataException($"{file}: example {id} {side}: {ex.Field.Replace("findings", side, StringComparison.Ordinal)}: {ex.Message}", ex);
        }
    }
}
