using System.Text.RegularExpressions;
using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Judging;

/// <summary>
/// Splits a free-text report into RadFact phrases, one finding each, without a model (RadFact itself asks an LLM to
/// rewrite the report into phrases; these rules cover the common sentence shapes and are documented in eval/judging.md):
/// <list type="number">
/// <item>sentences (<see cref="SentenceSplitter"/>), then clauses at semicolons; section labels ("FINDINGS:") are dropped;</item>
/// <item>negated lists are distributed: "No pleural effusion, pneumothorax or consolidation." → "No pleural effusion.",
/// "No pneumothorax.", "No consolidation." (also "no evidence of", "there is no", "negative for", "without", "no change in");</item>
/// <item>a shared predicate is distributed over a listed subject: "Heart size and mediastinal contours are normal." →
/// "Heart size is normal.", "Mediastinal contours are normal.";</item>
/// <item>"There is X and Y." lists are distributed ("There is X.", "There is Y.") when every item has two or more words;</item>
/// <item>coordinated clauses are split at "and"/"but"/"while"/"whereas" when both sides have their own verb or the right
/// side opens a new statement ("there is", "no ..."): "The heart is enlarged and there is a small effusion.";</item>
/// <item>a verbless shared normal predicate is distributed: "Heart size and mediastinal contour within normal limits.";</item>
/// <item>a verbless list of findings is split at commas and "and" when every item reads as a finding of its own (2–5
/// words, no preposition or participle): "Small left effusion and right basilar atelectasis." (a one-word item, as in
/// "left atelectasis and effusion", keeps the phrase whole so the location is not lost);</item>
/// <item>leading sentence adverbs (otherwise, additionally, also, however) are dropped.</item>
/// </list>
/// Grounded findings (text with boxes) are not split: the boxes belong to the whole phrase.
/// </summary>
public static partial class RadFactPhrases
{
    /// <summary>The report's one-finding phrases, in order, each ending with a full stop.</summary>
    public static IReadOnlyList<string> Split(string report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var phrases = new List<string>();
        foreach (var sentence in SentenceSplitter.Split(report))
        {
            foreach (var clause in sentence.Text.Split(';'))
            {
                var text = Discourse().Replace(SectionLabel().Replace(Tidy(clause), ""), "");
                if (!text.Any(char.IsLetter)) continue;
                foreach (var phrase in SplitClause(text)) phrases.Add(Finish(phrase));
            }
        }
        return phrases;
    }

    private static IEnumerable<string> SplitClause(string clause)
    {
        clause = Tidy(clause);
        if (clause.Length == 0) yield break;

        foreach (var conjunction in Conjunction().Matches(clause).Cast<Match>())
        {
            var left = clause[..conjunction.Index];
            var right = clause[(conjunction.Index + conjunction.Length)..];
            if ((HasVerb(left) || NegatedList().IsMatch(left)) && (HasVerb(right) || NewStatement().IsMatch(right)))
            {
                foreach (var p in SplitClause(left)) yield return p;
                foreach (var p in SplitClause(right)) yield return p;
                yield break;
            }
        }

        var negation = NegatedList().Match(clause);
        if (negation.Success)
        {
            var items = ListItems(TrailingCopula().Replace(negation.Groups["rest"].Value, ""));
            if (items.Count >= 2 && !items.Any(HasVerb))
            {
                foreach (var item in items) yield return negation.Groups["prefix"].Value + " " + item;
                yield break;
            }
            yield return clause;
            yield break;
        }

        var there = ThereIsList().Match(clause);
        if (there.Success)
        {
            var items = ListItems(there.Groups["rest"].Value);
            if (items.Count >= 2 && items.All(i => !HasVerb(i) && i.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 2))
            {
                foreach (var item in items) yield return there.Groups["prefix"].Value + " " + item;
                yield break;
            }
        }

        var shared = SharedPredicate().Match(clause);
        if (shared.Success)
        {
            var subjects = ListItems(shared.Groups["subject"].Value);
            if (subjects.Count >= 2 && !subjects.Any(HasVerb))
            {
                var verb = shared.Groups["verb"].Value;
                foreach (var subject in subjects)
                {
                    // "are" over a singular item reads "is"; the entailment model is not sensitive to it, people are.
                    var singular = !subject.EndsWith('s');
                    var v = !singular ? verb : verb.ToLowerInvariant() switch { "are" => "is", "appear" => "appears", "remain" => "remains", _ => verb };
                    yield return subject + " " + v + " " + shared.Groups["predicate"].Value;
                }
                yield break;
            }
        }

        var normal = SharedNormalPredicate().Match(clause);
        if (normal.Success)
        {
            var subjects = ListItems(normal.Groups["subject"].Value);
            if (subjects.Count >= 2 && !subjects.Any(HasVerb))
            {
                foreach (var subject in subjects) yield return subject + " " + normal.Groups["predicate"].Value;
                yield break;
            }
        }

        if (!HasVerb(clause))
        {
            var items = ListItems(clause);
            if (items.Count >= 2 && items.All(IsFindingNounPhrase))
            {
                foreach (var item in items) yield return item;
                yield break;
            }
        }
        yield return clause;
    }

    private static List<string> ListItems(string text) =>
        [.. ListSeparator().Split(text).Select(Tidy).Where(s => s.Any(char.IsLetter))];

    private static bool HasVerb(string text) => Verb().IsMatch(text);

    // A list item split off a verbless sentence must read as a finding on its own: 2-5 words, no preposition or
    // participle (which would tie it to its neighbour: "consists of frontal and lateral views", "causing atelectasis").
    private static bool IsFindingNounPhrase(string item)
    {
        var words = item.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length is >= 2 and <= 5
            && !words.Any(w => Prepositions.Contains(w) || (w.Length > 4 && w.EndsWith("ing", StringComparison.OrdinalIgnoreCase)));
    }

    private static readonly HashSet<string> Prepositions = new(StringComparer.OrdinalIgnoreCase)
    {
        "of", "in", "at", "with", "within", "without", "for", "to", "from", "on", "over", "by", "into", "versus", "vs", "than", "since", "consists",
    };

    private static string Tidy(string text) => text.Trim().TrimEnd('.', ',', ':', ' ').TrimStart('-', '*', '•', ' ').Trim();

    private static string Finish(string phrase)
    {
        phrase = Tidy(phrase);
        if (phrase.Length > 0 && char.IsLower(phrase[0])) phrase = char.ToUpperInvariant(phrase[0]) + phrase[1..];
        return phrase + ".";
    }

    [GeneratedRegex(@"^(?:findings|impression|conclusion|opinion|comparison)\s*:\s*", RegexOptions.IgnoreCase)]
    private static partial Regex SectionLabel();

    // Sentence adverbs that would hide a negated list ("Otherwise, no consolidation or effusion."); "again" stays (it compares).
    [GeneratedRegex(@"^(?:otherwise|additionally|also|however|incidentally|furthermore|in addition)\s*,?\s+", RegexOptions.IgnoreCase)]
    private static partial Regex Discourse();

    [GeneratedRegex(@"^(?<subject>.+?)\s+(?<predicate>(?:grossly |otherwise )?(?:within normal limits|normal|unremarkable|clear|stable|unchanged|intact))$", RegexOptions.IgnoreCase)]
    private static partial Regex SharedNormalPredicate();

    // Longest prefixes first, so "no change in" is not read as "no" + "change in ...".
    [GeneratedRegex(@"^(?<prefix>no (?:significant |interval |appreciable )*change in(?: the)?|no (?:radiographic |definite )?evidence of|there (?:is|are) no|negative for|free of|without|no)\s+(?<rest>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex NegatedList();

    [GeneratedRegex(@"^(?<prefix>there (?:is|are)(?: again)?)\s+(?<rest>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex ThereIsList();

    [GeneratedRegex(@"(?:\s+(?:is|are))?\s+(?:seen|identified|present|noted|demonstrated|evident|visualized)$", RegexOptions.IgnoreCase)]
    private static partial Regex TrailingCopula();

    [GeneratedRegex(@"\s*,\s*(?:and|or|nor)\s+|\s*,\s*|\s+(?:and|or|nor)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex ListSeparator();

    [GeneratedRegex(@"\s*,?\s+(?:and|but|while|whereas)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex Conjunction();

    [GeneratedRegex(@"^(?:there (?:is|are|has been)|no\s)", RegexOptions.IgnoreCase)]
    private static partial Regex NewStatement();

    [GeneratedRegex(@"^(?<subject>.+?)\s+(?<verb>is|are|appear|appears|remain|remains)\s+(?<predicate>.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex SharedPredicate();

    [GeneratedRegex(@"\b(?:is|are|was|were|has|have|had|remains?|appears?|demonstrates?|shows?|measures?|persists?|seems?|noted|seen|identified|present)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Verb();
}
