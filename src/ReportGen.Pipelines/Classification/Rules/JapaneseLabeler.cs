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
    private static readonly string[] PreNegationUncertainty =
        ["否定できない", "否定できません", "否定は困難", "否定しえない", "否定し得ない", "除外できない", "除外できません", "除外は困難", "否定はできない", "否定はできません"];

    private static readonly string[] Negation =
    [
        "なし", "無し", "ない", "認めない", "認めず", "認められない", "認められず", "認めません", "認められません", "見られない", "みられない",
        "見られず", "みられず", "ありません", "指摘できない", "指摘できず", "指摘できません", "指摘されない", "消失", "陰性", "正常", "異常なし",
        "明らかでない", "同定できない", "否定的", "認めなかった", "見当たらない", "みとめない",
    ];

    private static readonly string[] Uncertainty =
        ["疑い", "疑われ", "疑う", "可能性", "かもしれ", "示唆", "疑問", "鑑別", "否定できない", "の疑", "か?", "か？", "疑診", "境界"];

    private static readonly string[] Positive =
        ["認め", "あり", "有り", "見られ", "みられ", "指摘", "を呈", "増大", "拡大", "伴う", "存在", "出現", "残存", "ある", "です", "である"];

    /// <summary>Cues before the mention: "明らかな" etc. are neutral; "無" prefixes are rare, so only these.</summary>
    private static readonly string[] UncertaintyBefore = ["疑わしい", "可能性のある", "疑いのある"];

    private const int MaxDistance = 40;

    // "変化なし" is "no change": the finding persists (an organ that is merely unchanged is no finding).
    private static readonly string[] NoChange = ["変化", "著変"];
    private static readonly string[] Alternatives = ["または", "あるいは", "もしくは"];

    /// <summary>Particles between a predicate and its negation ("拡大は認めない", "拡大もなし").</summary>
    private const string Particles = "はをがのもと";

    public static LabelValue Classify(string sentence, Mention mention, IReadOnlyList<string> abnormalDescriptors)
    {
        int start = mention.Start, end = mention.End;
        var before = sentence[Math.Max(0, start - 8)..start];
        if (Alternatives.Any(before.EndsWith)) return LabelValue.Uncertain;
        var p = end;
        while (p < sentence.Length && p - end <= MaxDistance)
        {
            if (StartsWithAny(sentence, p, PreNegationUncertainty, out _)) return LabelValue.Uncertain;
            if (StartsWithAny(sentence, p, Negation, out _))
            {
                var lead = sentence[Math.Max(end, p - 4)..p];
                if (NoChange.Any(lead.Contains)) return Finding(p);
                return LabelValue.Negative;
            }
            if (StartsWithAny(sentence, p, Alternatives, out _)) return LabelValue.Uncertain;
            if (StartsWithAny(sentence, p, Uncertainty, out var len))
            {
                // "肺炎の疑いなし" (no suspicion of pneumonia) and "肺炎を示唆する浸潤影は認めない" (no opacity
                // suggesting pneumonia): a negation later in the same clause, before any positive predicate, wins.
                for (var q = p + len; q < sentence.Length && sentence[q] is not '。' and not '、'; q++)
                {
                    if (StartsWithAny(sentence, q, PreNegationUncertainty, out _)) return LabelValue.Uncertain;
                    if (StartsWithAny(sentence, q, Negation, out _)) return LabelValue.Negative;
                    if (StartsWithAny(sentence, q, Positive, out _)) break;
                }
                return LabelValue.Uncertain;
            }
            if (StartsWithAny(sentence, p, Positive, out var positive))
            {
                // "心臓の有意な拡大なし", "拡大は認めない": a descriptor negated right after is a negation.
                var q = p + positive;
                for (var k = 0; k < 2 && q < sentence.Length && Particles.Contains(sentence[q]); k++) q++;
                if (StartsWithAny(sentence, q, Negation, out _)) return LabelValue.Negative;
                return Finding(q);
            }
            if (sentence[p] is '。' or '．' or '\n') break;
            p++;
        }
        return UncertaintyBefore.Any(before.Contains) ? LabelValue.Uncertain : Finding(p);

        // An organ (心臓, 縦隔) is a finding only when the words up to its predicate describe it as abnormal.
        LabelValue Finding(int upTo)
        {
            if (!mention.Organ) return LabelValue.Positive;
            var described = sentence[end..Math.Min(upTo, sentence.Length)];
            return abnormalDescriptors.Any(described.Contains) ? LabelValue.Positive : LabelValue.NotMentioned;
        }
    }

    private static bool StartsWithAny(string s, int at, string[] cues, out int length)
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
