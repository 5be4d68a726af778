using ReportGen.Pipelines.Classification;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Classification;

[Fast]
public sealed class TaxonomyLibraryTests
{
    [Fact]
    public void Loads_the_checked_in_taxonomies()
    {
        var library = TaxonomyLibrary.Load(RepoFiles.Path("prompts", "taxonomies"));
        library.Ids.ShouldContain("chexpert14");
        library.Ids.ShouldContain("ctrate18");
        var chexpert = library.Get("CheXpert14");
        chexpert.Labels.Count.ShouldBe(14);
        chexpert.NoFindingLabel.ShouldBe("No Finding");
        var ctrate = library.Get("ctrate18");
        ctrate.Labels.Count.ShouldBe(18);
        foreach (var label in chexpert.Labels.Concat(ctrate.Labels).Where(l => l.Name != "No Finding"))
        {
            foreach (var language in new[] { "en", "es", "fr", "da", "de", "ja" })
            {
                label.Synonyms.ContainsKey(language).ShouldBeTrue($"{label.Name} has no {language} synonyms");
            }
        }
    }

    [Fact]
    public void Taxonomies_are_copied_beside_the_binaries()
    {
        File.Exists(Path.Combine(AppContext.BaseDirectory, "taxonomies", "chexpert14.yaml")).ShouldBeTrue();
        TaxonomyLibrary.DefaultFolder().ShouldNotBeNull();
    }

    [Fact]
    public void Unknown_id_lists_the_known_ones()
    {
        var library = TaxonomyLibrary.Load(RepoFiles.Path("prompts", "taxonomies"));
        var ex = Should.Throw<ClassificationException>(() => library.Get("mimic99"));
        ex.Code.ShouldBe(ClassificationErrorCode.UnknownTaxonomy);
        ex.Message.ShouldContain("chexpert14");
        ex.Message.ShouldContain("ctrate18");
    }

    [Fact]
    public void Ad_hoc_lists_validate()
    {
        var t = TaxonomyLibrary.FromLabelList("Effusion, Nodule ,Fracture");
        t.LabelNames.ShouldBe(["Effusion", "Nodule", "Fracture"]);
        t.Labels[0].SynonymsFor("fr").ShouldBe(["Effusion"]);
        var dup = Should.Throw<ClassificationException>(() => TaxonomyLibrary.FromLabelList("Effusion,nodule,EFFUSION"));
        dup.Code.ShouldBe(ClassificationErrorCode.DuplicateLabels);
        dup.Message.ShouldContain("Effusion");
        Should.Throw<ClassificationException>(() => TaxonomyLibrary.FromLabelList(" , ,")).Code.ShouldBe(ClassificationErrorCode.EmptyLabels);
    }

    [Fact]
    public void Inline_taxonomies_use_the_file_schema()
    {
        var t = TaxonomyLibrary.Parse("""
            {"id": "mine", "labels": [{"name": "Effusion", "description": "fluid", "synonyms": {"en": ["effusion"], "de": ["erguss"]}}]}
            """);
        t.Id.ShouldBe("mine");
        t.Labels.Single().SynonymsFor("de").ShouldBe(["erguss"]);
        Should.Throw<ClassificationException>(() => TaxonomyLibrary.Parse("id: x\nlabels: []")).Code.ShouldBe(ClassificationErrorCode.EmptyLabels);
        Should.Throw<ClassificationException>(() => TaxonomyLibrary.Parse("id: x\nlabels:\n  - name: A\n  - name: a")).Code.ShouldBe(ClassificationErrorCode.DuplicateLabels);
        Should.Throw<ClassificationException>(() => TaxonomyLibrary.Parse("id: [unclosed")).Code.ShouldBe(ClassificationErrorCode.InvalidTaxonomy);
        Should.Throw<ClassificationException>(() => TaxonomyLibrary.Parse("labels:\n  - name: A")).Code.ShouldBe(ClassificationErrorCode.InvalidTaxonomy);
    }

    [Fact]
    public void A_folder_with_two_files_of_one_id_is_refused()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "a.yaml"), "id: x\nlabels:\n  - name: A");
        File.WriteAllText(Path.Combine(dir.Path, "b.yaml"), "id: X\nlabels:\n  - name: B");
        Should.Throw<ClassificationException>(() => TaxonomyLibrary.Load(dir.Path)).Message.ShouldContain("twice");
    }
}
