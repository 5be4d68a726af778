using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ReportGen.Eval.Metrics.Judging;
using ReportGen.Eval.Suites;
using ReportGen.Llama;
using ReportGen.Pipelines.Prompts;
using ReportGen.TestSupport;

namespace ReportGen.Eval.Tests.Reporting;

/// <summary>The judging suite on RadFact's grounded examples (phrases with boxes, no labels): oracle and LLM judge.</summary>
public sealed class GroundedJudgingSuiteTests
{
    // One example in grounded_reporting_examples.json's format. Candidate box (0, 0, 0.5035, 0.5) is 112 x 112 px on the
    // 224 mask; reference box (0.2455, 0, 1, 1) is x 54..224 (54.992 -> 54), 170 x 224 = 38080 px; they overlap on
    // 58 x 112 = 6496 px.
    private const string OneExample = """
        [{"example_id": 7,
          "prediction": [{"text": "Left pleural effusion.", "boxes": [{"x_min": 0, "y_min": 0, "x_max": 0.5035, "y_max": 0.5}]},
                         {"text": "Heart size remains normal.", "boxes": null},
                         {"text": "Right rib fracture.", "boxes": [{"x_min": 0.6, "y_min": 0.1, "x_max": 0.9, "y_max": 0.3}]}],
          "target": [{"text": "Left pleural effusions.", "boxes": [{"x_min": 0.2455, "y_min": 0, "x_max": 1, "y_max": 1}]},
                     {"text": "Heart size is normal.", "boxes": null}]}]
        """;

    [Fact]
    public void The_oracle_matches_normalised_phrases_only()
    {
        PhraseMatchOracle.Normalise("No new infiltrates are evident.").ShouldBe(PhraseMatchOracle.Normalise("No new infiltrate is evident"));
        PhraseMatchOracle.Normalise("Left pleural effusions.").ShouldBe("left pleural effusion");
        // Negation, qualifiers and paraphrase are kept apart: the oracle is a lower bound, not a judge of meaning.
        PhraseMatchOracle.Normalise("No pleural effusion.").ShouldNotBe(PhraseMatchOracle.Normalise("Pleural effusion."));
        PhraseMatchOracle.Normalise("Heart size remains normal.").ShouldNotBe(PhraseMatchOracle.Normalise("Heart size is normal."));
        PhraseMatchOracle.Normalise("Small pneumothorax.").ShouldNotBe(PhraseMatchOracle.Normalise("Large pneumothorax."));
    }

    [Fact]
    public async Task The_oracle_run_scores_grounding_and_spatial_by_hand_computed_numbers()
    {
        using var dir = new TempDir();
        var data = Path.Combine(dir.Path, "grounded.json");
        await File.WriteAllTextAsync(data, OneExample, TestContext.Current.CancellationToken);
        var written = await JudgingSuite.RunGroundedAsync(data, Path.Combine(dir.Path, "out"), judge: null, new JudgingSuiteOptions { BootstrapResamples = 10 }, TestContext.Current.CancellationToken);

        var json = JsonNode.Parse(File.ReadAllText(written.ResultsJson))!;
        var m = json["metrics"]!.AsObject();
        // Oracle: only "Left pleural effusion(s)" matches, both ways, with the other side's box as evidence.
        // Candidate: 1 of 3 entailed (P 1/3); boxed: effusion and rib fracture; the effusion box's precision against the
        // reference box is 6496/12544 = 0.518 > 0.5: spatially entailed, so grounding P = 1/1, spatial P = 1/2.
        // Reference: 1 of 2 entailed (R 1/2); its box's precision against the candidate box is 6496/38080 = 0.171:
        // grounding R = 0/1, spatial R = 0/1. Logical F1 = 2(1/3)(1/2)/(5/6) = 0.4; grounding and spatial F1 = 0.
        m["radfact_logical_precision"]!.GetValue<double>().ShouldBe(1.0 / 3, 1e-12);
        m["radfact_logical_recall"]!.GetValue<double>().ShouldBe(0.5);
        m["radfact_logical_f1"]!.GetValue<double>().ShouldBe(0.4, 1e-12);
        m["radfact_grounding_precision"]!.GetValue<double>().ShouldBe(1.0);
        m["radfact_grounding_recall"]!.GetValue<double>().ShouldBe(0.0);
        m["radfact_grounding_f1"]!.GetValue<double>().ShouldBe(0.0);
        m["radfact_spatial_precision"]!.GetValue<double>().ShouldBe(0.5);
        m["radfact_spatial_recall"]!.GetValue<double>().ShouldBe(0.0);
        m["radfact_spatial_f1"]!.GetValue<double>().ShouldBe(0.0);
        m["radfact_num_candidate_phrases_with_boxes"]!.GetValue<double>().ShouldBe(2);
        m["radfact_num_reference_phrases_with_boxes"]!.GetValue<double>().ShouldBe(1);
        json["provenance"]!["settings"]!["judge"]!.GetValue<string>().ShouldBe(PhraseMatchOracle.Name);
        json["items"]![0]!["id"]!.GetValue<string>().ShouldBe("7");
        var html = File.ReadAllText(written.ReportHtml);
        html.ShouldContain("oracle-normalised-phrase-match");
        html.ShouldContain("Phrases by spatial status");
    }

    [Fact]
    public async Task The_shared_grounded_examples_run_with_the_oracle()
    {
        var data = SharedData.Data("radfact", "grounded_reporting_examples.json");
        using var dir = new TempDir();
        var written = await JudgingSuite.RunGroundedAsync(data, dir.Path, judge: null, new JudgingSuiteOptions { BootstrapResamples = 20 }, TestContext.Current.CancellationToken);
        var m = JsonNode.Parse(File.ReadAllText(written.ResultsJson))!["metrics"]!.AsObject();
        // Regression pins of this oracle on RadFact's 20 grounded examples (no published labels exist for them):
        // 24 of 129 candidate and 38 of 133 reference phrases carry boxes; 3 boxed candidate phrases match a reference phrase.
        m["radfact_num_samples"]!.GetValue<double>().ShouldBe(20);
        m["radfact_num_invalid_samples"]!.GetValue<double>().ShouldBe(0);
        m["radfact_num_candidate_phrases"]!.GetValue<double>().ShouldBe(129 / 20.0, 1e-12);
        m["radfact_num_reference_phrases"]!.GetValue<double>().ShouldBe(133 / 20.0, 1e-12);
        m["radfact_logical_f1"]!.GetValue<double>().ShouldBe(0.49889313001405944, 1e-12);
        m["radfact_grounding_precision"]!.GetValue<double>().ShouldBe(1.0 / 3, 1e-12);
        m["radfact_grounding_recall"]!.GetValue<double>().ShouldBe(0.5, 1e-12);
        m["radfact_spatial_precision"]!.GetValue<double>().ShouldBe(1.0 / 28, 1e-12);
        m["radfact_spatial_recall"]!.GetValue<double>().ShouldBe(1.0 / 60, 1e-12);
    }

    [Fact]
    public async Task A_bad_box_in_the_file_is_refused_with_its_path()
    {
        using var dir = new TempDir();
        var data = Path.Combine(dir.Path, "bad.json");
        await File.WriteAllTextAsync(data, OneExample.Replace("\"x_max\": 0.9", "\"x_max\": 9", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        var ex = await Should.ThrowAsync<InvalidDataException>(() => JudgingSuite.RunGroundedAsync(data, Path.Combine(dir.Path, "o"), null, null, TestContext.Current.CancellationToken));
        ex.Message.ShouldContain("example 7 prediction: prediction[2].boxes[0].x_max");
    }

    [Fact]
    public async Task The_pipeline_judge_labels_grounded_phrases_with_their_boxes_on_stories260K()
    {
        using var dir = new TempDir();
        var data = Path.Combine(dir.Path, "grounded.json");
        await File.WriteAllTextAsync(data, OneExample, TestContext.Current.CancellationToken);
        using var model = LlamaModel.Load(SharedData.Model("stories260K.gguf"));
        await using var scheduler = new SequenceScheduler(model, new SchedulerOptions
        {
            Context = new LlamaContextOptions { ContextSize = 4096, Sequences = 1, BatchSize = 256, Threads = 1 },
        });
        using IChatClient chat = new LlamaChatClient(scheduler);
        // Room for the constrained verdicts to finish: they parse, whatever the tiny model says.
        var judge = JudgingSuite.FromPipelineGrounded(new Pipelines.Judging.RadFactJudge(chat, PromptLibrary.LoadDefault(), maxOutputTokens: 1100));
        var written = await JudgingSuite.RunGroundedAsync(data, Path.Combine(dir.Path, "out"), judge, new JudgingSuiteOptions { BootstrapResamples = 5, JudgeName = "stories260K" }, TestContext.Current.CancellationToken);

        var json = JsonNode.Parse(File.ReadAllText(written.ResultsJson))!;
        var m = json["metrics"]!.AsObject();
        m["radfact_num_samples"]!.GetValue<double>().ShouldBe(1);
        m["radfact_num_invalid_samples"]!.GetValue<double>().ShouldBe(0);
        m["radfact_num_candidate_phrases_with_boxes"]!.GetValue<double>().ShouldBe(2);
        m["radfact_num_reference_phrases_with_boxes"]!.GetValue<double>().ShouldBe(1);
        // Two boxed candidate phrases: spatial precision is 0, 1/2 or 1, whatever the labels; the reference has one.
        m["radfact_spatial_precision"]!.GetValue<double>().ShouldBeOneOf(0.0, 0.5, 1.0);
        m["radfact_spatial_recall"]!.GetValue<double>().ShouldBeOneOf(0.0, 1.0);
        json["provenance"]!["settings"]!["judge"]!.GetValue<string>().ShouldBe("stories260K");
        var item = json["items"]![0]!;
        item["candidate_spatial"]!.AsArray().Select(s => s!.GetValue<string>()).ElementAt(1).ShouldBe("NoBoxes");
    }
}
