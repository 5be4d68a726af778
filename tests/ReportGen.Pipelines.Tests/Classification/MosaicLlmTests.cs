using Microsoft.Extensions.AI;
using ReportGen.Core.Labels;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Prompts;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Classification;

/// <summary>
/// The LLM engine's parsing and mapping, with a chat client that returns canned text (the real llama.cpp
/// client is exercised where it lands; this covers what the engine does with any answer).
/// </summary>
[Fast]
public sealed class MosaicLlmTests
{
    private static readonly TaxonomyLibrary Library = TaxonomyLibrary.Load(RepoFiles.Path("prompts", "taxonomies"));

    private static readonly PromptLibrary Prompts = PromptLibrary.Load(RepoFiles.Path("prompts"));

    private static Task<ClassificationResult> Run(string answer, out CannedChatClient client)
    {
        client = new CannedChatClient(answer);
        var service = new ClassificationService(Library, client, Prompts);
        return service.ClassifyAsync(new ClassificationRequest { Text = "Mild cardiomegaly. No effusion.", TaxonomyId = "chexpert14", Engine = ClassificationEngine.Llm }, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Maps_mosaic_codes_and_sends_schema_and_few_shot()
    {
        var result = await Run("""{"Cardiomegaly": 1, "Pleural Effusion": 2, "Edema": 0, "No Finding": -1, "Pneumonia": -1, "Atelectasis": -1, "Lung Opacity": -1, "Enlarged Cardiomediastinum": -1, "Lung Lesion": -1, "Consolidation": -1, "Pneumothorax": -1, "Pleural Other": -1, "Fracture": -1, "Support Devices": -1}""", out var client);
        result.Engine.ShouldBe("llm");
        result.Labels["Cardiomegaly"].ShouldBe(LabelValue.Positive);
        result.Labels["Pleural Effusion"].ShouldBe(LabelValue.Negative);
        result.Labels["Edema"].ShouldBe(LabelValue.Uncertain);
        result.Labels["Fracture"].ShouldBe(LabelValue.NotMentioned);
        result.LlmParse!.Clean.ShouldBeTrue();
        result.Warnings.ShouldBeEmpty();
        client.LastOptions!.ResponseFormat.ShouldBeOfType<ChatResponseFormatJson>().Schema.ShouldNotBeNull();
        client.LastMessages.Count(m => m.Role == ChatRole.Assistant).ShouldBe(Library.Get("chexpert14").Examples.Count);
        client.LastMessages[^1].Text.ShouldContain("Mild cardiomegaly");
        client.LastMessages[0].Text.ShouldContain("- Pleural Effusion: Pleural effusion or pleural fluid.");
        client.LastOptions.Temperature.ShouldBe(0);
        var schema = ((ChatResponseFormatJson)client.LastOptions.ResponseFormat!).Schema!.Value;
        schema.GetProperty("required").GetArrayLength().ShouldBe(14);
        schema.GetProperty("properties").GetProperty("Support Devices").GetProperty("enum").GetArrayLength().ShouldBe(4);
    }

    [Fact]
    public void The_prompt_file_renders_every_taxonomy_with_its_few_shot_examples()
    {
        var prompt = Prompts[ClassificationService.PromptName];
        foreach (var id in Library.Ids)
        {
            var taxonomy = Library.Get(id);
            var (messages, options) = ClassificationService.BuildPrompt(prompt, taxonomy, "Report & <text>");
            messages.Count.ShouldBe(2 + 2 * taxonomy.Examples.Count);
            messages[^1].Text.ShouldContain("Report & <text>");
            foreach (var label in taxonomy.Labels) messages[0].Text.ShouldContain(label.Name);
            options.ResponseFormat.ShouldBeOfType<ChatResponseFormatJson>();
        }
    }

    [Fact]
    public async Task Llm_results_name_the_prompt_file_and_its_hash()
    {
        var result = await Run("{}", out _);
        var prompt = Prompts[ClassificationService.PromptName];
        result.Prompt.ShouldBe(new PromptIdentity("classify-mosaic", prompt.ContentHash));
        // The hash is the file's bytes: a changed prompt file is a different prompt in provenance.
        prompt.ContentHash.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(RepoFiles.Path("prompts", "classify-mosaic.yaml")))));
        (await new ClassificationService(Library).ClassifyAsync(new ClassificationRequest { Text = "No effusion.", TaxonomyId = "chexpert14" }, TestContext.Current.CancellationToken)).Prompt.ShouldBeNull();
    }

    [Fact]
    public void A_chat_client_without_the_prompt_library_is_refused_at_construction() =>
        Should.Throw<ArgumentNullException>(() => new ClassificationService(Library, new CannedChatClient("{}")));

    [Fact]
    public async Task Repairs_missing_unknown_and_out_of_range_answers()
    {
        var result = await Run("Sure! ```json\n{\"cardiomegaly\": \"1\", \"Kidney Stone\": 1, \"Edema\": 7, \"Pleural Effusion\": \"negative\"}\n```", out _);
        result.Labels["Cardiomegaly"].ShouldBe(LabelValue.Positive);
        result.Labels["Pleural Effusion"].ShouldBe(LabelValue.Negative);
        result.Labels["Edema"].ShouldBe(LabelValue.NotMentioned);
        result.LlmParse!.UnknownKeys.ShouldBe(1);
        result.LlmParse.InvalidValues.ShouldBe(1);
        result.LlmParse.MissingLabels.ShouldBe(11);
        result.Warnings.Count.ShouldBe(3);
    }

    [Theory]
    [InlineData("I cannot help with that.")]
    [InlineData("{\"Cardiomegaly\": ")]
    [InlineData("[1, 2, 3]")]
    [InlineData("")]
    public async Task Unparseable_answers_never_crash(string answer)
    {
        var result = await Run(answer, out _);
        result.Labels.Values.ShouldAllBe(v => v == LabelValue.NotMentioned);
        result.LlmParse!.Unparseable.ShouldBeTrue();
        result.Warnings.ShouldContain(w => w.StartsWith("llm_unparseable"));
    }

    [Fact]
    public async Task Llm_engine_without_a_model_is_a_typed_error()
    {
        var service = new ClassificationService(Library);
        var ex = await Should.ThrowAsync<ClassificationException>(() => service.ClassifyAsync(new ClassificationRequest { Text = "No effusion.", TaxonomyId = "chexpert14", Engine = ClassificationEngine.Llm }, TestContext.Current.CancellationToken));
        ex.Code.ShouldBe(ClassificationErrorCode.LlmUnavailable);
    }
}
