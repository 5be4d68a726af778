using System.Text.Json.Nodes;

namespace ReportGen.Api.Fhir;

/// <summary>
/// SNOMED CT codes for the findings the structuring lexicon knows as one exact concept. A finding is coded only when
/// its words (RadGraph's observation with its modifiers) and its site name the concept without doubt; anything else
/// keeps <c>code.text</c> alone, never a near miss. Whether the finding is present, absent or uncertain is the
/// observation's value, not its code, so an uncertain "possible pneumothorax" is coded as pneumothorax too.
/// The map is small on purpose: every concept id and term here was checked against several published terminology maps
/// (SNOMED CT tooling, FHIR ConceptMaps) before it was added.
/// To add one: a row below (the finding's word, the site word it needs, if any, the concept id and its preferred term),
/// and a case in FhirCodingTests.
/// </summary>
public static class SnomedFindings
{
    /// <summary>The SNOMED CT code system URI.</summary>
    public const string System = "http://snomed.info/sct";

    // (finding word, site word that must appear in the finding or its site; null = none needed, concept id, preferred term)
    private static readonly (string Word, string? Site, string Code, string Display)[] Concepts =
    [
        ("pneumothorax", null, "36118008", "Pneumothorax"),
        ("pneumothoraces", null, "36118008", "Pneumothorax"),
        ("effusion", "pleural", "60046008", "Pleural effusion"),
        ("effusions", "pleural", "60046008", "Pleural effusion"),
        ("cardiomegaly", null, "8186001", "Cardiomegaly"),
        ("edema", "pulmonary", "19242006", "Pulmonary edema"),
        ("oedema", "pulmonary", "19242006", "Pulmonary edema"),
        ("atelectasis", null, "46621007", "Atelectasis"),
        ("atelectases", null, "46621007", "Atelectasis"),
        ("pneumonia", null, "233604007", "Pneumonia"),
        ("fracture", null, "125605004", "Fracture of bone"),
        ("fractures", null, "125605004", "Fracture of bone"),
    ];

    /// <summary>The SNOMED CT coding of a finding (its words and its sites), or null when the map does not know it exactly.</summary>
    public static JsonObject? Coding(string finding, IReadOnlyList<string> sites)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(sites);
        var words = finding.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return null;
        var head = words[^1];   // RadGraph's observation word comes last; the words before it are its modifiers
        var where = string.Join(' ', words.Append(string.Join(' ', sites).ToLowerInvariant()));
        foreach (var (word, site, code, display) in Concepts)
        {
            if (head != word) continue;
            if (site is not null && !where.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(site)) continue;
            return new JsonObject { ["system"] = System, ["code"] = code, ["display"] = display };
        }
        return null;
    }
}
