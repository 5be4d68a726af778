using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Core.Json;
using ReportGen.Pipelines.Prompts;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Prompts;

/// <summary>The shipped prompts/ folder: every file loads, validates and renders.</summary>
[Fast]
public class PromptFilesTests
{
    // Sample arguments for prompts whose variables are not plain strings; every other variable gets a sample string.
    private static readonly Dictionary<string, Dictionary<string, object?>> Samples = new()
    {
        ["classify-mosaic"] = new()
        {
            ["labels"] = new[] { new { name = "Pleural Effusion", description = "fluid in the pleural space" }, new { name = "Pneumothorax", description = "air in the pleural space" } },
            ["examples"] = new[] { new { report = "Small left effusion.", output = """{"Pleural Effusion":1,"Pneumothorax":-1}""" } },
        },
        ["structure-radgraph"] = new()
        {
            ["examples"] = new[] { new { report = "No effusion.", output = """{"entities":[{"id":1,"tokens":"effusion","label":"OBS-DA","relations":[]}]}""" } },
        },
        ["judge-radfact-entailment"] = new()
        {
            ["examples"] = new[] { new { premise = "Heart size is normal.", phrase = "Normal heart size.", output = """{"status":"entailment","evidence":["Heart size is normal."]}""" } },
        },
        ["draft-findings"] = new()
        {
            ["similar_studies"] = new[] { new { id = "study-7", similarity = "0.912", findings = "Sample retrieved findings." } },
        },
        ["draft-findings-gemma3"] = new()
        {
            ["similar_studies"] = new[] { new { id = "study-7", similarity = "0.912", findings = "Sample retrieved findings." } },
        },
        ["draft-findings-llava"] = new()
        {
            ["similar_studies"] = new[] { new { id = "study-7", similarity = "0.912", findings = "Sample retrieved findings." } },
        },
        ["judge-chexprompt"] = new()
        {
            ["examples"] = new[] { new { reference = "No effusion.", candidate = "Small effusion.", output = "{}" } },
        },
    };

    public static TheoryData<string> PromptFiles => new(
        Directory.EnumerateFiles(RepoFiles.Path("prompts"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Fact]
    public void The_whole_folder_loads_as_a_library()
    {
        var library = PromptLibrary.Load(RepoFiles.Path("prompts"));
        string[] shipped = ["classify-mosaic", "draft-findings", "draft-findings-gemma3", "draft-findings-llava", "judge-chexprompt", "judge-green", "judge-green-native", "judge-radfact-entailment", "structure-radgraph"];
        shipped.ShouldBeSubsetOf(library.Prompts.Select(p => p.Name));
        library.Prompts.Count.ShouldBe(Directory.GetFiles(RepoFiles.Path("prompts"), "*.yaml").Length);
    }

    [Theory]
    [MemberData(nameof(PromptFiles))]
    public void Every_prompt_file_renders_with_sample_variables(string file)
    {
        var prompt = PromptTemplate.Load(RepoFiles.Path("prompts", file));
        var arguments = new Dictionary<string, object?>();
        foreach (var variable in prompt.InputVariables)
        {
            arguments[variable.Name] = Samples.GetValueOrDefault(prompt.Name)?.GetValueOrDefault(variable.Name) ?? $"sample {variable.Name} text";
        }
        var messages = prompt.Render(arguments);

        messages.ShouldNotBeEmpty();
        messages[^1].Role.ShouldBe(ChatRole.User);
        messages.ShouldAllBe(m => !string.IsNullOrWhiteSpace(m.Text));
        var all = string.Join("\n", messages.Select(m => m.Text));
        all.ShouldNotContain("<message");
        all.ShouldNotContain("{{");
        foreach (var (name, value) in arguments)
        {
            if (value is string text) all.ShouldContain(text, customMessage: $"{file}: variable {name} is not rendered");
        }
        prompt.Description.ShouldNotBeNullOrWhiteSpace();
        prompt.ContentHash.Length.ShouldBe(64);
    }

    [Theory]
    [MemberData(nameof(PromptFiles))]
    public void Response_schemas_are_in_the_supported_subset_and_accept_a_valid_answer(string file)
    {
        var prompt = PromptTemplate.Load(RepoFiles.Path("prompts", file));
        if (prompt.ResponseSchema is not { } schema) return; // free-text prompts (drafting, native GREEN)
        JsonSchemaSubset.EnsureSupported(schema);
        var options = prompt.CreateChatOptions();
        options.ResponseFormat.ShouldBeOfType<ChatResponseFormatJson>().Schema.ShouldNotBeNull();
        options.Temperature.ShouldBe(0f);
        using var answer = JsonDocument.Parse(ValidAnswers[prompt.Name]);
        JsonSchemaValidator.Validate(answer.RootElement, schema).ShouldBeEmpty();
    }

    private static readonly Dictionary<string, string> ValidAnswers = new()
    {
        ["structure-radgraph"] = """{"entities":[{"id":1,"tokens":"left","label":"ANAT-DP","relations":[{"type":"modify","target":2}]},{"id":2,"tokens":"lung","label":"ANAT-DP","relations":[]}]}""",
        ["classify-mosaic"] = """{"Pleural Effusion":1,"Pneumothorax":-1,"Edema":0,"Atelectasis":2}""",
        ["judge-green"] = """
            {"explanation":"one missed effusion",
             "clinically_significant_errors":{"a":{"count":0,"errors":[]},"b":{"count":1,"errors":["missed effusion"]},"c":{"count":0,"errors":[]},"d":{"count":0,"errors":[]},"e":{"count":0,"errors":[]},"f":{"count":0,"errors":[]}},
             "clinically_insignificant_errors":{"a":{"count":0,"errors":[]},"b":{"count":0,"errors":[]},"c":{"count":0,"errors":[]},"d":{"count":0,"errors":[]},"e":{"count":0,"errors":[]},"f":{"count":0,"errors":[]}},
             "matched_findings":{"count":2,"findings":["cardiomegaly","no pneumothorax"]}}
            """,
        ["judge-radfact-entailment"] = """{"status":"neutral","evidence":[]}""",
        ["judge-chexprompt"] = """{"clinically_significant":{"A":0,"B":1,"C":0,"D":0,"E":0,"F":0},"clinically_insignificant":{"A":0,"B":0,"C":0,"D":0,"E":0,"F":0}}""",
    };

    [Fact]
    public void Draft_findings_uses_n_a_for_missing_inputs()
    {
        var prompt = PromptTemplate.Load(RepoFiles.Path("prompts", "draft-findings.yaml"));
        var user = prompt.Render(new Dictionary<string, object?> { ["indication"] = "Cough." })[^1].Text;
        user.ShouldContain("INDICATION: Cough.");
        user.ShouldContain("TECHNIQUE: N/A");
        user.ShouldContain("COMPARISON: N/A");
        user.ShouldContain("PRIOR_REPORT: N/A");
    }

    [Fact]
    public void Classify_mosaic_lists_every_label_with_its_description()
    {
        var prompt = PromptTemplate.Load(RepoFiles.Path("prompts", "classify-mosaic.yaml"));
        using var labels = JsonDocument.Parse("""[{"name":"Edema","description":"fluid in the lungs"},{"name":"Cardiomegaly","description":"enlarged heart"}]""");
        var messages = prompt.Render(new Dictionary<string, object?> { ["report"] = "Heart is enlarged.", ["labels"] = labels.RootElement });
        messages.Count.ShouldBe(2); // system + user, no examples
        messages[0].Text.ShouldContain("- Edema: fluid in the lungs");
        messages[0].Text.ShouldContain("- Cardiomegaly: enlarged heart");
        messages[1].Text.ShouldBe("Report: Heart is enlarged.");
    }

    [Fact]
    public void Few_shot_examples_become_user_and_assistant_turns()
    {
        var prompt = PromptTemplate.Load(RepoFiles.Path("prompts", "structure-radgraph.yaml"));
        var messages = prompt.Render(new Dictionary<string, object?>
        {
            ["report"] = "Left effusion.",
            ["examples"] = Samples["structure-radgraph"]["examples"],
        });
        messages.Select(m => m.Role).ShouldBe([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User]);
        messages[2].Text.ShouldBe("""{"entities":[{"id":1,"tokens":"effusion","label":"OBS-DA","relations":[]}]}""");
    }
}
