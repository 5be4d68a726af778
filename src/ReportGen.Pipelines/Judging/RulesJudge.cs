using ReportGen.Core.Text;
using ReportGen.Core.Labels;
using ReportGen.Core.RadGraph;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Classification.Rules;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Pipelines.Judging;

/// <summary>One positive finding as the rules judge sees it: the observation and what locates and grades it.</summary>
/// <param name="Key">Normalised observation words (lower case, plural folded).</param>
/// <param name="Locations">Normalised anatomy words reached by located_at (and their modifiers).</param>
/// <param name="Severities">Severity modifiers (small, moderate, large, mild, severe, ...).</param>
public sealed record JudgedFinding(string Key, IReadOnlySet<string> Locations, IReadOnlySet<string> Severities);

/// <summary>
/// The model-free judge's verdict, GREEN-like: matched findings and four error kinds, score =
/// matched / (matched + errors) (0 when nothing matched; 1 when both reports have no positive finding).
/// CheXpert label disagreements are reported beside the score, not in it.
/// </summary>
public sealed record RulesJudgement(
    double Score,
    int MatchedFindings,
    int FalseFindings,
    int MissedFindings,
    int LocationMismatches,
    int SeverityMismatches,
    IReadOnlyList<string> FalseLabels,
    IReadOnlyList<string> MissedLabels)
{
    /// <summary>Σ errors in the score.</summary>
    public int Errors => FalseFindings + MissedFindings + LocationMismatches + SeverityMismatches;
}

/// <summary>
/// Scores a candidate report against a reference without a model: both are structured with the rules RadGraph
/// extractor; positive observations (OBS-DP, OBS-U that are not themselves modifiers) are matched by their words;
/// unmatched ones are false/missed findings; matched ones with disjoint located_at anatomy are location mismatches,
/// with differing severity modifiers severity mismatches. CheXpert (rules labeler) positives are compared too.
/// </summary>
public sealed class RulesJudge
{
    /// <summary>Modifiers that grade a finding.</summary>
    public static readonly IReadOnlySet<string> SeverityWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "trace", "tiny", "minimal", "minimally", "small", "mild", "mildly", "moderate", "moderately", "large", "severe", "severely",
        "massive", "extensive", "marked", "markedly", "significant", "slight", "slightly", "subtle", "prominent",
    };

    private readonly StructuringService _structuring = new();
    private readonly Taxonomy? _chexpert;

    /// <summary>Creates the judge; <paramref name="chexpert"/> (the CheXpert taxonomy) enables label comparison.</summary>
    public RulesJudge(Taxonomy? chexpert = null) => _chexpert = chexpert;

    /// <summary>Judges <paramref name="candidate"/> against <paramref name="reference"/> (throws <see cref="ReportTextException"/> naming the field on empty, binary or oversized text).</summary>
    public RulesJudgement Judge(string candidate, string reference)
    {
        ReportText.Validate(candidate, "candidate");
        ReportText.Validate(reference, "reference");
        var cand = Findings(_structuring.StructureWithRules(candidate).RadGraph);
        var refs = Findings(_structuring.StructureWithRules(reference).RadGraph);
        int matched = 0, falses = 0, location = 0, severity = 0;
        var unmatchedRef = refs.ToList();
        foreach (var c in cand)
        {
            var r = unmatchedRef.FirstOrDefault(x => x.Key == c.Key);
            if (r is null) { falses++; continue; }
            unmatchedRef.Remove(r);
            matched++;
            if (LocationsDiffer(c.Locations, r.Locations)) location++;
            if (c.Severities.Count > 0 && r.Severities.Count > 0 && !c.Severities.SetEquals(r.Severities)) severity++;
        }
        var missed = unmatchedRef.Count;
        var errors = falses + missed + location + severity;
        double score = matched == 0 ? (errors == 0 ? 1 : 0) : matched / (double)(matched + errors);

        IReadOnlyList<string> falseLabels = [], missedLabels = [];
        if (_chexpert is not null)
        {
            var cl = Positives(candidate);
            var rl = Positives(reference);
            falseLabels = [.. cl.Except(rl).Order(StringComparer.Ordinal)];
            missedLabels = [.. rl.Except(cl).Order(StringComparer.Ordinal)];
        }
        return new RulesJudgement(score, matched, falses, missed, location, severity, falseLabels, missedLabels);
    }

    /// <summary>Both located and either disjoint or on different sides (left vs right vs bilateral).</summary>
    private static bool LocationsDiffer(IReadOnlySet<string> a, IReadOnlySet<string> b)
    {
        if (a.Count == 0 || b.Count == 0) return false;
        if (!a.Overlaps(b)) return true;
        var sideA = a.Where(SideWords.Contains).ToHashSet();
        var sideB = b.Where(SideWords.Contains).ToHashSet();
        return sideA.Count > 0 && sideB.Count > 0 && !sideA.SetEquals(sideB);
    }

    private static readonly HashSet<string> SideWords = new(StringComparer.Ordinal) { "left", "right", "bilateral", "both" };

    /// <summary>Observations that state normality; not findings to match.</summary>
    public static readonly IReadOnlySet<string> NormalWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "clear", "normal", "unremarkable", "intact", "stable", "unchanged", "within", "limit", "acute", "no", "free", "expanded", "well",
    };

    private HashSet<string> Positives(string text)
    {
        var outcome = RulesLabeler.Label(text, _chexpert!, "en");
        return outcome.Labels.Where(kv => kv.Value is LabelValue.Positive or LabelValue.Uncertain && kv.Key != "No Finding")
            .Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The positive findings of a RadGraph document.</summary>
    public static IReadOnlyList<JudgedFinding> Findings(RadGraphDocument doc)
    {
        var entities = doc.Entities;
        // Entities that modify something are attributes (e.g. "small" → "effusion"), not findings of their own.
        var modifiersOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var isModifier = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, e) in entities)
            foreach (var rel in e.Relations.Where(r => r.Type == RadGraphRelations.Modify && entities.ContainsKey(r.TargetId)))
            {
                isModifier.Add(id);
                if (!modifiersOf.TryGetValue(rel.TargetId, out var list)) modifiersOf[rel.TargetId] = list = [];
                list.Add(id);
            }

        var findings = new List<JudgedFinding>();
        foreach (var (id, e) in entities)
        {
            if (e.Label is not (RadGraphLabels.ObservationDefinitelyPresent or RadGraphLabels.ObservationUncertain)) continue;
            var words = Words(e.Tokens);
            var severities = new HashSet<string>(StringComparer.Ordinal);
            var locations = new HashSet<string>(StringComparer.Ordinal);
            if (isModifier.Contains(id))
            {
                // A modifier of another observation is an attribute unless it names no severity and targets anatomy only.
                var targets = e.Relations.Where(r => r.Type == RadGraphRelations.Modify && entities.ContainsKey(r.TargetId)).Select(r => entities[r.TargetId]);
                if (targets.Any(t => t.Label != RadGraphLabels.AnatomyDefinitelyPresent) || words.All(SeverityWords.Contains)) continue;
            }
            foreach (var w in words.Where(SeverityWords.Contains)) severities.Add(w);
            var key = string.Join(' ', words.Where(w => !SeverityWords.Contains(w)));
            if (key.Length == 0 || key.Split(' ').All(NormalWords.Contains)) continue;
            foreach (var m in modifiersOf.GetValueOrDefault(id) ?? [])
            {
                var me = entities[m];
                foreach (var w in Words(me.Tokens))
                    if (SeverityWords.Contains(w)) severities.Add(w);
                foreach (var rel in me.Relations.Where(r => r.Type == RadGraphRelations.LocatedAt))
                    AddAnatomy(entities, modifiersOf, rel.TargetId, locations);
            }
            foreach (var rel in e.Relations.Where(r => r.Type == RadGraphRelations.LocatedAt))
                AddAnatomy(entities, modifiersOf, rel.TargetId, locations);
            findings.Add(new JudgedFinding(key, locations, severities));
        }
        return findings;
    }

    private static void AddAnatomy(IReadOnlyDictionary<string, RadGraphEntity> entities, Dictionary<string, List<string>> modifiersOf, string id, HashSet<string> into)
    {
        if (!entities.TryGetValue(id, out var anatomy)) return;
        foreach (var w in Words(anatomy.Tokens)) into.Add(w);
        foreach (var m in modifiersOf.GetValueOrDefault(id) ?? [])
            if (entities[m].Label == RadGraphLabels.AnatomyDefinitelyPresent)
                foreach (var w in Words(entities[m].Tokens)) into.Add(w);
    }

    /// <summary>Lower-cased words with simple plural folding (effusions → effusion, not "mass" → "mas").</summary>
    private static List<string> Words(string tokens) =>
        [.. tokens.ToLowerInvariant().Split([' ', '-', '/'], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Trim('.', ',', ';', ':', '(', ')'))
            .Where(w => w.Length > 0)
            .Select(w => w.Length > 3 && w.EndsWith('s') && !w.EndsWith("ss", StringComparison.Ordinal) && !w.EndsWith("us", StringComparison.Ordinal) && !w.EndsWith("is", StringComparison.Ordinal) ? w[..^1] : w)];
}
