using ReportGen.Pipelines.Completion;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Completion;

[Fast]
public sealed class CorpusRegistryTests
{
    [Fact]
    public void A_failed_build_is_retried_on_the_next_request()
    {
        using var dir = new TempDir();
        var source = Path.Combine(dir.Path, "late.jsonl");
        var registry = new CorpusRegistry(dir.Path).Register(new CorpusDefinition("late", source));

        // The source is not there yet (a site's export still being copied): the request fails...
        Should.Throw<IOException>(() => registry.Get("late"));

        // ...and once it exists, the same registry builds the index instead of repeating the cached failure.
        File.WriteAllLines(source, ["{\"findings\": \"The heart is normal in size. No pneumothorax.\"}"]);
        var index = registry.Get("late");
        index.Sentences.Select(s => s.Text).ShouldContain("No pneumothorax.");
        registry.Get("late").ShouldBeSameAs(index);
    }

    [Fact]
    public void A_report_deleted_from_a_corpus_folder_is_no_longer_suggested_from()
    {
        using var dir = new TempDir();
        var folder = Directory.CreateDirectory(Path.Combine(dir.Path, "reports")).FullName;
        var (kept, deleted) = (Path.Combine(folder, "a.txt"), Path.Combine(folder, "b.txt"));
        File.WriteAllText(kept, "FINDINGS: The heart is normal in size. No pneumothorax.");
        File.WriteAllText(deleted, "FINDINGS: Small left pleural effusion. Heart size is normal.");
        // The newest file stays: the folder's latest modification time does not change when the other one goes.
        File.SetLastWriteTimeUtc(deleted, DateTime.UtcNow.AddHours(-2));
        File.SetLastWriteTimeUtc(kept, DateTime.UtcNow.AddHours(-1));
        var cache = Path.Combine(dir.Path, "cache");
        new CorpusRegistry(cache).Register(new CorpusDefinition("site", folder)).Get("site")
            .Sentences.Select(s => s.Text).ShouldContain("Small left pleural effusion.");

        File.Delete(deleted);
        var index = new CorpusRegistry(cache).Register(new CorpusDefinition("site", folder)).Get("site"); // a restarted service
        index.Sentences.Select(s => s.Text).ShouldNotContain("Small left pleural effusion.");
        index.Sentences.Select(s => s.Text).ShouldContain("No pneumothorax.");
    }

    [Fact]
    public void A_source_replaced_by_an_older_copy_is_indexed_again_and_an_unchanged_one_is_loaded()
    {
        using var dir = new TempDir();
        var source = Path.Combine(dir.Path, "site.jsonl");
        File.WriteAllLines(source, ["{\"findings\": \"Stable cardiomegaly. No pneumothorax.\"}"]);
        var cache = Path.Combine(dir.Path, "cache");
        new CorpusRegistry(cache).Register(new CorpusDefinition("site", source)).Get("site");
        var indexFile = Path.Combine(cache, "site.rgsi");
        var built = File.GetLastWriteTimeUtc(indexFile);

        // Unchanged: the saved index is loaded, not rebuilt.
        new CorpusRegistry(cache).Register(new CorpusDefinition("site", source)).Get("site").Sentences.Select(s => s.Text).ShouldContain("Stable cardiomegaly.");
        File.GetLastWriteTimeUtc(indexFile).ShouldBe(built);

        // A restored backup: other reports, an older modification time than the index.
        File.WriteAllLines(source, ["{\"findings\": \"Right lower lobe pneumonia.\"}"]);
        File.SetLastWriteTimeUtc(source, built.AddDays(-30));
        var index = new CorpusRegistry(cache).Register(new CorpusDefinition("site", source)).Get("site");
        index.Sentences.Select(s => s.Text).ShouldBe(["Right lower lobe pneumonia."]);
    }
}
