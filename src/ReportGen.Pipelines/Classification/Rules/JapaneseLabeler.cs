using ReportGen.Core.Labels;

namespace ReportGen.Pipelines.Classification.Rules;

/// <summary>
/// Japanese has no spaces and puts negation after the finding ("胸水は認めない"), so cues are matched as
/// substrings after the mention: the first predicate after it decides (positive "認める/あり", negative
/// "なし/認めない", uncertain "疑い/可能性"), with the labeler's precedence where cues start at the same place
/// ("否定できない" cannot-exclude before "否定", "認めない" before "認め").
/// </summary>
internal static class JapaneseLabeler
{
    public static JapaneseCues Cues { get; } = CueFiles.LoadJapanese();

    private const int MaxDistance = 40;

    public static LabelValue Classify(string sentence, Mention mention, IReadOnlyList<string> abnormalDescriptors)
    {
        var value = Decide(sentence, mention, abnormalDescriptors);
        // "肺血管うっ血を認める": CheXpert keeps vascular congestion uncertain unless it is negated.
        return value == LabelValue.Positive && Cues.AlwaysUncertain.Contains(mention.Text) ? LabelValue.Uncertain : value;
    }

    private static LabelValue Decide(string sentence, Mention mention, IReadOnlyList<string> abnormalDescriptors)
    {
        int start = mention.Start, end = mention.End;
        var before = sentence[Math.Max(0, start - 8)..start];
        if (Cues.Alternatives.Any(before.EndsWith)) return LabelValue.Uncertain;
        // "肺は過膨張、浸潤影なし": a finding stated as the predicate of a topic ends at the comma after it.
        var clause = before[(before.LastIndexOfAny(['、', '。']) + 1)..];
        if (end < sentence.Length && sentence[end] == '、' && Cues.TopicMarkers.Any(clause.Contains)) return Finding(end);
        var p = end;
        while (p < sentence.Length && p - end <= MaxDistance)
        {
            if (StartsWithAny(sentence, p, Cues.PreNegationUncertainty, out _)) return LabelValue.Uncertain;
            if (StartsWithAny(sentence, p, Cues.Negation, out _))
            {
                var lead = sentence[Math.Max(end, p - 4)..p];
                if (Cues.NoChange.Any(lead.Contains)) return Finding(p);
                return LabelValue.Negative;
            }
            if (StartsWithAny(sentence, p, Cues.Alternatives, out _)) return LabelValue.Uncertain;
            if (StartsWithAny(sentence, p, Cues.Uncertainty, out var len))
            {
                // "肺炎の疑いなし" (no suspicion of pneumonia) and "肺炎を示唆する浸潤影は認めない" (no opacity
                // suggesting pneumonia): a negation later in the same clause, before any positive predicate, wins.
                for (var q = p + len; q < sentence.Length && sentence[q] is not '。' and not '、'; q++)
                {
                    if (StartsWithAny(sentence, q, Cues.PreNegationUncertainty, out _)) return LabelValue.Uncertain;
                    if (StartsWithAny(sentence, q, Cues.Negation, out _)) return LabelValue.Negative;
                    if (StartsWithAny(sentence, q, Cues.Positive, out _)) break;
                }
                return LabelValue.Uncertain;
            }
            if (StartsWithAny(sentence, p, Cues.Positive, out var positive))
            {
                // "心臓の有意な拡大なし", "拡大は認めない": a descriptor negated right after is a negation.
                var q = p + positive;
                for (var k = 0; k < 2 && q < sentence.Length && Cues.Particles.Contains(sentence[q]); k++) q++;
                if (StartsWithAny(sentence, q, Cues.Negation, out _)) return LabelValue.Negative;
                return Finding(q);
            }
            // "浸潤影は無気肺と考えられるが、感染は否定できない": a contrastive "が、" ends the finding's clause.
            if (sentence[p] is '。' or '．' or '\n' || StartsWithAny(sentence, p, Cues.ClauseEnds, out _)) break;
            p++;
        }
        return Cues.UncertaintyBefore.Any(before.Contains) ? LabelValue.Uncertain : Finding(p);

        // An organ (心臓, 縦隔) is a finding only when the words up to its predicate describe it as abnormal.
        LabelValue Finding(int upTo)
        {
            if (!mention.Organ) return LabelValue.Positive;
            var described = sentence[end..Math.Min(upTo, sentence.Length)];
            return abnormalDescriptors.Any(described.Contains) ? LabelValue.Positive : LabelValue.NotMentioned;
        }
    }

    /// <summary>
    /// Where a hedged last clause starts ("縦隔陰影に突出を認め、上行大動脈または縦隔リンパ節腫大の可能性がある"): just after the
    /// last "、" before a next-sentence hedge; -1 when the sentence has none. As in the other languages, the clause
    /// hedges the findings before it only when it names no finding itself, and only when it says what they may be, not
    /// what may cause them ("拡大を認め、血管影による可能性がある": the widening stays).
    /// </summary>
    public static int ClauseHedgeStart(string sentence)
    {
        var hedge = Cues.NextSentenceHedges.Select(h => sentence.IndexOf(h, StringComparison.Ordinal)).Where(i => i > 0).DefaultIfEmpty(-1).Min();
        if (hedge < 0) return -1;
        var comma = sentence.LastIndexOf('、', hedge - 1);
        if (comma < 0) return -1;
        var tail = sentence[comma..hedge];
        return Cues.Causal.Any(tail.Contains) ? -1 : comma + 1;
    }

    /// <summary>Is the span one of alternatives ("肉芽腫または腫瘍")?</summary>
    public static bool IsAlternative(string sentence, int start, int end) =>
        Cues.Alternatives.Any(sentence[Math.Max(0, start - 8)..start].EndsWith) || StartsWithAny(sentence, end, Cues.Alternatives, out _);

    private static bool StartsWithAny(string s, int at, IReadOnlyList<string> cues, out int length)
    {
        length = 0;
        foreach (var cue in cues)
        {
            if (cue.Length > length && string.CompareOrdinal(s, at, cue, 0, cue.Length) == 0 && at + cue.Length <= s.Length) length = cue.Length;
        }
        return length > 0;
    }

    /// <summary>Splits at 。．!? and line breaks.</summary>
    public static List<string> SplitSentences(string text)
    {
        var result = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '。' or '．' or '\n' or '！' or '？' or '.')
            {
                if (i + 1 - start > 0) result.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }
        if (start < text.Length) result.Add(text[start..]);
        return result.Where(s => !string.IsNullOrWhiteSpace(s)).ToList();
    }
}

/// <summary>Japanese cue words (prompts/cues/ja.yaml); see <see cref="JapaneseLabeler"/> for how they are used.</summary>
internal sealed record JapaneseCues(
    IReadOnlyList<string> PreNegationUncertainty,
    IReadOnlyList<string> Negation,
    IReadOnlyList<string> Uncertainty,
    IReadOnlyList<string> Positive,
    IReadOnlyList<string> UncertaintyBefore,
    IReadOnlyList<string> NoChange,
    IReadOnlyList<string> Alternatives,
    string Particles,
    IReadOnlyList<string> TopicMarkers,
    IReadOnlyList<string> ClauseEnds,
    IReadOnlyList<string> NextSentenceHedges,
    IReadOnlyList<string> Causal,
    IReadOnlyList<string> AlwaysUncertain,
    IReadOnlyList<string> Artifacts);
