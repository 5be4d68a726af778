using ReportGen.Core.Labels;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Classification.Rules;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Classification;

/// <summary>The English engine against the CheXpert labeler's own sample output.</summary>
public sealed class CheXpertReproductionTests
{
    private static readonly Taxonomy CheXpert = TaxonomyLibrary.Load(RepoFiles.Path("prompts", "taxonomies")).Get("chexpert14");

    [Fact]
    public void Reproduces_labeled_reports_csv_exactly_on_sample_reports()
    {
        var labeled = Csv.Read(File.ReadAllText(SharedData.Data("chexpert-labeler", "labeled_reports.csv")));
        var samples = Csv.Read(File.ReadAllText(SharedData.Data("chexpert-labeler", "sample_reports.csv")));
        var header = labeled[0];
        labeled.Count.ShouldBe(samples.Count + 1);
        header.Skip(1).ShouldBe(CheXpert.LabelNames);

        for (var r = 0; r < samples.Count; r++)
        {
            var outcome = RulesLabeler.Label(samples[r][0], CheXpert, "en");
            var expected = labeled[r + 1];
            expected[0].ShouldBe(samples[r][0]);
            for (var c = 1; c < header.Count; c++)
            {
                outcome.Labels[header[c]].ToCheXpertCsv().ShouldBe(expected[c], $"report {r + 1}, {header[c]}");
            }
        }
    }

    [Fact]
    public void English_synonyms_start_with_the_labeler_phrase_lists()
    {
        var folder = SharedData.Data("chexpert-labeler", "phrases");
        foreach (var file in Directory.GetFiles(Path.Combine(folder, "mention"), "*.txt"))
        {
            var stem = Path.GetFileNameWithoutExtension(file).Replace('_', ' ');
            var phrases = File.ReadAllLines(file).Select(l => l.Trim().Replace('_', ' ')).Where(l => l.Length > 0).ToList();
            if (stem == "no finding")
            {
                CheXpert.OtherFindings["en"].Take(phrases.Count).ShouldBe(phrases, "no_finding.txt");
                continue;
            }
            var label = CheXpert.Labels.Single(l => l.Name.Equals(stem, StringComparison.OrdinalIgnoreCase));
            label.Synonyms["en"].Take(phrases.Count).ShouldBe(phrases, file);
        }
        foreach (var file in Directory.GetFiles(Path.Combine(folder, "unmention"), "*.txt"))
        {
            var stem = Path.GetFileNameWithoutExtension(file).Replace('_', ' ');
            var phrases = File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            var label = CheXpert.Labels.Single(l => l.Name.Equals(stem, StringComparison.OrdinalIgnoreCase));
            label.ExclusionsFor("en").Take(phrases.Count).ShouldBe(phrases, file);
        }
    }

    /// <summary>RFC 4180 reading (quoted fields may hold commas, quotes and line breaks); no header handling.</summary>
    private static class Csv
    {
        public static List<List<string>> Read(string text)
        {
            var rows = new List<List<string>>();
            var row = new List<string>();
            var field = new System.Text.StringBuilder();
            var quoted = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else if (c == '"') quoted = false;
                    else field.Append(c);
                }
                else if (c == '"') quoted = true;
                else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
                else if (c == '\n')
                {
                    row.Add(field.ToString()); field.Clear();
                    rows.Add(row); row = [];
                }
                else if (c != '\r') field.Append(c);
            }
            if (field.Length > 0 || row.Count > 0) { row.Add(field.ToString()); rows.Add(row); }
            return rows;
        }
    }
}
