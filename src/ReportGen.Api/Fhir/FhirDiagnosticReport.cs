using System.Text.Json.Nodes;
using ReportGen.Api.PipelineResults;
using ReportGen.Core.RadGraph;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Api.Fhir;

/// <summary>
/// Builds a FHIR R4 <c>DiagnosticReport</c> (status preliminary: machine output awaiting a radiologist) with one
/// contained <c>Observation</c> per RadGraph observation: the finding, whether it is present, absent or uncertain,
/// its body site (located_at) and modifiers. Written as plain JSON (no FHIR SDK in our registry).
/// </summary>
public static class FhirDiagnosticReport
{
    /// <summary>Code system for RadGraph certainty values (uncertain has no exact SNOMED qualifier).</summary>
    public const string CertaintySystem = "https://reportgen.dev/fhir/CodeSystem/radgraph-certainty";

    /// <summary>The report for a structuring result.</summary>
    public static JsonObject FromStructuring(StructuringResult result, Provenance provenance)
    {
        var entities = result.RadGraph.Entities;
        var observations = new JsonArray();
        var references = new JsonArray();
        var n = 0;
        foreach (var (id, entity) in entities.OrderBy(e => e.Value.StartIx))
        {
            if (entity.Label == RadGraphLabels.AnatomyDefinitelyPresent) continue;
            // A modifier observation ("small", "left") is folded into the finding it modifies, not reported alone.
            if (entity.Relations.Any(r => r.Type == RadGraphRelations.Modify && entities.TryGetValue(r.TargetId, out var t) && t.Label != RadGraphLabels.AnatomyDefinitelyPresent)) continue;
            n++;
            var obsId = $"obs{n}";
            var modifiers = entities.Values
                .Where(e => e.Relations.Any(r => r.Type == RadGraphRelations.Modify && r.TargetId == id))
                .OrderBy(e => e.StartIx).Select(e => e.Tokens).ToList();
            var sites = entity.Relations.Where(r => r.Type == RadGraphRelations.LocatedAt && entities.ContainsKey(r.TargetId))
                .Select(r => entities[r.TargetId].Tokens).ToList();
            var observation = new JsonObject
            {
                ["resourceType"] = "Observation",
                ["id"] = obsId,
                ["status"] = "preliminary",
                ["category"] = new JsonArray(new JsonObject
                {
                    ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/observation-category", ["code"] = "imaging" }),
                }),
                ["code"] = new JsonObject { ["text"] = modifiers.Count > 0 ? string.Join(' ', modifiers) + " " + entity.Tokens : entity.Tokens },
                ["valueCodeableConcept"] = Certainty(entity.Label),
            };
            if (sites.Count > 0) observation["bodySite"] = new JsonObject { ["text"] = string.Join(", ", sites) };
            observation["note"] = new JsonArray(new JsonObject { ["text"] = $"RadGraph {entity.Label}, words {entity.StartIx}-{entity.EndIx}" });
            observations.Add(observation);
            references.Add(new JsonObject { ["reference"] = "#" + obsId });
        }

        var report = new JsonObject
        {
            ["resourceType"] = "DiagnosticReport",
            ["meta"] = new JsonObject
            {
                ["tag"] = new JsonArray(new JsonObject { ["system"] = "https://reportgen.dev/fhir/CodeSystem/engine", ["code"] = provenance.Engine }),
            },
            ["contained"] = observations,
            ["status"] = "preliminary",
            ["category"] = new JsonArray(new JsonObject
            {
                ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v2-0074", ["code"] = "RAD", ["display"] = "Radiology" }),
            }),
            ["code"] = new JsonObject
            {
                ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "18748-4", ["display"] = "Diagnostic imaging study" }),
            },
            ["issued"] = provenance.GeneratedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture),
            ["result"] = references,
        };
        var conclusion = result.Sections.Impression ?? result.Sections.Findings;
        if (!string.IsNullOrWhiteSpace(conclusion)) report["conclusion"] = conclusion.Trim();
        return report;
    }

    private static JsonObject Certainty(string label)
    {
        var (code, display, snomed, snomedDisplay) = label switch
        {
            RadGraphLabels.ObservationDefinitelyPresent => ("present", "Definitely present", "52101004", "Present (qualifier value)"),
            RadGraphLabels.ObservationDefinitelyAbsent => ("absent", "Definitely absent", "2667000", "Absent (qualifier value)"),
            _ => ("uncertain", "Uncertain", (string?)null, (string?)null),
        };
        var coding = new JsonArray(new JsonObject { ["system"] = CertaintySystem, ["code"] = code, ["display"] = display });
        if (snomed is not null) coding.Add(new JsonObject { ["system"] = "http://snomed.info/sct", ["code"] = snomed, ["display"] = snomedDisplay });
        return new JsonObject { ["coding"] = coding, ["text"] = display };
    }
}
