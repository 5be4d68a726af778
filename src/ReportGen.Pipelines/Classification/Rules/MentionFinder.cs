using ReportGen.Core.Labels;
using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Classification.Rules;

/// <summary>
/// One phrase match in a sentence: which label, where, the matched text, and whether it only names the organ
/// (then it is a finding only when described as abnormal).
/// </summary>
internal readonly record struct Mention(string Label, int Start, int End, string Text, bool Organ = false);

/// <summary>
/// Finds label mentions in folded sentence text: each synonym of the language, as a raw substring (the CheXpert
/// labeler's matching; German compounds, Japanese) or at a word start, dropped when it overlaps an exclusion
/// ("pericardial effusion" is not a pleural effusion; "over the heart" is a position, not cardiomegaly).
/// </summary>
internal sealed class MentionFinder
{
    private readonly List<(string Label, string Phrase)> _phrases = [];
    private readonly Dictionary<string, List<string>> _exclusions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _notWith = new(StringComparer.Ordinal);
    private readonly HashSet<(string Label, string Phrase)> _organs = [];
    private readonly bool _wordStart;

    /// <summary>The pseudo-label for a taxonomy's "other findings" (they only rule out No Finding).</summary>
    public const string OtherFinding = "\u0000other";

    public MentionFinder(Taxonomy taxonomy, string language)
    {
        _wordStart = language switch
        {
            // Japanese has no spaces and German writes compounds ("Pleuraerguss"); Danish compounds too, but
            // only where the taxonomy is written for substring matching (chexpert14's stems).
            "ja" or "de" => false,
            "en" or "da" => taxonomy.Matching == "word_start",
            _ => true,
        };
        foreach (var label in taxonomy.Labels)
        {
            if (string.Equals(label.Name, taxonomy.NoFindingLabel, StringComparison.OrdinalIgnoreCase)) continue;
            var synonyms = label.SynonymsFor(language).Select(Fold).Where(s => s.Trim().Length > 0).Distinct().ToList();
            foreach (var s in synonyms) _phrases.Add((label.Name, s));
            var exclusions = label.ExclusionsFor(language).Select(Fold).ToList();
            if (language == "en" && label.PositionalPrefixes.Count > 0)
            {
                // The labeler's positional unmentions: "over the" + "heart" for every synonym but the exceptions.
                var exceptions = label.PositionalExceptions.Select(Fold).ToHashSet();
                foreach (var s in synonyms.Where(s => !exceptions.Contains(s)))
                {
                    foreach (var p in label.PositionalPrefixes) exclusions.Add(Fold(p) + " " + s.Replace("the ", "", StringComparison.Ordinal));
                }
            }
            _exclusions[label.Name] = exclusions;
            foreach (var organ in label.OrganMentionsFor(language).Select(Fold)) _organs.Add((label.Name, organ));
            var notWith = label.NotWithFor(language).Select(Fold).Where(s => s.Length > 0).ToList();
            if (notWith.Count > 0) _notWith[label.Name] = notWith;
        }
        if (taxonomy.OtherFindings.TryGetValue(language, out var others))
        {
            foreach (var s in others.Select(Fold).Where(s => s.Trim().Length > 0).Distinct()) _phrases.Add((OtherFinding, s));
        }
    }

    private static string Fold(string s) => TextFolding.Fold(s);

    /// <summary>
    /// The mentions in <paramref name="sentence"/>. <paramref name="stated"/> says whether the text at a span explains
    /// the sentence (neither negated nor one of alternatives): a not_with phrase rules a label out only then ("calcified
    /// granuloma", "nodules suggest a granulomatous process"), not as one possibility among others ("nodule ... may
    /// represent a granuloma or neoplasm").
    /// </summary>
    public IEnumerable<Mention> Find(string sentence, Func<int, int, bool>? stated = null)
    {
        // Exclusion spans are found once per sentence and label (not once per mention): linear on big input.
        var excluded = new Dictionary<string, bool[]?>(StringComparer.Ordinal);
        foreach (var (label, phrase) in _phrases)
        {
            if (_notWith.TryGetValue(label, out var notWith) && notWith.Any(n => StatedAnywhere(sentence, n, stated))) continue;
            var from = 0;
            while (from <= sentence.Length - phrase.Length)
            {
                var at = sentence.IndexOf(phrase, from, StringComparison.Ordinal);
                if (at < 0) break;
                var end = at + phrase.Length;
                from = end;
                if (_wordStart && at > 0 && char.IsLetterOrDigit(sentence[at - 1])) continue;
                if (!excluded.TryGetValue(label, out var spans)) excluded[label] = spans = ExclusionSpans(sentence, label);
                if (spans is not null && Array.IndexOf(spans, true, at, end - at) >= 0) continue;
                yield return new Mention(label, at, end, phrase, _organs.Contains((label, phrase)));
            }
        }
    }

    private static bool StatedAnywhere(string sentence, string phrase, Func<int, int, bool>? stated)
    {
        for (var at = sentence.IndexOf(phrase, StringComparison.Ordinal); at >= 0; at = sentence.IndexOf(phrase, at + phrase.Length, StringComparison.Ordinal))
        {
            if (stated is null || stated(at, at + phrase.Length)) return true;
        }
        return false;
    }

    /// <summary>Which characters of the sentence lie inside an exclusion phrase of the label; null when none.</summary>
    private bool[]? ExclusionSpans(string sentence, string label)
    {
        if (!_exclusions.TryGetValue(label, out var exclusions)) return null;
        bool[]? covered = null;
        foreach (var ex in exclusions)
        {
            if (ex.Length == 0) continue;
            var from = 0;
            while (true)
            {
                var at = sentence.IndexOf(ex, from, StringComparison.Ordinal);
                if (at < 0) break;
                covered ??= new bool[sentence.Length];
                Array.Fill(covered, true, at, ex.Length);
                from = at + ex.Length;
            }
        }
        return covered;
    }
}
