using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Core.Text;

namespace ReportGen.Api.Jobs;

/// <summary><c>sections</c>: splits each report into its sections and sentences (model-free, multilingual headers).</summary>
public sealed class SectionsJobOperation : IJobOperation
{
    /// <inheritdoc />
    public string Name => "sections";

    /// <inheritdoc />
    public (string Field, string Message)? ValidateParameters(IReadOnlyDictionary<string, string> parameters) => null;

    /// <inheritdoc />
    public Task<JsonNode> ExecuteAsync(JsonElement record, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var text = JobRecords.RequireText(record);
        var sections = new JsonArray();
        foreach (var section in ReportSectionParser.Parse(text).Sections)
        {
            sections.Add(new JsonObject
            {
                ["kind"] = section.Kind.ToString().ToLowerInvariant(),
                ["header"] = section.Header,
                ["sentences"] = new JsonArray(SentenceSplitter.SplitToStrings(section.Text).Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            });
        }
        return Task.FromResult<JsonNode>(new JsonObject { ["sections"] = sections });
    }
}

/// <summary>Shared record checks for job operations.</summary>
public static class JobRecords
{
    /// <summary>The record's <c>text</c>: a <see cref="JobRecordException"/> when there is none, a <see cref="ReportTextException"/> when <see cref="ReportText.Validate"/> refuses it.</summary>
    public static string RequireText(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object || !record.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            throw new JobRecordException("missing_text", "The record has no string field 'text'.");
        var value = text.GetString()!;
        ReportText.Validate(value);
        return value;
    }
}
