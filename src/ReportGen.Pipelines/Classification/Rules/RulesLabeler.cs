using System.Text;
using System.Text.RegularExpressions;
using ReportGen.Core.Labels;
using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Classification.Rules;

/// <summary>The rules engine's answer: a value per taxonomy label and how many mentions it found.</summary>
internal sealed record RulesOutcome(IReadOnlyDictionary<string, LabelValue> Labels, int Mentions);

/// <summary>
/// The deterministic multilingual labeller. English follows the CheXpert labeler (its text cleaning, phrase
/// matching, negation/uncertainty precedence, aggregation, the chf rule and "No Finding"); es/fr/da/de use the
/// same scope machinery with their own cues; Japanese uses postpositional cue matching.
/// </summary>
internal static partial class RulesLabeler
{
    /// <summary>Languages with their own cues; any other falls back to English.</summary>
    public static readonly IReadOnlyList<string> SupportedLanguages = ["en", "es", "fr", "da", "de", "ja"];

    // The cue words are data: prompts/cues/<language>.yaml, compiled into this assembly.
    private static readonly Dictionary<string, CueScopeLabeler> Scopes =
        SupportedLanguages.Where(l => l != "ja").ToDictionary(l => l, l => new CueScopeLabeler(CueFiles.Load(l)));

    // Folded phrase lists per taxonomy and language, built once (taxonomies are immutable records).
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Taxonomy, System.Collections.Concurrent.ConcurrentDictionary<string, MentionFinder>> Finders = new();

    public static RulesOutcome Label(string text, Taxonomy taxonomy, string language)
    {
        if (!SupportedLanguages.Contains(language)) language = "en";
        var finder = Finders.GetValue(taxonomy, _ => new()).GetOrAdd(language, l => new MentionFinder(taxonomy, l));
        var values = new Dictionary<string, List<LabelValue>>(StringComparer.Ordinal);
        var noFinding = true;
        var ignores = new HashSet<string>(taxonomy.NoFindingIgnores, StringComparer.OrdinalIgnoreCase);
        var mentions = 0;

        var descriptors = taxonomy.AbnormalDescriptors.TryGetValue(language, out var d) ? d.Select(TextFolding.Fold).ToList() : [];
        var sentences = Sentences(text, language, descriptors)
            .Select(s => (s.Classify, Found: finder.Find(s.Text, s.Explains).ToList(), s.Text, s.HedgeAt))
            .ToList();
        var (hedges, artifacts) = language == "ja"
            ? (JapaneseLabeler.Cues.NextSentenceHedges, JapaneseLabeler.Cues.Artifacts)
            : Scopes.TryGetValue(language, out var scope) ? (scope.Cues.NextSentenceHedges, scope.Cues.Artifacts) : ([], []);
        for (var i = 0; i < sentences.Count; i++)
        {
            var (classify, found, sentence, hedgeAt) = sentences[i];
            var hedgedByNext = i + 1 < sentences.Count && HedgesPrevious(sentences[i + 1].Text, sentences[i + 1].Found, hedges, language == "ja");
            // "Nodular density, possibly consistent with a nipple shadow": the hedge names no finding up to its clause's end.
            var (clauseStart, clauseEnd) = hedgeAt < 0 ? (0, 0) : (sentence.LastIndexOf(';', hedgeAt) + 1, IndexOrEnd(sentence, ';', hedgeAt));
            var hedgedInSentence = hedgeAt >= 0 && !found.Any(m => m.Start >= hedgeAt && m.Start < clauseEnd && NamesFinding(m));
            // "Increased density ... due to overlying soft tissue": an artifact, not a finding outside the labels.
            var artifact = artifacts.Any(a => sentence.Contains(a, StringComparison.Ordinal));
            foreach (var m in found)
            {
                mentions++;
                if (artifact && m.Label == MentionFinder.OtherFinding) continue;
                var value = classify(m);
                if (value == LabelValue.Positive && (hedgedByNext || (hedgedInSentence && m.Start >= clauseStart && m.Start < hedgeAt))) value = LabelValue.Uncertain;
                if (value is LabelValue.Positive or LabelValue.Uncertain && !ignores.Contains(m.Label)) noFinding = false;
                if (m.Label == MentionFinder.OtherFinding) continue;
                Add(m.Label, value);
                if (value is LabelValue.Positive or LabelValue.Uncertain)
                {
                    foreach (var imp in taxonomy.Implications)
                    {
                        if (TextFolding.Fold(imp.Phrase) == m.Text) Add(taxonomy.Find(imp.Label)!.Name, imp.Value);
                    }
                }
            }
        }

        var result = new Dictionary<string, LabelValue>(StringComparer.Ordinal);
        foreach (var label in taxonomy.Labels)
        {
            result[label.Name] = values.TryGetValue(label.Name, out var list) ? LabelValues.AggregateAll(list) : LabelValue.NotMentioned;
        }
        if (taxonomy.NoFindingLabel is { } nf)
        {
            result[taxonomy.Find(nf)!.Name] = noFinding ? LabelValue.Positive : LabelValue.NotMentioned;
        }
        return new RulesOutcome(result, mentions);

        void Add(string label, LabelValue value)
        {
            if (!values.TryGetValue(label, out var list)) values[label] = list = [];
            list.Add(value);
        }
    }

    /// <summary>
    /// Labels text whose language was not determined (a one-phrase report: "Udvidet mediastinum.") with the rules of
    /// the supported language that decide the most labels in it (then: find the most mentions), English on a tie, so
    /// English text is labelled as before. "Udvidet mediastinum" names the mediastinum in English and Danish, but
    /// only the Danish rules read "udvidet" as widened.
    /// </summary>
    public static (RulesOutcome Outcome, string Language) LabelUndetermined(string text, Taxonomy taxonomy)
    {
        var best = (Outcome: Label(text, taxonomy, "en"), Language: "en");
        var bestScore = Score(best.Outcome);
        foreach (var language in SupportedLanguages.Where(l => l != "en"))
        {
            var outcome = Label(text, taxonomy, language);
            var score = Score(outcome);
            if (score.CompareTo(bestScore) > 0) (best, bestScore) = ((outcome, language), score);
        }
        return best;

        (int Decided, int Mentions) Score(RulesOutcome o) =>
            (o.Labels.Count(kv => kv.Value != LabelValue.NotMentioned && !string.Equals(kv.Key, taxonomy.NoFindingLabel, StringComparison.OrdinalIgnoreCase)), o.Mentions);
    }

    /// <summary>
    /// Does this sentence explain the one before it away ("Nodular density at the left base. This may represent a
    /// nipple shadow.")? It must hedge and name no finding of its own: "This may represent pneumonia" interprets a
    /// finding that stays certain (the opacity), it does not doubt it. The hedge opens the sentence, or, in Japanese
    /// (predicate last: "乳頭陰影の可能性あり"), stands anywhere in it.
    /// </summary>
    private static bool HedgesPrevious(string sentence, List<Mention> found, IReadOnlyList<string> hedges, bool anywhere)
    {
        if (hedges.Count == 0 || found.Any(NamesFinding)) return false;
        if (anywhere) return hedges.Any(h => sentence.Contains(h, StringComparison.Ordinal));
        var s = sentence.TrimStart();
        return hedges.Any(h => s.StartsWith(h, StringComparison.Ordinal) && (s.Length == h.Length || !char.IsLetterOrDigit(s[h.Length])));
    }

    private static int IndexOrEnd(string s, char c, int from)
    {
        var i = s.IndexOf(c, from);
        return i < 0 ? s.Length : i;
    }

    // A labelled finding, not an organ named in passing ("... or mediastinal lymphadenopathy") nor one outside the labels.
    private static bool NamesFinding(Mention m) => m.Label != MentionFinder.OtherFinding && !m.Organ;

    /// <summary>
    /// Each sentence's text, how to classify a mention in it, whether a phrase at a span explains the sentence (is
    /// neither negated nor one of alternatives: see <see cref="MentionFinder.Find"/>), and where a hedge after a comma
    /// starts (-1: none).
    /// </summary>
    private static IEnumerable<(string Text, Func<Mention, LabelValue> Classify, Func<int, int, bool> Explains, int HedgeAt)> Sentences(string text, string language, IReadOnlyList<string> descriptors)
    {
        if (language == "ja")
        {
            foreach (var s in JapaneseLabeler.SplitSentences(TextFolding.Fold(text)))
            {
                yield return (s, m => JapaneseLabeler.Classify(s, m, descriptors),
                    (from, to) => !JapaneseLabeler.IsAlternative(s, from, to) && JapaneseLabeler.Classify(s, new Mention(MentionFinder.OtherFinding, from, to, s[from..to]), []) != LabelValue.Negative,
                    JapaneseLabeler.ClauseHedgeStart(s));
            }
            yield break;
        }
        var scope = Scopes[language];
        foreach (var sentence in Sentence.Split(Clean(text, language)))
        {
            yield return (sentence.Text, m =>
            {
                var (first, last) = sentence.TokenRange(m.Start, m.End);
                return first < 0 ? LabelValue.Positive : scope.Classify(sentence, first, last, m, descriptors);
            }, (from, to) =>
            {
                var (first, last) = sentence.TokenRange(from, to);
                return first < 0 || (!scope.IsAlternative(sentence, first, last)
                    && scope.Classify(sentence, first, last, new Mention(MentionFinder.OtherFinding, from, to, sentence.Text[from..to]), []) != LabelValue.Negative);
            }, scope.ClauseHedgeStart(sentence));
        }
    }

    /// <summary>
    /// The CheXpert loader's cleaning (lower case, "and/or" to "or", "a/b" to "a or b", ".." to ".", a space after
    /// every period and comma, single spaces), with accent folding, German abbreviations and, where ordinals take a
    /// period (da, de), those periods dropped for the other languages.
    /// </summary>
    public static string Clean(string text, string language)
    {
        var s = TextFolding.Fold(text);
        var cues = Scopes.TryGetValue(language, out var scope) ? scope.Cues : Scopes["en"].Cues;
        foreach (var (from, to) in cues.Abbreviations) s = s.Replace(from, to, StringComparison.Ordinal);
        if (cues.OrdinalPeriods) s = OrdinalPeriod().Replace(s, "");
        var or = cues.Or;
        s = s.Replace("and/or", "or", StringComparison.Ordinal);
        s = LetterSlashLetter().Replace(s, " " + or + " ");
        s = s.Replace("..", ".", StringComparison.Ordinal);
        var sb = new StringBuilder(s.Length + 16);
        foreach (var c in s)
        {
            sb.Append(c);
            if (c is '.' or ',') sb.Append(' ');
        }
        // Line breaks are kept as sentence ends only where CheXpert would (it joins all whitespace): no.
        return WhiteSpace().Replace(sb.ToString(), " ").Trim();
    }

    // "frakturen af 1. costa", "der 10. rippe": the period of an ordinal (one or two digits, then a word).
    [GeneratedRegex(@"(?<=(?:^|\s)\d{1,2})\.(?=\s+\p{L})")]
    private static partial Regex OrdinalPeriod();

    [GeneratedRegex("(?<=[a-zA-Z])/(?=[a-zA-Z])")]
    private static partial Regex LetterSlashLetter();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
