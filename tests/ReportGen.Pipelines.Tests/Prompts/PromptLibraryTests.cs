using ReportGen.Pipelines.Prompts;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Prompts;

// Tests in one class run one after another, so the environment variable test cannot disturb the others here.
[Fast]
public class PromptLibraryTests
{
    private static string Prompt(string name, string text = "Hello.") =>
        $"name: {name}\ndescription: d\ntemplate_format: handlebars\ntemplate: '{text}'\n";

    [Fact]
    public void Names_must_be_unique_across_files()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "a.yaml"), Prompt("same"));
        File.WriteAllText(Path.Combine(dir.Path, "b.yaml"), Prompt("same"));
        var error = Should.Throw<PromptFileException>(() => PromptLibrary.Load(dir.Path));
        error.Message.ShouldContain("b.yaml");
        error.Message.ShouldContain("'same' is already used by a.yaml");
    }

    [Fact]
    public void Every_bad_file_is_reported_at_once()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "good.yaml"), Prompt("good"));
        File.WriteAllText(Path.Combine(dir.Path, "bad1.yaml"), "name: [");
        File.WriteAllText(Path.Combine(dir.Path, "bad2.yml"), "name: x\ntemplate_format: mustache\ntemplate: t\n");
        var error = Should.Throw<PromptFileException>(() => PromptLibrary.Load(dir.Path));
        error.Message.ShouldContain("2 invalid prompt files");
        error.Message.ShouldContain("bad1.yaml");
        error.Message.ShouldContain("bad2.yml");
    }

    [Fact]
    public void Subfolders_are_not_prompts_and_lookups_name_what_exists()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "one.yaml"), Prompt("one"));
        Directory.CreateDirectory(Path.Combine(dir.Path, "taxonomies"));
        File.WriteAllText(Path.Combine(dir.Path, "taxonomies", "labels.yaml"), "id: t\nlabels: []\n");
        var library = PromptLibrary.Load(dir.Path);
        library.Prompts.ShouldHaveSingleItem().Name.ShouldBe("one");
        library["one"].Render(new Dictionary<string, object?>()).ShouldHaveSingleItem().Text.ShouldBe("Hello.");
        library.TryGet("two", out _).ShouldBeFalse();
        Should.Throw<KeyNotFoundException>(() => library["two"]).Message.ShouldContain("have: one");
    }

    [Fact]
    public void An_alternate_folder_gives_a_variant_with_its_own_hash()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        File.WriteAllText(Path.Combine(a.Path, "p.yaml"), Prompt("judge", "Variant A."));
        File.WriteAllText(Path.Combine(b.Path, "p.yaml"), Prompt("judge", "Variant B."));
        var first = PromptLibrary.Load(a.Path)["judge"];
        var second = PromptLibrary.Load(b.Path)["judge"];
        first.ContentHash.ShouldNotBe(second.ContentHash);
        second.Render(new Dictionary<string, object?>())[0].Text.ShouldBe("Variant B.");
    }

    [Fact]
    public void A_missing_folder_is_a_clear_error()
    {
        Should.Throw<DirectoryNotFoundException>(() => PromptLibrary.Load("/nonexistent/prompts")).Message.ShouldContain("/nonexistent/prompts");
    }

    [Fact]
    public void Default_folder_prefers_the_environment_then_the_copy_beside_the_binaries()
    {
        // The build copies prompts/ next to every project that references Pipelines.
        File.Exists(Path.Combine(AppContext.BaseDirectory, "prompts", "judge-green.yaml")).ShouldBeTrue();
        string? Unset(string _) => null;
        PromptLibrary.DefaultFolder(Unset).ShouldBe(Path.Combine(AppContext.BaseDirectory, "prompts"));
        PromptLibrary.Load(PromptLibrary.DefaultFolder(Unset)).Prompts.Count.ShouldBe(Directory.GetFiles(RepoFiles.Path("prompts"), "*.yaml").Length);

        using var dir = new TempDir();
        PromptLibrary.DefaultFolder(name => name == PromptLibrary.FolderEnvironmentVariable ? dir.Path : null).ShouldBe(dir.Path);
        var missing = Path.Combine(dir.Path, "missing");
        Should.Throw<DirectoryNotFoundException>(() => PromptLibrary.DefaultFolder(_ => missing)).Message.ShouldContain(PromptLibrary.FolderEnvironmentVariable);
    }
}
