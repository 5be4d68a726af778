using System.Text.Json.Nodes;
using ReportGen.Api.PipelineResults;
using ReportGen.Pipelines.Audit;
using ReportGen.Core.RadGraph;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Api.Fhir;

/// <summary>
/// Builds a FHIR R4 <c>DiagnosticReport</c> (status preliminary: machine output awaiting a radiologist) with one
/// contained <c>Observation</c> per RadGraph observation: the finding, whether it is present, absent or uncertain,
/// its body site (located_at, with the anatomy's own modifiers such as laterality) and modifiers. A finding stated
/// twice (findings and impression) is one observation. The report carries a generated XHTML narrative; empty arrays
/// are left out (FHIR JSON forbids them). Written as plain JSON (no FHIR SDK in our registry).
/// </summary>
public static class FhirDiagnosticReport
{
    /// <summary>Code system for RadGraph certainty values (uncertain has no exact SNOMED qualifier).</summary>
    public const string CertaintySystem = "https://reportgen.dev/fhir/CodeSystem/radgraph-certainty";

    /// <summary>The report for a structuring result; <paramref name="study"/> adds the patient and the study time when the request gave them.</summary>
    public static JsonObject FromStructuring(StructuringResult result, Provenance provenance, FhirStudy? study = null)
    {
        var entities = result.RadGraph.Entities;
        var observations = new JsonArray();
        var references = new JsonArray();
        var seen = new HashSet<(string Finding, string Label, string Sites)>();
        var n = 0;
        foreach (var (id, entity) in entities.OrderBy(e => e.Value.StartIx))
        {
            if (entity.Label == RadGraphLabels.AnatomyDefinitelyPresent) continue;
            // A modifier observation ("small", "left") is folded into the finding it modifies, not reported alone.
            if (entity.Relations.Any(r => r.Type == RadGraphRelations.Modify && entities.TryGetValue(r.TargetId, out var t) && t.Label != RadGraphLabels.AnatomyDefinitelyPresent)) continue;
            var modifiers = ModifiersOf(entities, id);
            // A site keeps its own modifiers ("left" modifies "pleural"): laterality is part of where the finding is.
            var sites = entity.Relations.Where(r => r.Type == RadGraphRelations.LocatedAt && entities.ContainsKey(r.TargetId))
                .Select(r => string.Join(' ', ModifiersOf(entities, r.TargetId).Append(entities[r.TargetId].Tokens))).ToList();
            var finding = modifiers.Count > 0 ? string.Join(' ', modifiers) + " " + entity.Tokens : entity.Tokens;
            // The impression often repeats a finding: one observation per finding, certainty and site.
            if (!seen.Add((finding.ToLowerInvariant(), entity.Label, string.Join(", ", sites).ToLowerInvariant()))) continue;
            n++;
            var obsId = $"obs{n}";
            var observation = new JsonObject
            {
                ["resourceType"] = "Observation",
                ["id"] = obsId,
                ["status"] = "preliminary",
                ["category"] = new JsonArray(new JsonObject
                {
                    ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/observation-category", ["code"] = "imaging" }),
                }),
                ["code"] = SnomedFindings.Coding(finding, sites) is { } coding
                    ? new JsonObject { ["coding"] = new JsonArray(coding), ["text"] = finding }
                    : new JsonObject { ["text"] = finding },
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
            ["text"] = Narrative(result, observations),
            ["status"] = "preliminary",
            ["category"] = new JsonArray(new JsonObject
            {
                ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v2-0074", ["code"] = "RAD", ["display"] = "Radiology" }),
            }),
            ["code"] = new JsonObject
            {
                ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://loinc.org", ["code"] = "18748-4", ["display"] = "Diagnostic imaging study" }),
            },
        };
        // Resource.language: the report's own language (a receiving system may route or translate by it); not when too short to tell.
        if (result.Language is { Length: 2 } language) report["language"] = language;
        // Only what the request said: the service knows neither the patient nor the study time by itself.
        if (study?.Subject is { } subject) report["subject"] = new JsonObject { ["reference"] = subject };
        if (study?.Effective is { } effective) report["effectiveDateTime"] = effective;
        report["issued"] = provenance.GeneratedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture);
        // FHIR JSON has no empty arrays: a report without findings has neither contained nor result.
        if (observations.Count > 0)
        {
            report["contained"] = observations;
            report["result"] = references;
        }
        var conclusion = result.Sections.Impression ?? result.Sections.Findings;
        if (!string.IsNullOrWhiteSpace(conclusion)) report["conclusion"] = conclusion.Trim();
        return report;
    }

    private static List<string> ModifiersOf(IReadOnlyDictionary<string, RadGraphEntity> entities, string id) =>
        entities.Values.Where(e => e.Relations.Any(r => r.Type == RadGraphRelations.Modify && r.TargetId == id))
            .OrderBy(e => e.StartIx).Select(e => e.Tokens).ToList();

    // The human-readable narrative FHIR expects (text.div, XHTML): the sections as written, then the coded findings.
    private static JsonObject Narrative(StructuringResult result, JsonArray observations)
    {
        var div = new System.Text.StringBuilder("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
        foreach (var section in result.Sections.Sections.Where(s => !string.IsNullOrWhiteSpace(s.Text)))
        {
            div.Append("<p>");
            if (!string.IsNullOrWhiteSpace(section.Header)) div.Append("<b>").Append(Xml(section.Header.Trim())).Append("</b> ");
            div.Append(Xml(section.Text.Trim())).Append("</p>");
        }
        if (observations.Count > 0)
        {
            div.Append("<ul>");
            foreach (var o in observations)
            {
                var site = o!["bodySite"]?["text"]?.GetValue<string>();
                div.Append("<li>").Append(Xml(o["code"]!["text"]!.GetValue<string>())).Append(": ").Append(Xml(o["valueCodeableConcept"]!["text"]!.GetValue<string>()))
                    .Append(site is null ? "" : " (" + Xml(site) + ")").Append("</li>");
            }
            div.Append("</ul>");
        }
        // What made the coding less trustworthy (a report not in English) is said where a reader of the resource looks.
        foreach (var warning in result.Warnings) div.Append("<p><i>").Append(Xml(warning)).Append("</i></p>");
        if (div.Length == "<div xmlns=\"http://www.w3.org/1999/xhtml\">".Length) div.Append("<p>No report text.</p>");
        return new JsonObject { ["status"] = "generated", ["div"] = div.Append("</div>").ToString() };
    }

    private static string Xml(string text) => System.Security.SecurityElement.Escape(text);

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
