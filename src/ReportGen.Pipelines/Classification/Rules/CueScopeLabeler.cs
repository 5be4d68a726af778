using ReportGen.Core.Labels;

namespace ReportGen.Pipelines.Classification.Rules;

/// <summary>
/// Decides positive / negative / uncertain for one mention in a space-delimited sentence. It approximates the
/// CheXpert labeler (NegBio dependency-graph patterns) with token scopes: a cue before the mention reaches
/// forward until a clause boundary; a cue after it is looked for within the clause that follows. Precedence is
/// the labeler's: pre-negation uncertainty, negation, post-negation uncertainty, else positive.
/// </summary>
internal sealed class CueScopeLabeler(LanguageCues cues)
{
    public LanguageCues Cues { get; } = cues;

    // "A or B", "A versus B": the alternatives among the uncertainty cues.
    private readonly List<Cue> _alternativesBefore = cues.UncertaintyBefore.Where(c => IsAlternativeWord(cues, c)).ToList();
    private readonly List<Cue> _alternativesAfter = cues.UncertaintyAfter.Where(c => IsAlternativeWord(cues, c)).ToList();

    private static bool IsAlternativeWord(LanguageCues cues, Cue cue) => cue.Tokens is [var w] && (w == cues.Or || w is "versus" or "vs");

    /// <summary>Is the span one of alternatives ("granuloma or neoplasm", "effusion versus thickening")?</summary>
    public bool IsAlternative(Sentence sentence, int first, int last) =>
        Before(sentence, first, _alternativesBefore) || After(sentence, last, _alternativesAfter);

    /// <summary>How far back a cue is looked for; real cue scopes ("no A, B, C, or D") are far shorter.</summary>
    private const int MaxBackward = 40;

    /// <summary>How far back an abnormal descriptor of an organ is looked for ("enlargement of the heart").</summary>
    private const int DescriptorBackward = 4;

    public LabelValue Classify(Sentence sentence, int first, int last, Mention mention, IReadOnlyList<string> abnormalDescriptors)
    {
        if (Before(sentence, first, Cues.PreNegationUncertaintyBefore) || After(sentence, last, Cues.PreNegationUncertaintyAfter))
        {
            return LabelValue.Uncertain;
        }
        // "No change in pneumothorax or pleural fluid", "sin cambios del neumotórax ni del líquido": after such an
        // opener "or" and "nor" join a list; they are neither alternatives nor a negation.
        var orIsList = Before(sentence, first, Cues.OrListOpeners);
        if (Before(sentence, first, Cues.NegationBefore, orIsList) || After(sentence, last, Cues.NegationAfter, orIsList))
        {
            return LabelValue.Negative;
        }
        if (Before(sentence, first, Cues.UncertaintyBefore, orIsList) || After(sentence, last, Cues.UncertaintyAfter, orIsList))
        {
            return LabelValue.Uncertain;
        }
        // "The heart", "mediastinum", "Herzgröße": naming the organ is not a finding; describing it as abnormal is.
        // So "heart and mediastinum stable" or "Herz und Mediastinum o.B." give no label (and keep No Finding).
        if (mention.Organ) return DescribedAbnormal(sentence, first, last, mention, abnormalDescriptors);
        if (Cues.AlwaysUncertainMentions.Contains(mention.Text.Trim()))
        {
            return LabelValue.Uncertain;
        }
        return LabelValue.Positive;
    }

    /// <summary>
    /// Is the organ mention described by an abnormal descriptor: inside its own word ("Mediastinalverbreiterung",
    /// "hjerteforstørrelse"), up to <see cref="DescriptorBackward"/> words before it ("enlarged heart", "widening of the
    /// mediastinum", "enlarged heart and mediastinum"; not "cardiomegaly and mediastinal contours") or later in its clause ("the heart is mildly enlarged", "Herz deutlich vergrößert")? Positive
    /// when it is, uncertain when a hedge stands between organ and descriptor ("the heart may be mildly enlarged"),
    /// not mentioned otherwise.
    /// </summary>
    private LabelValue DescribedAbnormal(Sentence sentence, int first, int last, Mention mention, IReadOnlyList<string> stems)
    {
        if (stems.Count == 0) return LabelValue.Positive;
        bool Describes(string token) => stems.Any(d => token.StartsWith(d, StringComparison.Ordinal));
        var tokens = sentence.Tokens;
        int spanStart = tokens[first].Start, spanEnd = tokens[last].End;
        var rest = sentence.Text[spanStart..Math.Clamp(mention.Start, spanStart, spanEnd)] + " " + sentence.Text[Math.Clamp(mention.End, spanStart, spanEnd)..spanEnd];
        if (stems.Any(d => rest.Contains(d, StringComparison.Ordinal))) return LabelValue.Positive;
        for (var i = first - 1; i >= 0 && first - i <= DescriptorBackward; i--)
        {
            var t = tokens[i].Text;
            if (t is "," || Cues.BackwardTerminators.Contains(t)) break;
            // "Stable cardiomegaly and mediastinal contours": a descriptor right before "and" ends its own finding. Only
            // an "and" joining this very organ to a plain noun is read through ("enlarged heart and mediastinum").
            if (t == Cues.And && (i != first - 1 || i == 0 || Describes(tokens[i - 1].Text))) break;
            if (Describes(t)) return LabelValue.Positive;
        }
        var hedged = false;
        for (var j = last + 1; j < tokens.Count && j - last <= Cues.ForwardWindow; j++)
        {
            var t = tokens[j].Text;
            if (t is "," || Cues.ForwardTerminators.Contains(t)) break;
            if (t == Cues.And && j + 1 < tokens.Count && Cues.AndClauseStarters.Contains(tokens[j + 1].Text)) break;
            hedged |= Cues.DescriptorHedges.Contains(t);
            if (Describes(t)) return hedged ? LabelValue.Uncertain : LabelValue.Positive;
        }
        return LabelValue.NotMentioned;
    }

    /// <summary>
    /// Where a hedge that says what the findings before it may be starts ("nodular density, possibly consistent with a
    /// nipple shadow", "nodular opacity may represent a nipple shadow"): the character offset of its first token, or
    /// -1 when the sentence has none.
    /// </summary>
    public int ClauseHedgeStart(Sentence sentence)
    {
        var tokens = sentence.Tokens;
        for (var k = 1; k < tokens.Count; k++)
        {
            if (Cues.ClauseHedges.Any(h => StartsAt(tokens, k, h))) return tokens[k].Start;
        }
        return -1;
    }

    /// <summary>Is one of <paramref name="cues"/> ending before token <paramref name="first"/> in scope?</summary>
    private bool Before(Sentence sentence, int first, List<Cue> cues, bool skipOr = false)
    {
        if (cues.Count == 0) return false;
        var tokens = sentence.Tokens;
        var crossedComma = false;
        // Bounded so adversarial input (one huge sentence of repeated findings) stays linear.
        for (var i = first - 1; i >= 0 && first - i <= MaxBackward; i--)
        {
            var distance = first - 1 - i;
            foreach (var cue in cues)
            {
                if (distance > cue.MaxDistance || (crossedComma && !cue.CrossesComma) || (skipOr && IsOr(cue))) continue;
                if (EndsAt(tokens, i, cue.Tokens)) return true;
            }
            var t = tokens[i].Text;
            if (t == ",") { crossedComma = true; continue; }
            if (Cues.BackwardTerminators.Contains(t)) return false;
            if (t == Cues.And && i + 1 < first && Cues.AndClauseStarters.Contains(tokens[i + 1].Text)) return false;
        }
        return false;
    }

    /// <summary>Is one of <paramref name="cues"/> starting after token <paramref name="last"/> in scope?</summary>
    private bool After(Sentence sentence, int last, List<Cue> cues, bool skipOr = false)
    {
        if (cues.Count == 0) return false;
        var tokens = sentence.Tokens;
        var subjectList = IsSubjectList(tokens, last);
        var crossedComma = false;
        var passedVerb = false;
        for (var j = last + 1; j < tokens.Count && j - last <= Cues.ForwardWindow; j++)
        {
            var distance = j - last - 1;
            foreach (var cue in cues)
            {
                // "Opacity may represent atelectasis or pneumonia": after the finding's verb, "or" joins what it may be.
                if (distance > cue.MaxDistance || (crossedComma && !cue.CrossesComma) || ((skipOr || passedVerb) && IsOr(cue))) continue;
                if (StartsAt(tokens, j, cue.Tokens)) return true;
            }
            var t = tokens[j].Text;
            // "Cardiac size, mediastinal contour, and vascularity are normal": list commas before the verb.
            if (t == ",") { crossedComma |= !subjectList || passedVerb; continue; }
            if (Cues.ForwardTerminators.Contains(t)) return false;
            if (t == Cues.And && j + 1 < tokens.Count)
            {
                var next = tokens[j + 1].Text;
                if (!subjectList && Cues.AndClauseStarters.Contains(next)) return false;
                // "X is noted and Y is normal": after X's own verb, "and" starts another clause unless a
                // verb follows directly ("the heart and lungs have ... and are within normal limits").
                if (passedVerb && !Cues.Verbs.Contains(next)) return false;
            }
            passedVerb |= Cues.Verbs.Contains(t);
        }
        return false;
    }

    /// <summary>
    /// Is the mention the head of a coordinated subject ("A, B and C are ...", "El tamaño cardiaco y la
    /// vascularización son normales")? True when an "and" follows it before the first verb, with no clause
    /// terminator in between.
    /// </summary>
    private bool IsSubjectList(IReadOnlyList<Token> tokens, int last)
    {
        var sawAnd = false;
        for (var j = last + 1; j < tokens.Count && j - last <= Cues.ForwardWindow; j++)
        {
            var t = tokens[j].Text;
            if (Cues.Verbs.Contains(t)) return sawAnd;
            if (Cues.ForwardTerminators.Contains(t)) return false;
            if (t == Cues.And) sawAnd = true;
        }
        return false;
    }

    private bool IsOr(Cue cue) => cue.Tokens is [var word] && (word == Cues.Or || word == Cues.Nor);

    private static bool EndsAt(IReadOnlyList<Token> tokens, int end, string[] cue)
    {
        var start = end - cue.Length + 1;
        if (start < 0) return false;
        for (var k = 0; k < cue.Length; k++)
        {
            if (tokens[start + k].Text != cue[k]) return false;
        }
        return true;
    }

    private static bool StartsAt(IReadOnlyList<Token> tokens, int start, string[] cue)
    {
        if (start + cue.Length > tokens.Count) return false;
        for (var k = 0; k < cue.Length; k++)
        {
            if (tokens[start + k].Text != cue[k]) return false;
        }
        return true;
    }
}
