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

    /// <summary>How far back a cue is looked for; real cue scopes ("no A, B, C, or D") are far shorter.</summary>
    private const int MaxBackward = 40;

    public LabelValue Classify(Sentence sentence, int first, int last, string mentionText)
    {
        if (Before(sentence, first, Cues.PreNegationUncertaintyBefore) || After(sentence, last, Cues.PreNegationUncertaintyAfter))
        {
            return LabelValue.Uncertain;
        }
        if (Before(sentence, first, Cues.NegationBefore) || After(sentence, last, Cues.NegationAfter))
        {
            return LabelValue.Negative;
        }
        if (Before(sentence, first, Cues.UncertaintyBefore) || After(sentence, last, Cues.UncertaintyAfter))
        {
            return LabelValue.Uncertain;
        }
        if (Cues.ContourHeads.Any(mentionText.Contains)
            && (Before(sentence, first, Cues.ContourStabilityBefore) || After(sentence, last, Cues.ContourStabilityAfter)))
        {
            return LabelValue.Uncertain;
        }
        if (Cues.AlwaysUncertainMentions.Contains(mentionText.Trim()))
        {
            return LabelValue.Uncertain;
        }
        return LabelValue.Positive;
    }

    /// <summary>Is one of <paramref name="cues"/> ending before token <paramref name="first"/> in scope?</summary>
    private bool Before(Sentence sentence, int first, List<Cue> cues)
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
                if (distance > cue.MaxDistance || (crossedComma && !cue.CrossesComma)) continue;
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
    private bool After(Sentence sentence, int last, List<Cue> cues)
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
                if (distance > cue.MaxDistance || (crossedComma && !cue.CrossesComma)) continue;
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
