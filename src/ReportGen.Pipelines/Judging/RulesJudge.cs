using ReportGen.Core.Labels;
using ReportGen.Core.RadGraph;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Classification.Rules;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Pipelines.Judging;

/// <summary>One positive finding as the rules judge sees it: the observation and what locates and grades it.</summary>
/// <param name="Key">Normalised observation words (lower case, plural folded, synonyms canonical: "enlarged heart" → cardiomegaly).</param>
/// <param name="Locations">Normalised anatomy words reached by located_at (and their modifiers).</param>
/// <param name="Severities">Severity modifiers (small, moderate, large, mild, severe, ...).</param>
public sealed record JudgedFinding(string Key, IReadOnlySet<string> Locations, IReadOnlySet<string> Severities)
{
    /// <summary>True for an uncertain observation (RadGraph OBS-U: "possible", "may represent", "likely").</summary>
    public bool Uncertain { get; init; }

    /// <summary>The comparison with a prior stated for it (<see cref="RulesJudge.ComparisonKinds"/>), or null.</summary>
    public string? Comparison { get; init; }
}

/// <summary>
/// The model-free judge's verdict, GREEN-like: matched findings and six error kinds ((a) false, (b) missed,
/// (c) location, (d) severity, (e) extra comparison, (f) omitted comparison), score = matched / (matched + errors)
/// (0 when nothing matched; 1 when both reports have no positive finding and no error). Certainty mismatches and
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
    /// <summary>(e) Comparisons with a prior that the candidate states and the reference does not (or states differently).</summary>
    public int ExtraComparisons { get; init; }

    /// <summary>(f) Changes from a prior (new, increased, decreased, resolved) that the reference states and the candidate omits or misstates.</summary>
    public int OmittedComparisons { get; init; }

    /// <summary>Matched findings stated as certain in one report and uncertain in the other (not in the score).</summary>
    public int CertaintyMismatches { get; init; }

    /// <summary>Σ errors in the score: kinds (a)–(f).</summary>
    public int Errors => FalseFindings + MissedFindings + LocationMismatches + SeverityMismatches + ExtraComparisons + OmittedComparisons;

    /// <summary>
    /// Why the score cannot stand (a text not in English, which the RadGraph rules do not read), or null. With a
    /// problem the output has no score (<see cref="JudgeStatus.UnsupportedLanguage"/>).
    /// </summary>
    public string? Problem { get; init; }
}

/// <summary>
/// Scores a candidate report against a reference without a model. Both are structured with the rules RadGraph extractor
/// (negation and uncertainty come from its OBS-DA / OBS-U labels). Positive observations (OBS-DP, OBS-U that are not
/// themselves modifiers) are matched by their words (exactly, then by head noun); unmatched ones are false/missed
/// findings. A matched pair is a location mismatch when the sides (left/right/bilateral) differ, the lung zones
/// (upper/middle/lower) are disjoint, or the specific anatomy is disjoint; a severity mismatch when the graded
/// severities (trace &lt; mild/small &lt; moderate &lt; severe/large) do not overlap ("moderate to large" is a range).
/// Comparisons with a prior come from the sentence's wording (new, increased, decreased, resolved, changed, unchanged):
/// see <see cref="ComparisonError"/>. CheXpert (rules labeler) positives are compared too. eval/judging.md documents it.
/// </summary>
public sealed class RulesJudge
{
    /// <summary>Modifiers that grade a finding (they are stripped from the finding's key).</summary>
    public static readonly IReadOnlySet<string> SeverityWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "trace", "tiny", "minimal", "minimally", "small", "mild", "mildly", "moderate", "moderately", "large", "severe", "severely",
        "massive", "extensive", "marked", "markedly", "significant", "slight", "slightly", "subtle", "prominent", "minor",
    };

    /// <summary>Severity grades: 1 trace/minimal, 2 small/mild, 3 moderate, 4 large/severe (ungraded words are left out).</summary>
    public static readonly IReadOnlyDictionary<string, int> SeverityGrades = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["trace"] = 1, ["tiny"] = 1, ["minimal"] = 1, ["minimally"] = 1, ["subtle"] = 1, ["minor"] = 1,
        ["small"] = 2, ["mild"] = 2, ["mildly"] = 2, ["slight"] = 2, ["slightly"] = 2,
        ["moderate"] = 3, ["moderately"] = 3,
        ["large"] = 4, ["severe"] = 4, ["severely"] = 4, ["massive"] = 4, ["extensive"] = 4, ["marked"] = 4, ["markedly"] = 4,
    };

    /// <summary>The comparison kinds: changes (new, increased, decreased, resolved, changed) and "unchanged".</summary>
    public static readonly IReadOnlyList<string> ComparisonKinds = ["new", "increased", "decreased", "resolved", "changed", "unchanged"];

    /// <summary>Observations that state normality or are generic; not findings to match.</summary>
    public static readonly IReadOnlySet<string> NormalWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "clear", "normal", "unremarkable", "intact", "stable", "unchanged", "within", "limit", "acute", "no", "free", "expanded", "well",
        "finding", "negative", "appearance", "size",
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
        var candidateStructure = _structuring.StructureWithRules(candidate);
        var referenceStructure = _structuring.StructureWithRules(reference);
        var cand = Analyse(candidateStructure.RadGraph);
        var refs = Analyse(referenceStructure.RadGraph);
        int matched = 0, location = 0, severity = 0, extra = 0, omitted = 0, certainty = 0;
        var unmatchedCand = cand.Findings.ToList();
        var unmatchedRef = refs.Findings.ToList();
        // Exact keys first, then the head noun ("airspace consolidation" ~ "consolidation"), so a specific pair is not
        // taken by a looser one.
        foreach (var loose in new[] { false, true })
        {
            foreach (var c in unmatchedCand.ToList())
            {
                // Among same-key findings take the one it agrees with best, so "left small + right large" against
                // "right large + left small" pairs side with side, not first with first.
                var r = unmatchedRef.Where(x => loose ? Head(x.Key) == Head(c.Key) : x.Key == c.Key).MinBy(x => Disagreements(c, x));
                if (r is null) continue;
                unmatchedCand.Remove(c);
                unmatchedRef.Remove(r);
                matched++;
                if (LocationsDiffer(c.Locations, r.Locations)) location++;
                if (SeveritiesDiffer(c.Severities, r.Severities)) severity++;
                if (c.Uncertain != r.Uncertain) certainty++;
                switch (ComparisonError(c.Comparison, r.Comparison))
                {
                    case 'e': extra++; break;
                    case 'f': omitted++; break;
                }
            }
        }
        // Comparison statements about no positive finding ("The effusion has resolved.", "Heart size is unchanged.").
        var refStatements = refs.Statements.ToList();
        foreach (var (subject, kind) in cand.Statements)
        {
            var r = refStatements.FindIndex(s => s.Subject.Overlaps(subject));
            var error = ComparisonError(kind, r >= 0 ? refStatements[r].Kind : null);
            if (r >= 0) refStatements.RemoveAt(r);
            if (error == 'e') extra++;
            else if (error == 'f') omitted++;
        }
        foreach (var (_, kind) in refStatements)
            if (ComparisonError(null, kind) == 'f') omitted++;

        var falses = unmatchedCand.Count;
        var missed = unmatchedRef.Count;
        var errors = falses + missed + location + severity + extra + omitted;
        double score = matched == 0 ? (errors == 0 ? 1 : 0) : matched / (double)(matched + errors);

        // Structuring has detected each text's language already.
        var candidateLanguage = candidateStructure.Language;
        var referenceLanguage = referenceStructure.Language;
        IReadOnlyList<string> falseLabels = [], missedLabels = [];
        if (_chexpert is not null)
        {
            // The CheXpert labeler has phrases in every language the detector knows, so the label lists hold for any.
            var cl = Positives(candidate, candidateLanguage);
            var rl = Positives(reference, referenceLanguage);
            falseLabels = [.. cl.Except(rl).Order(StringComparer.Ordinal)];
            missedLabels = [.. rl.Except(cl).Order(StringComparer.Ordinal)];
        }
        return new RulesJudgement(score, matched, falses, missed, location, severity, falseLabels, missedLabels)
        {
            ExtraComparisons = extra,
            OmittedComparisons = omitted,
            CertaintyMismatches = certainty,
            Problem = NotEnglish("candidate", candidateLanguage) ?? NotEnglish("reference", referenceLanguage),
        };
    }

    // "Cardiomegalia leve. Sin derrame pleural." against "... Derrame pleural izquierdo." scored 1.0: the English RadGraph
    // rules saw no finding on either side. A text in another language gets no score rather than a false agreement.
    private static string? NotEnglish(string field, string language) => language is "en" or "und"
        ? null
        : $"the {field} reads as '{language}'; the rules judge's findings come from English RadGraph rules, so it gives no score (compare the label lists, or use an LLM judge)";

    private static int Disagreements(JudgedFinding c, JudgedFinding r) =>
        (LocationsDiffer(c.Locations, r.Locations) ? 1 : 0) + (SeveritiesDiffer(c.Severities, r.Severities) ? 1 : 0)
        + (ComparisonError(c.Comparison, r.Comparison) != '\0' ? 1 : 0) + (c.Uncertain != r.Uncertain ? 1 : 0);

    /// <summary>
    /// GREEN's comparison kinds for one finding (or statement): 'f' when the reference states a change (new, increased,
    /// decreased, resolved, changed) that the candidate omits or states differently; else 'e' when the candidate states
    /// a comparison the reference does not (or states differently, e.g. "increased" for "unchanged"); else no error
    /// ('\0'). A reference "unchanged" the candidate leaves out is no error: it details no change.
    /// </summary>
    public static char ComparisonError(string? candidate, string? reference)
    {
        if (candidate == reference) return '\0';
        if (reference is not null && reference != "unchanged") return 'f';
        return candidate is not null ? 'e' : '\0';
    }

    /// <summary>Sides (left/right/bilateral) both stated and different, lung zones both stated and disjoint, or specific anatomy disjoint.</summary>
    private static bool LocationsDiffer(IReadOnlySet<string> a, IReadOnlySet<string> b)
    {
        if (a.Count == 0 || b.Count == 0) return false;
        var sideA = Sides(a);
        var sideB = Sides(b);
        if (sideA.Count > 0 && sideB.Count > 0 && !sideA.SetEquals(sideB)) return true;
        var zoneA = Zones(a);
        var zoneB = Zones(b);
        if (zoneA.Count > 0 && zoneB.Count > 0 && !zoneA.Overlaps(zoneB)) return true;
        var siteA = a.Where(w => !SideWords.ContainsKey(w) && !ZoneWords.ContainsKey(w) && !GenericAnatomy.Contains(w)).ToHashSet();
        var siteB = b.Where(w => !SideWords.ContainsKey(w) && !ZoneWords.ContainsKey(w) && !GenericAnatomy.Contains(w)).ToHashSet();
        return siteA.Count > 0 && siteB.Count > 0 && !siteA.Overlaps(siteB);
    }

    private static HashSet<string> Sides(IReadOnlySet<string> words) => words.Where(SideWords.ContainsKey).Select(w => SideWords[w]).ToHashSet();

    private static HashSet<string> Zones(IReadOnlySet<string> words) => words.Where(ZoneWords.ContainsKey).Select(w => ZoneWords[w]).ToHashSet();

    /// <summary>Graded severities on both sides whose grade ranges do not overlap.</summary>
    private static bool SeveritiesDiffer(IReadOnlySet<string> a, IReadOnlySet<string> b)
    {
        var ga = a.Where(SeverityGrades.ContainsKey).Select(w => SeverityGrades[w]).ToArray();
        var gb = b.Where(SeverityGrades.ContainsKey).Select(w => SeverityGrades[w]).ToArray();
        if (ga.Length == 0 || gb.Length == 0) return false;
        return ga.Max() < gb.Min() || gb.Max() < ga.Min();
    }

    private static readonly Dictionary<string, string> SideWords = new(StringComparer.Ordinal)
    {
        ["left"] = "left", ["right"] = "right", ["bilateral"] = "bilateral", ["both"] = "bilateral", ["bibasilar"] = "bilateral",
        ["bibasal"] = "bilateral", ["biapical"] = "bilateral",
    };

    private static readonly Dictionary<string, string> ZoneWords = new(StringComparer.Ordinal)
    {
        ["upper"] = "upper", ["apex"] = "upper", ["apice"] = "upper", ["apical"] = "upper", ["biapical"] = "upper",
        ["middle"] = "middle", ["mid"] = "middle", ["lingula"] = "middle", ["lingular"] = "middle",
        ["lower"] = "lower", ["base"] = "lower", ["basal"] = "lower", ["basilar"] = "lower", ["bibasilar"] = "lower", ["bibasal"] = "lower", ["retrocardiac"] = "lower",
    };

    // Anatomy words too broad to contradict a more specific site ("lung" vs "lobe").
    private static readonly HashSet<string> GenericAnatomy = new(StringComparer.Ordinal)
    {
        "lung", "lobe", "zone", "field", "hemithorax", "chest", "thorax", "side", "region", "area", "pulmonary", "of", "the", "in",
    };

    private HashSet<string> Positives(string text, string language)
    {
        var outcome = RulesLabeler.Label(text, _chexpert!, RulesLabeler.SupportedLanguages.Contains(language) ? language : "en");
        return outcome.Labels.Where(kv => kv.Value is LabelValue.Positive or LabelValue.Uncertain && kv.Key != "No Finding")
            .Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The positive findings of a RadGraph document.</summary>
    public static IReadOnlyList<JudgedFinding> Findings(RadGraphDocument doc) => Analyse(doc).Findings;

    private sealed record Analysis(IReadOnlyList<JudgedFinding> Findings, IReadOnlyList<(HashSet<string> Subject, string Kind)> Statements);

    private static Analysis Analyse(RadGraphDocument doc)
    {
        ArgumentNullException.ThrowIfNull(doc);
        var entities = doc.Entities;
        var tokens = doc.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant()).ToArray();
        var sentenceOf = SentenceIndex(tokens);
        var comparisons = ComparisonMentions(tokens);

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
        var sentencesWithFindings = new HashSet<int>();
        var negatedChanges = NegatedChanges(tokens);
        foreach (var (id, e) in entities.OrderBy(kv => kv.Value.StartIx))
        {
            // "No increase in the small effusion": the negation is about the change, not the effusion (the extractor
            // may label the effusion absent); such an observation is present, and the sentence says "unchanged".
            var present = e.Label is RadGraphLabels.ObservationDefinitelyPresent or RadGraphLabels.ObservationUncertain
                || (e.Label == RadGraphLabels.ObservationDefinitelyAbsent && negatedChanges.Any(t => t < e.StartIx && e.StartIx < sentenceOf.Length && sentenceOf[t] == sentenceOf[e.StartIx]));
            if (!present) continue;
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
            var keyWords = words.Where(w => !SeverityWords.Contains(w) && !ComparisonWords.ContainsKey(w)).ToList();
            if (keyWords.Count == 0 || keyWords.All(NormalWords.Contains)) continue;
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
            var key = Canonical(string.Join(' ', keyWords), locations);
            var sentence = e.StartIx < sentenceOf.Length ? sentenceOf[e.StartIx] : -1;
            sentencesWithFindings.Add(sentence);
            findings.Add(new JudgedFinding(key, locations, severities)
            {
                Uncertain = e.Label == RadGraphLabels.ObservationUncertain,
                Comparison = Nearest(comparisons, sentenceOf, sentence, e.StartIx),
            });
        }

        // Comparison wording in a sentence without a positive finding is a statement about its absent observations
        // ("The effusion has resolved.") or, failing those, its anatomy ("Heart size is unchanged.").
        var statements = new List<(HashSet<string>, string)>();
        foreach (var group in comparisons.GroupBy(c => sentenceOf[c.Token]).Where(g => !sentencesWithFindings.Contains(g.Key)))
        {
            var inSentence = entities.Values.Where(x => x.StartIx < sentenceOf.Length && sentenceOf[x.StartIx] == group.Key).ToList();
            var subject = inSentence.Where(x => x.Label is RadGraphLabels.ObservationDefinitelyAbsent or RadGraphLabels.ObservationDefinitelyPresent or RadGraphLabels.ObservationUncertain)
                .SelectMany(x => Words(x.Tokens)).Where(w => !NormalWords.Contains(w) && !SeverityWords.Contains(w) && !ComparisonWords.ContainsKey(w)).ToHashSet(StringComparer.Ordinal);
            if (subject.Count == 0)
                subject = inSentence.Where(x => x.Label == RadGraphLabels.AnatomyDefinitelyPresent).SelectMany(x => Words(x.Tokens))
                    .Where(w => !SideWords.ContainsKey(w) && !NormalWords.Contains(w)).ToHashSet(StringComparer.Ordinal);
            if (subject.Count > 0) statements.Add((subject, group.First().Kind));
        }
        return new Analysis(findings, statements);
    }

    /// <summary>Token positions of "no/without/not [significant|interval] increase|decrease|change|... in|of".</summary>
    private static List<int> NegatedChanges(string[] tokens)
    {
        var found = new List<int>();
        for (var i = 1; i + 1 < tokens.Length; i++)
        {
            if (tokens[i] is not ("increase" or "decrease" or "change" or "progression" or "worsening" or "improvement") || tokens[i + 1] is not ("in" or "of")) continue;
            for (var j = i - 1; j >= Math.Max(0, i - 3); j--)
            {
                if (tokens[j] is "no" or "without" or "not") { found.Add(i); break; }
                if (tokens[j] is not ("significant" or "interval" or "appreciable" or "definite")) break;
            }
        }
        return found;
    }

    private static string? Nearest(IReadOnlyList<(int Token, string Kind)> comparisons, int[] sentenceOf, int sentence, int token)
    {
        string? best = null;
        var distance = int.MaxValue;
        foreach (var (t, kind) in comparisons)
        {
            if (sentenceOf[t] != sentence || Math.Abs(t - token) >= distance) continue;
            distance = Math.Abs(t - token);
            best = kind;
        }
        return best;
    }

    private static int[] SentenceIndex(string[] tokens)
    {
        var index = new int[tokens.Length];
        var sentence = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            index[i] = sentence;
            if (tokens[i] is "." or "?" or "!" or ";") sentence++;
        }
        return index;
    }

    /// <summary>Single words that state a comparison with a prior, by kind.</summary>
    private static readonly Dictionary<string, string> ComparisonWords = new(StringComparer.Ordinal)
    {
        ["new"] = "new", ["newly"] = "new",
        ["increased"] = "increased", ["increasing"] = "increased", ["increase"] = "increased", ["worsened"] = "increased", ["worsening"] = "increased",
        ["worse"] = "increased", ["progressed"] = "increased", ["progressing"] = "increased", ["progression"] = "increased", ["enlarging"] = "increased",
        ["decreased"] = "decreased", ["decreasing"] = "decreased", ["decrease"] = "decreased", ["improved"] = "decreased", ["improving"] = "decreased",
        ["improvement"] = "decreased", ["smaller"] = "decreased", ["resolving"] = "decreased", ["diminished"] = "decreased", ["reduced"] = "decreased",
        ["resolved"] = "resolved", ["resolution"] = "resolved", ["cleared"] = "resolved",
        ["changed"] = "changed", ["change"] = "changed",
        ["unchanged"] = "unchanged", ["stable"] = "unchanged", ["stably"] = "unchanged", ["persistent"] = "unchanged", ["persists"] = "unchanged",
        ["persisting"] = "unchanged", ["similar"] = "unchanged", ["redemonstrated"] = "unchanged", ["again"] = "unchanged",
    };

    // "increased interstitial markings", "decreased lung volumes": these describe, they do not compare.
    private static readonly HashSet<string> DescriptiveAfter = new(StringComparer.Ordinal)
    {
        "interstitial", "markings", "marking", "density", "densities", "opacity", "opacities", "lucency", "attenuation", "vascularity",
        "vascular", "lung", "volumes", "volume", "aeration", "bronchovascular", "reticular",
    };

    private static List<(int Token, string Kind)> ComparisonMentions(string[] tokens)
    {
        var found = new List<(int, string)>();
        for (var i = 0; i < tokens.Length; i++)
        {
            var word = tokens[i];
            // "no longer" = resolved; "no (interval|significant) change" = unchanged.
            if (word == "longer" && i > 0 && tokens[i - 1] == "no") { found.Add((i, "resolved")); continue; }
            // "interval development/appearance of" = new; "interval removal of" = resolved.
            if (word == "interval" && i + 1 < tokens.Length && tokens[i + 1] is "development" or "appearance" or "placement") { found.Add((i, "new")); continue; }
            if (word == "interval" && i + 1 < tokens.Length && tokens[i + 1] is "removal") { found.Add((i, "resolved")); continue; }
            if (!ComparisonWords.TryGetValue(word, out var kind)) continue;
            var negated = i > 0 && tokens[i - 1] is "no" or "not" or "without";
            // "No new consolidation" states no finding, not a comparison; "no increase in" means unchanged.
            if (negated && kind == "new") continue;
            if (negated && kind is "increased" or "decreased") kind = "unchanged";
            if (kind is "increased" or "decreased" && i + 1 < tokens.Length && DescriptiveAfter.Contains(tokens[i + 1])) continue;
            if (kind == "changed" && Enumerable.Range(Math.Max(0, i - 3), i - Math.Max(0, i - 3)).Any(j => tokens[j] is "no" or "without" or "not")) kind = "unchanged";
            if (word == "again" && !(i + 1 < tokens.Length && tokens[i + 1] is "seen" or "noted" or "demonstrated" or "identified")) continue;
            found.Add((i, kind));
        }
        return found;
    }

    /// <summary>Synonyms folded to one key, so "enlarged heart" meets "cardiomegaly".</summary>
    private static string Canonical(string key, HashSet<string> locations)
    {
        if (key is "enlarged" or "enlargement" or "enlarge" && locations.Overlaps(HeartWords))
        {
            locations.ExceptWith(HeartWords);
            return "cardiomegaly";
        }
        return key switch
        {
            "opacification" or "opacity" or "density" or "airspace opacity" or "airspace disease" => "opacity",
            "collapse" => "atelectasis",
            "hyperexpanded" or "hyperexpansion" or "hyperinflated" or "hyperinflation" or "hyperaerated" => "hyperexpansion",
            "ptx" => "pneumothorax",
            _ => key,
        };
    }

    private static readonly HashSet<string> HeartWords = new(StringComparer.Ordinal) { "heart", "cardiac", "silhouette", "cardiomediastinal", "size" };

    private static string Head(string key) => key[(key.LastIndexOf(' ') + 1)..];

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
