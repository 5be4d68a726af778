using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReportGen.Core.RadGraph;

/// <summary>RadGraph v1 entity labels.</summary>
public static class RadGraphLabels
{
    /// <summary>Anatomy, definitely present.</summary>
    public const string AnatomyDefinitelyPresent = "ANAT-DP";
    /// <summary>Observation, definitely present.</summary>
    public const string ObservationDefinitelyPresent = "OBS-DP";
    /// <summary>Observation, uncertain.</summary>
    public const string ObservationUncertain = "OBS-U";
    /// <summary>Observation, definitely absent.</summary>
    public const string ObservationDefinitelyAbsent = "OBS-DA";

    /// <summary>All four labels.</summary>
    public static IReadOnlyList<string> All { get; } = [AnatomyDefinitelyPresent, ObservationDefinitelyPresent, ObservationUncertain, ObservationDefinitelyAbsent];
}

/// <summary>RadGraph v1 relation types.</summary>
public static class RadGraphRelations
{
    /// <summary>A modifier of another entity.</summary>
    public const string Modify = "modify";
    /// <summary>An observation located at an anatomy.</summary>
    public const string LocatedAt = "located_at";
    /// <summary>An observation suggestive of another.</summary>
    public const string SuggestiveOf = "suggestive_of";

    /// <summary>All three relation types.</summary>
    public static IReadOnlyList<string> All { get; } = [Modify, LocatedAt, SuggestiveOf];
}

/// <summary>A relation from an entity to another entity (by id), as <c>["located_at", "2"]</c> in the radgraph layout.</summary>
/// <param name="Type">One of <see cref="RadGraphRelations"/>.</param>
/// <param name="TargetId">The target entity's id (its key in <see cref="RadGraphDocument.Entities"/>).</param>
[JsonConverter(typeof(RadGraphRelationJsonConverter))]
public sealed record RadGraphRelation(string Type, string TargetId);

/// <summary>One entity: a span of words (inclusive indices into the space-joined, punctuation-split text).</summary>
public sealed record RadGraphEntity
{
    /// <summary>The entity's words joined by single spaces.</summary>
    [JsonPropertyName("tokens")] public required string Tokens { get; init; }
    /// <summary>One of <see cref="RadGraphLabels"/>.</summary>
    [JsonPropertyName("label")] public required string Label { get; init; }
    /// <summary>First word index (inclusive).</summary>
    [JsonPropertyName("start_ix")] public required int StartIx { get; init; }
    /// <summary>Last word index (inclusive).</summary>
    [JsonPropertyName("end_ix")] public required int EndIx { get; init; }
    /// <summary>Outgoing relations.</summary>
    [JsonPropertyName("relations")] public IReadOnlyList<RadGraphRelation> Relations { get; init; } = [];
}

/// <summary>
/// One report's RadGraph annotation in the <c>radgraph</c> package layout:
/// <c>{"text": "...", "entities": {"1": {...}}}</c>, ids are "1", "2", ... in order of appearance.
/// </summary>
public sealed record RadGraphDocument
{
    /// <summary>The space-joined, punctuation-split text the indices refer to.</summary>
    [JsonPropertyName("text")] public required string Text { get; init; }
    /// <summary>Entities keyed by id.</summary>
    [JsonPropertyName("entities")] public required IReadOnlyDictionary<string, RadGraphEntity> Entities { get; init; }

    /// <summary>JSON options for the radgraph layout (property names as above, no indentation).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>Writes a relation as a two-element array, as the radgraph package does.</summary>
public sealed class RadGraphRelationJsonConverter : JsonConverter<RadGraphRelation>
{
    /// <inheritdoc />
    public override RadGraphRelation Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("a relation is a [type, target] array");
        reader.Read();
        var type = reader.GetString() ?? throw new JsonException("relation type is null");
        reader.Read();
        var target = reader.TokenType == JsonTokenType.Number ? reader.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : reader.GetString() ?? throw new JsonException("relation target is null");
        reader.Read();
        if (reader.TokenType != JsonTokenType.EndArray) throw new JsonException("a relation has exactly two elements");
        return new RadGraphRelation(type, target);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, RadGraphRelation value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(value.Type);
        writer.WriteStringValue(value.TargetId);
        writer.WriteEndArray();
    }
}
