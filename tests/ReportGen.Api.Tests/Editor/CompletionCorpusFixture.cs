using ReportGen.TestSupport;

namespace ReportGen.Api.Tests.Editor;

/// <summary>A small report corpus in a temp folder and the settings that make it the service's default corpus.</summary>
public sealed class CompletionCorpusFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public CompletionCorpusFixture()
    {
        var reports = new[]
        {
            "The heart is normal in size. The lungs are clear. No pleural effusion or pneumothorax.",
            "The heart is normal in size. The lungs are clear. No pneumothorax.",
            "The heart is normal in size. The lungs are clear. The osseous structures are intact.",
            "The heart is enlarged. Small left pleural effusion. The lungs are clear.",
            "Heart size is normal. No focal consolidation. No pleural effusion.",
        };
        var path = Path.Combine(_dir.Path, "site.jsonl");
        File.WriteAllLines(path, [
            .. reports.Select(r => System.Text.Json.JsonSerializer.Serialize(new { findings = r })),
            // The one impression of the corpus, for requests that name the section.
            System.Text.Json.JsonSerializer.Serialize(new { findings = "Heart size is normal. No focal consolidation.", impression = "No acute cardiopulmonary disease." }),
        ]);
        Settings = new Dictionary<string, string?>
        {
            ["ReportGen:Completion:Corpora:0:Name"] = "site",
            ["ReportGen:Completion:Corpora:0:Source"] = path,
            ["ReportGen:Completion:DefaultCorpus"] = "site",
            ["ReportGen:Completion:CacheFolder"] = Path.Combine(_dir.Path, "cache"),
        };
    }

    public IDictionary<string, string?> Settings { get; }

    public void Dispose() => _dir.Dispose();
}
