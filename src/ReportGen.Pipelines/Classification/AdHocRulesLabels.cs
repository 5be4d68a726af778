using ReportGen.Core.Labels;
using ReportGen.Pipelines.Classification.Rules;

namespace ReportGen.Pipelines.Classification;

/// <summary>
/// The rules engine's reading of an ad-hoc label list. A label that a library taxonomy defines (case-insensitive:
/// "cardiomegaly", "Pleural Effusion") is labelled by that taxonomy, whole, with its phrases in every language, its
/// negation and uncertainty rules and its "No Finding" logic, and only the asked labels are kept; labels no taxonomy
/// knows are looked for by their own name. Without this, "Cardiomegaly" asked of a Spanish report matched only the
/// English word and came back not_mentioned for "Cardiomegalia leve".
/// </summary>
internal static class AdHocRulesLabels
{
    /// <summary>The labels one taxonomy answers: the names as asked, each with the taxonomy's own spelling.</summary>
    internal sealed record Group(Taxonomy Taxonomy, IReadOnlyList<(string Asked, string Defined)> Labels);

    /// <summary>
    /// Splits <paramref name="names"/> between library taxonomies, each time taking the one that defines most of the
    /// labels left (ties: the first id), and puts the rest in an ad-hoc taxonomy of literal names (last group).
    /// </summary>
    public static IReadOnlyList<Group> Plan(IReadOnlyList<string> names, TaxonomyLibrary library)
    {
        var asked = names.Select(n => n.Trim()).Where(n => n.Length > 0).ToList();
        var candidates = library.Ids.Select(library.Get).ToList();
        var groups = new List<Group>();
        var left = asked;
        while (left.Count > 0)
        {
            var best = candidates
                .Select(t => (Taxonomy: t, Known: left.Where(n => t.Find(n) is not null).ToList()))
                .Where(c => c.Known.Count > 0)
                .OrderByDescending(c => c.Known.Count)
                .FirstOrDefault();
            if (best.Taxonomy is null) break;
            groups.Add(new Group(best.Taxonomy, [.. best.Known.Select(n => (n, best.Taxonomy.Find(n)!.Name))]));
            candidates.Remove(best.Taxonomy);
            left = [.. left.Except(best.Known, StringComparer.Ordinal)];
        }
        if (left.Count > 0) groups.Add(new Group(TaxonomyLibrary.FromLabels(left), [.. left.Select(n => (n, n))]));
        return groups;
    }

    /// <summary>
    /// Labels <paramref name="text"/> for every asked label, in the asked order, in <paramref name="language"/>, or
    /// (null) in the language whose rules recognise most of it; returns the language used and the labels that
    /// only their own name can find.
    /// </summary>
    public static (IReadOnlyDictionary<string, LabelValue> Labels, string Language, IReadOnlyList<string> NameOnly) Label(
        string text, IReadOnlyList<string> names, TaxonomyLibrary library, string? language)
    {
        var groups = Plan(names, library);
        var values = new Dictionary<string, LabelValue>(StringComparer.Ordinal);
        var nameOnly = new List<string>();
        foreach (var group in groups)
        {
            RulesOutcome outcome;
            if (language is null) (outcome, language) = RulesLabeler.LabelUndetermined(text, group.Taxonomy);
            else outcome = RulesLabeler.Label(text, group.Taxonomy, language);
            var unphrased = NameOnly(group.Taxonomy, language).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var (asked, defined) in group.Labels)
            {
                values[asked] = outcome.Labels[defined];
                if (unphrased.Contains(defined)) nameOnly.Add(asked);
            }
        }
        var ordered = names.Select(n => n.Trim()).Where(values.ContainsKey).Distinct(StringComparer.Ordinal).ToDictionary(n => n, n => values[n], StringComparer.Ordinal);
        return (ordered, language ?? "en", nameOnly);
    }

    /// <summary>
    /// The labels of <paramref name="taxonomy"/> with no phrases in <paramref name="language"/>, which the rules engine
    /// can only look for by their name ("No Finding" is not one: it is computed from the others).
    /// </summary>
    public static IEnumerable<string> NameOnly(Taxonomy taxonomy, string language) =>
        taxonomy.Labels
            .Where(l => !string.Equals(l.Name, taxonomy.NoFindingLabel, StringComparison.OrdinalIgnoreCase))
            .Where(l => !l.Synonyms.TryGetValue(language, out var phrases) || phrases.Count == 0)
            .Select(l => l.Name);
}
