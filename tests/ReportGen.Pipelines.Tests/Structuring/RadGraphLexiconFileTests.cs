using ReportGen.Core.Text;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Pipelines.Tests.Structuring;

public class RadGraphLexiconFileTests
{
    [Fact]
    public void The_shipped_lexicon_loads_and_holds_lower_case_radgraph_words()
    {
        var file = RadGraphLexiconFile.LoadDefault();
        file.Anatomy.ShouldContain("lung");
        file.Observations.ShouldContain("effusion");
        var lists = typeof(RadGraphLexiconFile).GetProperties().Where(p => p.PropertyType == typeof(List<string>))
            .Select(p => (p.Name, Words: (List<string>)p.GetValue(file)!)).ToList();
        lists.Count.ShouldBe(26);
        file.AnatomyParts.ShouldBeSubsetOf(file.Anatomy); // a part is anatomy that changes only its head
        file.LeadingModifiers.ShouldBeSubsetOf(file.ObservationModifiers);
        foreach (var (name, words) in lists)
            foreach (var entry in words)
            {
                // Entries are matched word by word on lower-cased RadGraph words: "2 . 5 cm", never "2.5 cm".
                entry.ShouldBe(entry.ToLowerInvariant(), $"{name}: {entry}");
                if (name is not ("ObservationStems" or "ObservationSuffixes" or "AnatomyPrefixes")) RadGraphTokenizer.Normalize(entry).ShouldBe(entry, $"{name}: {entry}");
            }
    }

    [Fact]
    public void A_misspelt_list_name_or_a_file_without_words_is_an_error()
    {
        Should.Throw<InvalidDataException>(() => RadGraphLexiconFile.Parse("anatomy: [lung]\nobservatoins: [effusion]\n", "test.yaml"))
            .Message.ShouldStartWith("test.yaml: not a valid RadGraph lexicon");
        Should.Throw<InvalidDataException>(() => RadGraphLexiconFile.Parse("anatomy: [lung]\n", "test.yaml"))
            .Message.ShouldContain("needs anatomy and observations");
    }

    [Fact]
    public void A_word_added_to_the_file_is_found_without_code()
    {
        const string yaml = "anatomy: [lung]\nobservations: [effusion]\nnegation_before: [no]\n";
        var before = new RuleBasedRadGraphExtractor(new RadGraphLexicon(RadGraphLexiconFile.Parse(yaml, "test.yaml"))).Extract("No lung plombage.");
        before.Entities.Values.Select(e => e.Tokens).ShouldBe(["lung"]);
        var after = new RuleBasedRadGraphExtractor(new RadGraphLexicon(RadGraphLexiconFile.Parse(yaml.Replace("[effusion]", "[effusion, plombage]"), "test.yaml")))
            .Extract("No lung plombage.");
        after.Entities.Values.Select(e => $"{e.Tokens}:{e.Label}").ShouldBe(["lung:ANAT-DP", "plombage:OBS-DA"]);
    }
}
