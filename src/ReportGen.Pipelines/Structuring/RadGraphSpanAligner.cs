using System.Text.Json;
using ReportGen.Core.RadGraph;
using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Structuring;

/// <summary>
/// Turns a model's JSON answer (<c>{"entities":[{"id","tokens","label","relations":[{"type","target"}]}]}</c>)
/// into a radgraph document: each entity's tokens are found as a word span of the text (in reading order,
/// case-insensitive), invalid spans, labels, duplicates and relations are dropped and counted.
/// </summary>
public static class RadGraphSpanAligner
{
    /// <summary>The JSON schema the model's answer is constrained to.</summary>
    public static JsonElement ResponseSchema { get; } = JsonDocument.Parse("""
        {"type":"object","properties":{"entities":{"type":"array","items":{"type":"object","properties":{
          "id":{"type":"integer"},"tokens":{"type":"string"},
          "label":{"type":"string","enum":["ANAT-DP","OBS-DP","OBS-U","OBS-DA"]},
          "relations":{"type":"array","items":{"type":"object","properties":{
            "type":{"type":"string","enum":["modify","located_at","suggestive_of"]},"target":{"type":"integer"}},
            "required":["type","target"],"additionalProperties":false}}},
          "required":["id","tokens","label","relations"],"additionalProperties":false}}},
         "required":["entities"],"additionalProperties":false}
        """).RootElement.Clone();

    private sealed record ModelEntity(string Key, string Tokens, string Label, List<(string Type, string Target)> Relations);

    /// <summary>Aligns <paramref name="modelJson"/> to <paramref name="words"/>.</summary>
    public static RadGraphDocument Align(IReadOnlyList<RadGraphWord> words, string modelJson, out StructuringDiagnostics diagnostics)
    {
        var lower = words.Select(w => w.Text.ToLowerInvariant()).ToArray();
        var text = RadGraphTokenizer.Join(words);
        if (!TryRead(modelJson, out var modelEntities))
        {
            diagnostics = new StructuringDiagnostics { ModelOutputUnreadable = true };
            return new RadGraphDocument { Text = text, Entities = new Dictionary<string, RadGraphEntity>() };
        }

        int badSpans = 0, badLabels = 0, duplicates = 0, badRelations = 0;
        var aligned = new List<(ModelEntity Source, int Start, int End)>();
        var used = new HashSet<(int, int)>();
        var cursor = 0;
        foreach (var m in modelEntities)
        {
            if (!RadGraphLabels.All.Contains(m.Label)) { badLabels++; continue; }
            var needle = RadGraphTokenizer.Words(m.Tokens).Select(t => t.ToLowerInvariant()).ToArray();
            if (needle.Length == 0) { badSpans++; continue; }
            // Reading order first (the model lists entities as they appear), then anywhere still free.
            var start = Find(lower, needle, cursor, used);
            if (start < 0) start = Find(lower, needle, 0, used);
            if (start < 0)
            {
                if (Find(lower, needle, 0, null) >= 0) duplicates++; else badSpans++;
                continue;
            }
            var end = start + needle.Length - 1;
            used.Add((start, end));
            aligned.Add((m, start, end));
            cursor = start;
        }

        aligned.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.End.CompareTo(b.End));
        var idOfKey = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < aligned.Count; i++) idOfKey.TryAdd(aligned[i].Source.Key, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));

        var entities = new Dictionary<string, RadGraphEntity>(aligned.Count);
        for (var i = 0; i < aligned.Count; i++)
        {
            var (source, start, end) = aligned[i];
            var id = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var relations = new List<RadGraphRelation>();
            foreach (var (type, target) in source.Relations)
            {
                if (!RadGraphRelations.All.Contains(type) || !idOfKey.TryGetValue(target, out var targetId) || targetId == id) { badRelations++; continue; }
                var r = new RadGraphRelation(type, targetId);
                if (!relations.Contains(r)) relations.Add(r);
            }
            entities[id] = new RadGraphEntity
            {
                Tokens = string.Join(' ', words.Skip(start).Take(end - start + 1).Select(w => w.Text)),
                Label = source.Label,
                StartIx = start,
                EndIx = end,
                Relations = relations,
            };
        }
        diagnostics = new StructuringDiagnostics
        {
            ModelEntities = modelEntities.Count,
            AlignedEntities = aligned.Count,
            DroppedInvalidSpans = badSpans,
            DroppedInvalidLabels = badLabels,
            DroppedDuplicates = duplicates,
            DroppedRelations = badRelations,
        };
        return new RadGraphDocument { Text = text, Entities = entities };
    }

    private static int Find(string[] haystack, string[] needle, int from, HashSet<(int, int)>? used)
    {
        for (var i = Math.Max(0, from); i + needle.Length <= haystack.Length; i++)
        {
            var ok = true;
            for (var k = 0; k < needle.Length && ok; k++) ok = haystack[i + k] == needle[k];
            if (ok && (used is null || !used.Contains((i, i + needle.Length - 1)))) return i;
        }
        return -1;
    }

    // Accepts the schema's shape, and tolerates code fences or prose around the JSON object.
    private static bool TryRead(string json, out List<ModelEntity> entities)
    {
        entities = [];
        var open = json.IndexOf('{', StringComparison.Ordinal);
        var close = json.LastIndexOf('}');
        if (open < 0 || close <= open) return false;
        try
        {
            using var doc = JsonDocument.Parse(json.AsMemory(open, close - open + 1));
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("entities", out var list) || list.ValueKind != JsonValueKind.Array) return false;
            var n = 0;
            foreach (var e in list.EnumerateArray())
            {
                n++;
                if (e.ValueKind != JsonValueKind.Object) { entities.Add(new ModelEntity("", "", "", [])); continue; }
                var key = e.TryGetProperty("id", out var id) ? id.ToString() : n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var tokens = e.TryGetProperty("tokens", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
                var label = e.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString()! : "";
                var relations = new List<(string, string)>();
                if (e.TryGetProperty("relations", out var rs) && rs.ValueKind == JsonValueKind.Array)
                {
                    foreach (var r in rs.EnumerateArray())
                    {
                        if (r.ValueKind == JsonValueKind.Object)
                            relations.Add((r.TryGetProperty("type", out var ty) ? ty.ToString() : "", r.TryGetProperty("target", out var tg) ? tg.ToString() : ""));
                        else if (r.ValueKind == JsonValueKind.Array && r.GetArrayLength() == 2)
                            relations.Add((r[0].ToString(), r[1].ToString()));
                        else relations.Add(("", ""));
                    }
                }
                entities.Add(new ModelEntity(key, tokens, label, relations));
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
