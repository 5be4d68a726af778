using ReportGen.Pipelines.Structuring;

namespace ReportGen.Pipelines.Completion;

/// <summary>Whether a sentence says a finding is there (abnormal) or not (normal/absent).</summary>
public enum FindingState
{
    /// <summary>Mentioned without a clear state.</summary>
    Mentioned,
    /// <summary>Present / abnormal ("small left pleural effusion", "the heart is enlarged").</summary>
    Present,
    /// <summary>Absent / normal ("no pleural effusion", "heart size is normal").</summary>
    Absent,
}

/// <summary>One (finding concept, state) pair read from a sentence.</summary>
public readonly record struct FindingMention(string Concept, FindingState State);

/// <summary>
/// Reads (concept, state) pairs from a report sentence with a small concept lexicon, a normality lexicon and the
/// structuring engine's negation and scope cues (<see cref="RadGraphLexicon.ScopeCue"/>), NegEx style: a negation
/// cue ("no", "free of") negates the concepts after it in the same clause, a post-cue ("is not seen") those before;
/// a normality word ("normal", "clear", "unremarkable") marks the clause's structure concepts normal;
/// an abnormality word ("enlarged", "widened") or an inherently abnormal concept marks them present.
/// Used to keep suggestions consistent with what the report already says.
/// </summary>
public static class FindingPolarity
{
    // concept -> phrases (token sequences). Abnormal concepts are present unless negated.
    // Regions (lungs, bones) hold many findings at once, so only "normal/clear" gives them a state.
    private static readonly HashSet<string> Regions = ["lungs", "bones"];

    private static readonly (string Concept, bool Structure, string[] Phrases)[] Lexicon =
    [
        ("heart", true, ["heart", "cardiac", "cardiomediastinal", "cardio mediastinal", "cardiomegaly", "cardiac silhouette"]),
        ("mediastinum", true, ["mediastinum", "mediastinal", "hilar", "hila"]),
        ("lungs", false, ["lungs", "lung fields", "lung"]),
        ("bones", false, ["osseous", "bony", "bones", "skeletal"]),
        ("aorta", true, ["aorta", "aortic"]),
        ("pulmonary vasculature", true, ["vascularity", "vasculature", "vascular"]),
        ("diaphragm", true, ["diaphragm", "hemidiaphragm", "hemidiaphragms"]),
        ("pleural effusion", false, ["effusion", "effusions", "pleural fluid"]),
        ("pneumothorax", false, ["pneumothorax", "pneumothoraces"]),
        ("consolidation", false, ["consolidation", "consolidations", "airspace disease", "air space disease", "airspace opacity", "infiltrate", "infiltrates", "pneumonia"]),
        ("edema", false, ["edema", "vascular congestion", "congestion"]),
        ("atelectasis", false, ["atelectasis", "atelectatic"]),
        ("opacity", false, ["opacity", "opacities", "opacification"]),
        ("nodule", false, ["nodule", "nodules", "mass", "masses", "nodular"]),
        ("fracture", false, ["fracture", "fractures"]),
        ("granuloma", false, ["granuloma", "granulomas", "granulomatous", "calcified granuloma"]),
        ("emphysema", false, ["emphysema", "hyperinflation", "hyperinflated", "hyperexpanded", "copd"]),
        ("scoliosis", false, ["scoliosis"]),
        ("degenerative change", false, ["degenerative", "spondylosis", "osteophytes"]),
        ("hernia", false, ["hernia"]),
        ("free air", false, ["free air", "intraperitoneal air", "pneumoperitoneum"]),
    ];

    // The lexicon's phrases split into words once (matching runs per token per concept).
    private static readonly (string Concept, bool Structure, string[][] Phrases)[] SplitLexicon =
        [.. Lexicon.Select(e => (e.Concept, e.Structure, e.Phrases.Select(p => p.Split(' ')).ToArray()))];

    private static readonly HashSet<string> NormalWords =
        ["normal", "clear", "unremarkable", "intact", "stable", "expanded", "limits", "satisfactory", "maintained", "preserved"];

    private static readonly HashSet<string> AbnormalWords =
        ["enlarged", "enlargement", "widened", "widening", "increased", "prominent", "tortuous", "abnormal", "elevated", "elevation", "cardiomegaly", "hyperinflated", "hyperexpanded", "calcified", "atherosclerotic", "ectatic", "unfolded", "mildly", "moderately", "severe", "large"];

    /// <summary>The (concept, state) pairs of one sentence; a concept appears at most once (last state wins).</summary>
    public static IReadOnlyList<FindingMention> Extract(string sentence)
    {
        var result = new Dictionary<string, FindingState>();
        foreach (var clause in Clauses(sentence))
        {
            ReadClause(clause, result);
        }
        return [.. result.Select(kv => new FindingMention(kv.Key, kv.Value))];
    }

    private static IEnumerable<string[]> Clauses(string sentence)
    {
        // Clauses end at ';' and at the structuring lexicon's scope breaks ("but", "however", "which", "there"); commas
        // alone do not end a negation's scope ("no effusion, pneumothorax, or consolidation").
        foreach (var part in sentence.Split(';'))
        {
            var words = CompletionText.Tokens(part).ToArray();
            var start = 0;
            for (var i = 1; i < words.Length; i++)
            {
                if (RadGraphLexicon.Default.ScopeCue(words, i, words.Length).Kind != LexKind.ScopeBreak) continue;
                yield return words[start..i];
                start = i;
            }
            if (start < words.Length) yield return words[start..];
        }
    }

    private static void ReadClause(string[] clause, Dictionary<string, FindingState> into)
    {
        // A pre-cue negates what follows it in the clause, a post-cue what came before it.
        var negatedFrom = int.MaxValue;
        var negatedBefore = 0;
        for (var i = 0; i < clause.Length;)
        {
            var (kind, length) = RadGraphLexicon.Default.ScopeCue(clause, i, clause.Length);
            if (kind == LexKind.NegationPre) negatedFrom = Math.Min(negatedFrom, i);
            else if (kind == LexKind.NegationPost) negatedBefore = i;
            i += Math.Max(length, 1);
        }
        var negated = negatedFrom != int.MaxValue || negatedBefore > 0;
        var hasNormal = false;
        var hasAbnormal = false;
        foreach (var t in clause)
        {
            hasNormal |= NormalWords.Contains(t);
            hasAbnormal |= AbnormalWords.Contains(t);
        }
        var taken = new bool[clause.Length];
        foreach (var (concept, structure, phrases) in SplitLexicon)
        {
            for (var i = 0; i < clause.Length; i++)
            {
                if (taken[i]) continue;
                string[]? phrase = null;
                foreach (var p in phrases)
                {
                    if (Matches(clause, i, p)) { phrase = p; break; }
                }
                if (phrase is null)
                {
                    continue;
                }
                for (var j = 0; j < phrase.Length; j++) taken[i + j] = true;
                FindingState state;
                if (i > negatedFrom || i < negatedBefore)
                {
                    state = FindingState.Absent;
                }
                else if (Regions.Contains(concept))
                {
                    state = hasNormal && !hasAbnormal ? FindingState.Absent : FindingState.Mentioned;
                }
                else if (structure)
                {
                    // "heart size is normal" vs "the heart is enlarged"; "no" before a structure word is rare.
                    state = hasAbnormal && !hasNormal ? FindingState.Present
                        : hasNormal && !hasAbnormal ? FindingState.Absent
                        : hasAbnormal ? FindingState.Present : FindingState.Mentioned;
                    if (negated && !hasAbnormal) state = FindingState.Absent;
                }
                else
                {
                    state = FindingState.Present;
                }
                into[concept] = state;
                break;
            }
        }
    }

    private static bool Matches(string[] tokens, int at, string[] phrase)
    {
        if (at + phrase.Length > tokens.Length) return false;
        for (var j = 0; j < phrase.Length; j++)
        {
            if (tokens[at + j] != phrase[j]) return false;
        }
        return true;
    }

    /// <summary>
    /// True when <paramref name="candidate"/> contradicts <paramref name="established"/>: a concept is
    /// present in one and absent in the other.
    /// </summary>
    public static bool Contradicts(IReadOnlyDictionary<string, FindingState> established, IReadOnlyList<FindingMention> candidate)
    {
        foreach (var m in candidate)
        {
            if (m.State != FindingState.Mentioned && established.TryGetValue(m.Concept, out var s)
                && s != FindingState.Mentioned && s != m.State)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>How many of the candidate's concepts the report already mentions (with any state).</summary>
    public static int Overlap(IReadOnlyDictionary<string, FindingState> established, IReadOnlyList<FindingMention> candidate) =>
        candidate.Count(m => established.ContainsKey(m.Concept));
}
