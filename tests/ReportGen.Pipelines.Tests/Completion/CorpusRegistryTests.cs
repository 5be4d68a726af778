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
}
