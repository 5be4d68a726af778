using Microsoft.Extensions.AI;
using ReportGen.Pipelines.Judging;
using ReportGen.Pipelines.Prompts;
using ReportGen.TestSupport;
using Shouldly;
using Xunit;

namespace ReportGen.Pipelines.Tests.Judging;

/// <summary>The pipeline RadFact judge's grounded scoring (RadFact's definitions), its inputs and its failure accounting.</summary>
[Fast]
public class RadFactGroundedTests
{
    private static readonly NormalizedBox A = new(0.1, 0.1, 0.2, 0.2);
    private static readonly NormalizedBox B = new(0.3, 0.3, 0.4, 0.4);
    private static readonly NormalizedBox C = new(0.6, 0.6, 0.7, 0.7);

    private static PhraseVerdict V(string phrase, string? status, NormalizedBox[]? boxes, params string[] evidence) =>
        new(phrase, status, evidence) { Boxes = boxes, Failure = status is null ? JudgeStatus.Unparseable : null };

    [Fact]
    public void Grounding_and_spatial_precision_recall_follow_radfact()
    {
        PhraseVerdict[] candidate =
        [
            V("Left pleural effusion.", "entailment", [A], "Small left pleural effusion."),     // evidence box A: pixel precision 1
            V("Right upper lobe nodule.", "entailment", [B], "Nodule in the right upper lobe."), // evidence box C: precision 0
            V("Cardiomegaly.", "neutral", null),
            V("Pneumothorax.", null, [A]),                                                      // unreadable answer: counted, not scored
        ];
        PhraseVerdict[] reference =
        [
            V("Small left pleural effusion.", "entailment", [A], "Left pleural effusion."),
            V("Nodule in the right upper lobe.", "entailment", [C], "Right upper lobe nodule."),
            V("No pneumothorax.", "contradiction", [A], "Pneumothorax."),
        ];
        var j = RadFactJudge.Score(candidate, reference);

        j.LogicalPrecision!.Value.ShouldBe(2 / 3.0, 1e-12);       // 2 entailed of 3 judged (the failure left out)
        j.LogicalRecall!.Value.ShouldBe(2 / 3.0, 1e-12);
        j.LogicalF1!.Value.ShouldBe(2 / 3.0, 1e-12);
        j.GroundingPrecision!.Value.ShouldBe(0.5, 1e-12);         // 1 spatially entailed of 2 entailed boxed
        j.SpatialPrecision!.Value.ShouldBe(0.5, 1e-12);           // 1 of 2 boxed (judged)
        j.GroundingRecall!.Value.ShouldBe(0.5, 1e-12);
        j.SpatialRecall!.Value.ShouldBe(1 / 3.0, 1e-12);          // the contradicted boxed phrase counts in the denominator
        j.CandidatePhrasesWithBoxes.ShouldBe(2);
        j.ReferencePhrasesWithBoxes.ShouldBe(3);
        j.Failures.ShouldBe(1);
        j.UnparseableVerdicts.ShouldBe(1);
        j.FailedCalls.ShouldBe(0);
        j.CandidateVerdicts.Select(v => v.SpatiallyEntailed).ShouldBe([true, false, null, null]);
    }

    [Fact]
    public void A_box_with_pixel_precision_just_under_one_half_is_not_spatially_entailed()
    {
        // Candidate box 45x22 px on the 224 mask, 22x22 of it inside the evidence box: precision 484/990 = 0.489.
        var wide = new NormalizedBox(0.1, 0.1, 0.3, 0.2);
        var j = RadFactJudge.Score([V("Effusion.", "entailment", [wide], "Effusion.")], [V("Effusion.", "entailment", [A], "Effusion.")]);
        j.CandidateVerdicts[0].SpatiallyEntailed.ShouldBe(false);
        j.GroundingPrecision.ShouldBe(0);
        // The other way the evidence box (A) lies wholly inside the wide box: precision 1.
        j.ReferenceVerdicts[0].SpatiallyEntailed.ShouldBe(true);
        j.GroundingRecall.ShouldBe(1);
    }

    [Fact]
    public void Evidence_against_a_union_of_boxes()
    {
        // The phrase's box is covered half by each of two evidence phrases: only their union makes it spatially entailed.
        var left = new NormalizedBox(0.1, 0.1, 0.15, 0.2);
        var right = new NormalizedBox(0.15, 0.1, 0.2, 0.2);
        var j = RadFactJudge.Score(
            [V("Bibasilar atelectasis.", "entailment", [A], "Left basilar atelectasis.", "Right basilar atelectasis.")],
            [V("Left basilar atelectasis.", "entailment", [left]), V("Right basilar atelectasis.", "entailment", [right])]);
        j.CandidateVerdicts[0].SpatiallyEntailed.ShouldBe(true);
    }

    [Fact]
    public void Without_boxes_the_box_scores_are_null_not_zero()
    {
        var j = RadFactJudge.Score([V("Effusion.", "entailment", null, "Effusion.")], [V("Effusion.", "entailment", null, "Effusion.")]);
        j.LogicalF1.ShouldBe(1);
        j.GroundingPrecision.ShouldBeNull();
        j.SpatialRecall.ShouldBeNull();
        j.CandidatePhrasesWithBoxes.ShouldBe(0);
    }

    [Fact]
    public async Task Failed_calls_are_counted_apart_from_unreadable_answers_and_never_scored()
    {
        // A transport failure cannot be caused with the real model: a client that throws stands in for it.
        var judge = new RadFactJudge(new ThrowingChatClient(), PromptLibrary.LoadDefault());
        var j = await judge.JudgeAsync(
            [new GroundedPhrase("Left pleural effusion.", [A]), new GroundedPhrase("No pneumothorax.")],
            [new GroundedPhrase("Small left pleural effusion.", [A])], TestContext.Current.CancellationToken);
        j.FailedCalls.ShouldBe(3);
        j.UnparseableVerdicts.ShouldBe(0);
        j.Failures.ShouldBe(3);
        j.LogicalPrecision.ShouldBeNull();
        j.LogicalF1.ShouldBeNull();
        j.GroundingPrecision.ShouldBeNull();
        j.CandidateVerdicts.ShouldAllBe(v => v.Status == null && v.Failure == JudgeStatus.Failed);
        j.CandidateVerdicts[0].Boxes.ShouldBe([A]);
    }

    [Fact]
    public async Task Green_and_chexprompt_report_a_failed_call_as_failed_with_no_score()
    {
        var green = await new GreenJudge(new ThrowingChatClient(), PromptLibrary.LoadDefault()).JudgeAsync("a", "b", TestContext.Current.CancellationToken);
        green.Status.ShouldBe(JudgeStatus.Failed);
        green.Score.ShouldBeNull();
        green.Problem.ShouldNotBeNull().ShouldContain("failed");
        var chex = await new CheXpromptJudge(new ThrowingChatClient(), PromptLibrary.LoadDefault()).JudgeAsync("a", "b", TestContext.Current.CancellationToken);
        chex.Status.ShouldBe(JudgeStatus.Failed);
        chex.SignificantTotal.ShouldBeNull();
    }

    [Fact]
    public async Task The_native_green_judge_renders_the_native_prompt_and_reads_bracketed_sections()
    {
        // No small model writes GREEN's sections; a canned answer (GREEN-Phi2's published row 6 shape) stands in for one.
        var chat = new CannedChatClient("[Explanation]:\nx\n\n[Clinically Significant Errors]:\n(a) False report of a finding in the candidate: 1. x\n" +
            "(b) Missing a finding present in the reference: 2. y; z\n\n[Clinically Insignificant Errors]:\nNo errors.\n\n[Matched Findings]:\n3. a; b; c");
        var judge = new GreenJudge(chat, PromptLibrary.LoadDefault(), format: GreenOutputFormat.Native);
        judge.Prompt.ShouldBe(GreenJudge.NativePromptName);
        var g = await judge.JudgeAsync("CAND-TEXT", "REF-TEXT", TestContext.Current.CancellationToken);
        g.Score.ShouldBe(0.5);
        g.Significant.ShouldBe([1, 2, 0, 0, 0, 0]);
        chat.LastPrompt.ShouldContain("[Matched Findings]");
        chat.LastPrompt.ShouldContain("CAND-TEXT");
        chat.LastOptions!.ResponseFormat.ShouldBeNull();   // the fine-tuned models answer free text

        var garbled = await new GreenJudge(new CannedChatClient("The candidate looks fine."), PromptLibrary.LoadDefault(), format: GreenOutputFormat.Native)
            .JudgeAsync("a", "b", TestContext.Current.CancellationToken);
        garbled.Status.ShouldBe(JudgeStatus.Unparseable);
        garbled.Score.ShouldBeNull();
    }

    [Fact]
    public void Grounded_drafting_output_is_read_with_normalised_boxes()
    {
        var report = GroundedReport.Read("""
            {"findings": [
              {"text": "Left pleural effusion", "boxes": [{"x_min": 0.1, "y_min": 0.5, "x_max": 0.4, "y_max": 0.9}]},
              {"text": "Right upper lobe nodule.", "boxes": [{"normalized": {"xMin": 0.6, "yMin": 0.1, "xMax": 0.7, "yMax": 0.2}, "pixels": {"xMin": 600, "yMin": 100, "xMax": 700, "yMax": 200}}]},
              {"text": "No pneumothorax.", "boxes": []}
            ], "impression": "Effusion."}
            """);
        report.IsGrounded.ShouldBeTrue();
        report.Phrases.Count.ShouldBe(3);
        report.Phrases[0].Boxes.ShouldBe([new NormalizedBox(0.1, 0.5, 0.4, 0.9)]);
        report.Phrases[1].Boxes.ShouldBe([new NormalizedBox(0.6, 0.1, 0.7, 0.2)]);
        report.Phrases[2].Boxes.ShouldBeNull();
        report.Text.ShouldBe("Left pleural effusion. Right upper lobe nodule. No pneumothorax.");

        var plain = GroundedReport.Read("Left pleural effusion. {not json}");
        plain.IsGrounded.ShouldBeFalse();
        plain.Text.ShouldBe("Left pleural effusion. {not json}");
    }

    [Fact]
    public void The_draft_json_contract_reads_back_as_grounded_phrases()
    {
        // What `reportgen draft` and POST /v1/reports/draft print (DraftJson): normalised coordinates with a pixels copy.
        var findings = new System.Text.Json.Nodes.JsonArray(
            ReportGen.Pipelines.Drafting.DraftJson.Finding(new ReportGen.Pipelines.Drafting.DraftFinding("Left pleural effusion.",
                [new ReportGen.Pipelines.Drafting.FindingBox(new ReportGen.Pipelines.Drafting.BoundingBox(0.125, 0.5, 0.375, 0.875), new ReportGen.Pipelines.Drafting.BoundingBox(250, 1000, 750, 1750))])),
            ReportGen.Pipelines.Drafting.DraftJson.Finding(new ReportGen.Pipelines.Drafting.DraftFinding("No pneumothorax.", [])));
        var json = new System.Text.Json.Nodes.JsonObject { ["findings"] = findings, ["impression"] = "Effusion." }.ToJsonString();
        var report = GroundedReport.Read(json);
        report.Phrases.Count.ShouldBe(2);
        report.Phrases[0].Boxes.ShouldBe([new NormalizedBox(0.125, 0.5, 0.375, 0.875)]);
        report.Phrases[1].Boxes.ShouldBeNull();
    }

    [Theory]
    [InlineData("""{"findings": [{"text": "x", "boxes": [{"x_min": 10, "y_min": 0, "x_max": 340, "y_max": 1}]}]}""", "findings[0].boxes[0].x_min")]
    [InlineData("""{"findings": [{"text": "x", "boxes": [{"x_min": 0.5, "y_min": 0, "x_max": 0.2, "y_max": 1}]}]}""", "findings[0].boxes[0].x_min")]
    [InlineData("""{"findings": [{"text": "x"}, {"boxes": []}]}""", "findings[1].text")]
    [InlineData("""{"findings": [{"text": "x", "boxes": [{"x_min": 0.1, "y_min": 0.1, "x_max": 0.2}]}]}""", "findings[0].boxes[0].y_max")]
    [InlineData("""{"report": "x"}""", "findings")]
    [InlineData("""{"findings": [""", "input")]
    public void Malformed_grounded_input_names_the_field(string json, string field)
    {
        Should.Throw<JudgeInputException>(() => GroundedReport.Read(json)).Field.ShouldBe(field);
    }
}
