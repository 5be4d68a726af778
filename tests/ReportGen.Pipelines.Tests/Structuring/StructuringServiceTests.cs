using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Core.RadGraph;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Prompts;
using ReportGen.Pipelines.Structuring;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Structuring;

[Fast]
public class StructuringServiceTests
{
    private static readonly PromptLibrary Prompts = PromptLibrary.Load(RepoFiles.Path("prompts"));

    private const string Report = "FINDINGS: Small left pleural effusion. No pneumothorax.\nIMPRESSION: Small effusion.";

    [Fact]
    public void Rules_engine_gives_sections_sentences_and_radgraph()
    {
        var result = new StructuringService().StructureWithRules(Report);
        result.Sections.Findings.ShouldBe("Small left pleural effusion. No pneumothorax.");
        result.Sections.Impression.ShouldBe("Small effusion.");
        result.Sentences.Select(s => s.Text).ShouldBe(["Small left pleural effusion.", "No pneumothorax.", "Small effusion."]);
        foreach (var s in result.Sentences) Report.Substring(s.Start, s.Text.Length).ShouldBe(s.Text);
        result.RadGraph.Text.ShouldBe(RadGraphTokenizer.Normalize(Report));
        result.RadGraph.Entities.Values.Count(e => e.Label == RadGraphLabels.ObservationDefinitelyAbsent).ShouldBe(1);
    }

    [Theory]
    [InlineData("HALLAZGOS: Cardiomegalia leve. Pequeño derrame pleural izquierdo. Sin neumotórax.", "es")]
    [InlineData("BEFUND: Kein Pleuraerguss. Herz normal groß. Kein Pneumothorax.", "de")]
    [InlineData("所見：心拡大あり。左胸水少量。気胸なし。", "ja")]
    public void A_report_not_in_english_is_structured_with_a_warning_naming_its_language(string text, string language)
    {
        var result = new StructuringService().StructureWithRules(text);
        result.Language.ShouldBe(language);
        result.Warnings.ShouldHaveSingleItem().ShouldStartWith($"language_not_english: the report reads as '{language}'");
        result.Sentences.Count.ShouldBeGreaterThan(1); // still split, as any text is
        var english = new StructuringService().StructureWithRules(Report);
        english.Language.ShouldBe("en");
        english.Warnings.ShouldBeEmpty();
        new StructuringService().StructureWithRules("Stable.").Warnings.ShouldBeEmpty(); // too short to tell: und, no warning
    }

    [Theory]
    [InlineData("", ReportTextProblem.Empty)]
    [InlineData("heart\0normal", ReportTextProblem.Binary)]
    public void Bad_input_is_the_shared_report_text_error_naming_the_field(string text, ReportTextProblem problem)
    {
        var ex = Should.Throw<ReportTextException>(() => new StructuringService().StructureWithRules(text));
        ex.Problem.ShouldBe(problem);
        ex.Field.ShouldBe("text");
    }

    [Fact]
    public void Text_over_the_limit_is_refused_and_the_limit_is_configurable()
    {
        var big = string.Concat(Enumerable.Repeat("No pneumothorax. ", 70_000)); // ~1.2 MB
        Should.Throw<ReportTextException>(() => new StructuringService().StructureWithRules(big)).Problem.ShouldBe(ReportTextProblem.TooLarge);
        var small = new StructuringService(options: new StructuringOptions { MaxTextBytes = 10 });
        Should.Throw<ReportTextException>(() => small.StructureWithRules("No pneumothorax.")).Problem.ShouldBe(ReportTextProblem.TooLarge);
        new StructuringService().StructureWithRules(string.Concat(Enumerable.Repeat("No pneumothorax. ", 1000))).RadGraph.Entities.Count.ShouldBe(1000);
    }

    [Fact]
    public async Task Llm_engine_aligns_model_entities_to_word_indices_and_counts_what_it_drops()
    {
        const string answer = """
            ```json
            {"entities":[
              {"id":1,"tokens":"Small","label":"OBS-DP","relations":[{"type":"modify","target":4}]},
              {"id":2,"tokens":"left","label":"ANAT-DP","relations":[{"type":"modify","target":3}]},
              {"id":3,"tokens":"pleural","label":"ANAT-DP","relations":[]},
              {"id":4,"tokens":"effusion","label":"OBS-DP","relations":[{"type":"located_at","target":3},{"type":"causes","target":3},{"type":"modify","target":99}]},
              {"id":5,"tokens":"pneumothorax","label":"OBS-ABSENT","relations":[]},
              {"id":6,"tokens":"atelectasis","label":"OBS-DP","relations":[]},
              {"id":7,"tokens":"effusion","label":"OBS-DP","relations":[]},
              {"id":8,"tokens":"effusion","label":"OBS-DP","relations":[]}
            ]}
            ```
            """;
        var chat = new CannedChatClient(answer);
        var result = await new StructuringService(chat, Prompts).StructureAsync(Report, StructuringEngine.Llm, TestContext.Current.CancellationToken);
        var d = result.Diagnostics;
        d.ModelEntities.ShouldBe(8);
        d.AlignedEntities.ShouldBe(5); // the second "effusion" is found in the impression
        d.DroppedInvalidLabels.ShouldBe(1);
        d.DroppedInvalidSpans.ShouldBe(1);
        d.DroppedDuplicates.ShouldBe(1);
        d.DroppedRelations.ShouldBe(2);
        var words = result.RadGraph.Text.Split(' ');
        foreach (var e in result.RadGraph.Entities.Values) words[e.StartIx].ShouldBe(e.Tokens);
        var effusions = result.RadGraph.Entities.Values.Where(e => e.Tokens == "effusion").ToList();
        effusions.Select(e => e.StartIx).ShouldBe([5, 13]);
        effusions[0].Relations.ShouldBe([new RadGraphRelation("located_at", "3")]);
        chat.LastOptions!.ResponseFormat.ShouldBeOfType<ChatResponseFormatJson>().Schema.ShouldNotBeNull();
    }

    [Fact]
    public async Task Hybrid_keeps_supported_model_entities_fixes_scope_labels_rejects_unsupported_and_adds_missed_rules_entities()
    {
        const string answer = """
            {"entities":[
              {"id":1,"tokens":"effusion","label":"OBS-DP","relations":[]},
              {"id":2,"tokens":"pneumothorax","label":"OBS-DP","relations":[]},
              {"id":3,"tokens":"FINDINGS","label":"ANAT-DP","relations":[]}
            ]}
            """;
        var result = await new StructuringService(new CannedChatClient(answer), Prompts).StructureAsync(Report, StructuringEngine.Hybrid, TestContext.Current.CancellationToken);
        var d = result.Diagnostics;
        d.HybridKeptModelEntities.ShouldBe(1);
        d.HybridRelabelledModelEntities.ShouldBe(1); // "No pneumothorax": the negation scope wins
        d.HybridRejectedModelEntities.ShouldBe(1);   // a header is not anatomy
        d.HybridAddedRuleEntities.ShouldBeGreaterThan(0);
        var byTokens = result.RadGraph.Entities.Values.ToLookup(e => e.Tokens);
        byTokens["pneumothorax"].Single().Label.ShouldBe(RadGraphLabels.ObservationDefinitelyAbsent);
        byTokens["FINDINGS"].ShouldBeEmpty();
        byTokens["pleural"].ShouldNotBeEmpty();
        result.RadGraph.Entities.Keys.ShouldBe(Enumerable.Range(1, result.RadGraph.Entities.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Unreadable_model_output_is_reported_not_thrown_and_missing_model_is_an_error()
    {
        var result = await new StructuringService(new CannedChatClient("I cannot help with that."), Prompts).StructureAsync(Report, StructuringEngine.Llm, TestContext.Current.CancellationToken);
        result.Diagnostics.ModelOutputUnreadable.ShouldBeTrue();
        result.RadGraph.Entities.ShouldBeEmpty();
        await Should.ThrowAsync<InvalidOperationException>(() => new StructuringService().StructureAsync(Report, StructuringEngine.Llm, TestContext.Current.CancellationToken));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => new StructuringService(new CannedChatClient("{}"), Prompts).StructureAsync(Report, StructuringEngine.Llm, cts.Token));
        JsonSerializer.Serialize(RadGraphSpanAligner.ResponseSchema).ShouldContain("suggestive_of");
    }

    [Fact]
    public async Task The_prompt_file_renders_the_report_words_its_json_schema_reaches_the_model_and_the_result_names_it()
    {
        var chat = new CannedChatClient("""{"entities":[{"id":1,"tokens":"pneumothorax","label":"OBS-DA","relations":[]}]}""");
        var result = await new StructuringService(chat, Prompts, new StructuringOptions { ModelId = "m" }).StructureAsync("No pneumothorax.", StructuringEngine.Llm, TestContext.Current.CancellationToken);
        chat.LastMessages[0].Role.ShouldBe(ChatRole.System);
        chat.LastMessages[0].Text.ShouldContain("RadGraph");
        chat.LastMessages[^1].Text.ShouldContain("No pneumothorax .");
        result.RadGraph.Entities["1"].StartIx.ShouldBe(1);
        chat.LastOptions!.ModelId.ShouldBe("m");
        var schema = chat.LastOptions.ResponseFormat.ShouldBeOfType<ChatResponseFormatJson>().Schema!.Value;
        schema.GetRawText().ShouldContain("suggestive_of");
        var prompt = Prompts[StructuringService.PromptName];
        result.Prompt.ShouldBe(new PromptIdentity("structure-radgraph", prompt.ContentHash));
        (await new StructuringService(chat, Prompts).StructureAsync("No pneumothorax.", StructuringEngine.Hybrid, TestContext.Current.CancellationToken)).Prompt.ShouldBe(result.Prompt);
        new StructuringService(chat, Prompts).StructureWithRules("No pneumothorax.").Prompt.ShouldBeNull();
    }

    [Fact]
    public void A_chat_client_without_the_prompt_library_is_refused_at_construction() =>
        Should.Throw<ArgumentNullException>(() => new StructuringService(new CannedChatClient("{}")));
}
