using System.Text;
using System.Text.RegularExpressions;
using ReportGen.Core.Labels;

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

    private static readonly Dictionary<string, CueScopeLabeler> Scopes = new()
    {
        ["en"] = new(EnglishCues.Create()),
        ["es"] = new(EuropeanCues.Spanish()),
        ["fr"] = new(EuropeanCues.French()),
        ["da"] = new(EuropeanCues.Danish()),
        ["de"] = new(EuropeanCues.German()),
    };

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
        foreach (var (sentence, classify) in Sentences(text, language, descriptors))
        {
            foreach (var m in finder.Find(sentence))
            {
                mentions++;
                var value = classify(m);
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

    private static IEnumerable<(string Sentence, Func<Mention, LabelValue> Classify)> Sentences(string text, string language, IReadOnlyList<string> descriptors)
    {
        if (language == "ja")
        {
            foreach (var s in JapaneseLabeler.SplitSentences(TextFolding.Fold(text)))
            {
                yield return (s, m => JapaneseLabeler.Classify(s, m, descriptors));
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
            });
        }
    }

    /// <summary>
    /// The CheXpert loader's cleaning (lower case, "and/or" to "or", "a/b" to "a or b", ".." to ".", a space after
    /// every period and comma, single spaces), with accent folding and German abbreviations for the other languages.
    /// </summary>
    public static string Clean(string text, string language)
    {
        var s = TextFolding.Fold(text);
        if (language == "de")
        {
            foreach (var (from, to) in EuropeanCues.GermanAbbreviations) s = s.Replace(from, to, StringComparison.Ordinal);
        }
        var or = language switch { "es" => "o", "fr" => "ou", "da" => "eller", "de" => "oder", _ => "or" };
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

    [GeneratedRegex("(?<=[a-zA-Z])/(?=[a-zA-Z])")]
    private static partial Regex LetterSlashLetter();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
