using ReportGen.Pipelines.Judging;
using Shouldly;
using Xunit;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Judging;

// Reference: Stanford-AIMI/GREEN green_score/green.py (parse_error_counts, compute_green); the responses below are
// GREEN-Phi2 outputs published in that repository's results_GREEN-Phi2.csv with their "green" and count columns
// (rows 1, 3 and 6). CheXprompt: microsoft/chexprompt src/chexprompt/eval_utils.py and the few-shot ratings in
// evaluator.py (EXAMPLES_FORMATTED).
[Fast]
public sealed class GreenNativeParsingTests
{
    private const string Zeros = """
        (a) False report of a finding in the candidate: 0.
        (b) Missing a finding present in the reference: 0.
        (c) Misidentification of a finding's anatomic location/position: 0.
        (d) Misassessment of the severity of a finding: 0.
        (e) Mentioning a comparison that isn't in the reference: 0.
        (f) Omitting a comparison detailing a change from a prior study: 0.
        """;

    // results_GREEN-Phi2.csv row 1: green 1.0, all significant 0, insignificant (c) 1, matched 1.
    private const string Row1 = "\nThe candidate report is largely consistent with the reference report.\n\n[Clinically Significant Errors]:\n" + Zeros + "\n\n[Clinically Insignificant Errors]:\n"
        + "(a) False report of a finding in the candidate: 0.\n(b) Missing a finding present in the reference: 0.\n"
        + "(c) Misidentification of a finding's anatomic location/position: 1. The candidate report specifies the location of the interstitial opacities as being at the bases, which is not mentioned in the reference report.\n"
        + "(d) Misassessment of the severity of a finding: 0.\n(e) Mentioning a comparison that isn't in the reference: 0.\n(f) Omitting a comparison detailing a change from a prior study: 0.\n\n"
        + "[Matched Findings]:\n1. Interstitial opacities without changes.";

    // Row 3: green 0.0, (a) 7, (b) 3, matched "0."
    private const string Row3 = "\nThe candidate report has several discrepancies.\n\n[Clinically Significant Errors]:\n"
        + "(a) False report of a finding in the candidate: 7. Removal of endotracheal and nasogastric tubes; Changes of median sternotomy; Enlargement of the cardiac silhouette; Left lower lobe atelectasis; Central venous congestion; Interstitial pulmonary edema; Bilateral pleural effusions.\n"
        + "(b) Missing a finding present in the reference: 3. Low lung volumes causing bronchovascular crowding; Unremarkable cardiomediastinal silhouette; No detection of focal consolidation, pleural effusion, or pneumothorax.\n"
        + "(c) Misidentification of a finding's anatomic location/position: 0.\n(d) Misassessment of the severity of a finding: 0.\n(e) Mentioning a comparison that isn't in the reference: 0.\n(f) Omitting a comparison detailing a change from a prior study: 0.\n\n"
        + "[Clinically Insignificant Errors]:\n" + Zeros + "\n\n[Matched Findings]:\n0.";

    // Row 6: green 0.5 = 3 / (3 + 1 + 2).
    private const string Row6 = "\nThe candidate report has several discrepancies.\n\n[Clinically Significant Errors]:\n"
        + "(a) False report of a finding in the candidate: 1. Segmental heterogeneous airspace opacities throughout the lungs.\n"
        + "(b) Missing a finding present in the reference: 2. Removal of endotracheal and nasogastric tubes; Leftward displacement of the fourth inferomost sternal wire.\n"
        + "(c) Misidentification of a finding's anatomic location/position: 0.\n(d) Misassessment of the severity of a finding: 0.\n(e) Mentioning a comparison that isn't in the reference: 0.\n(f) Omitting a comparison detailing a change from a prior study: 0.\n\n"
        + "[Clinically Insignificant Errors]:\n" + Zeros + "\n\n[Matched Findings]:\n3. Continued moderate-to-severe enlargement of the cardiac silhouette; Pulmonary aeration is slightly improved; Residual left lower lobe atelectasis.</s>";

    [Fact]
    public void Published_green_phi2_rows_reproduce_their_scores_and_counts()
    {
        var r1 = GreenJudge.ParseNative(Row1);
        r1.Score.ShouldBe(1.0);
        r1.MatchedFindings.ShouldBe(1);
        r1.Insignificant.ShouldBe([0, 0, 1, 0, 0, 0]);

        var r3 = GreenJudge.ParseNative(Row3);
        r3.Score.ShouldBe(0.0);
        r3.Significant.ShouldBe([7, 3, 0, 0, 0, 0]);
        r3.Status.ShouldBe(JudgeStatus.Parsed);

        var r6 = GreenJudge.ParseNative(Row6);
        r6.Score.ShouldBe(0.5);
        r6.Significant.ShouldBe([1, 2, 0, 0, 0, 0]);
        r6.MatchedFindings.ShouldBe(3);
    }

    [Fact]
    public void A_response_without_the_sections_is_unparseable_not_zero()
    {
        var result = GreenJudge.ParseNative("I think the candidate is mostly fine.");
        result.Status.ShouldBe(JudgeStatus.Unparseable);
        result.Score.ShouldBeNull();
        result.Problem!.ShouldContain("missing");
        result.Parsed.ShouldBeFalse();
        result.SignificantTotal.ShouldBeNull();

        GreenJudge.ParseNative("[Matched Findings]:\n2. a; b").Status.ShouldBe(JudgeStatus.Unparseable);
    }

    [Fact]
    public void Sections_starting_with_no_count_zero_and_numbered_template_parses()
    {
        var none = GreenJudge.ParseNative("[Clinically Significant Errors]:\nNo errors.\n\n[Matched Findings]:\n4. a; b; c; d");
        none.Score.ShouldBe(1.0);
        var gpt4 = GreenJudge.ParseNative("[Clinically Significant Errors]:\n(1) False report: 1.\n(4) Severity: 2.\n\n[Matched Findings]:\n3. x");
        gpt4.Significant.ShouldBe([1, 0, 0, 2, 0, 0]);
        gpt4.Score.ShouldBe(0.5);
        GreenJudge.ParseNative("<|user|>prompt<|assistant|>\n[Clinically Significant Errors]:\n" + Zeros + "\n\n[Matched Findings]:\n2. a; b</s>").Score.ShouldBe(1.0);
    }
}

[Fast]
public sealed class CheXpromptNativeParsingTests
{
    [Fact]
    public void Parses_the_few_shot_ratings_of_the_reference_prompt()
    {
        // evaluator.py EXAMPLES_FORMATTED, the second example's rating.
        var result = CheXpromptJudge.ParseNative("Number of clinically significant errors by type: ((A, 0), (B, 1), (C, 0), (D, 1), (E, 0), (F, 0))\nNumber of clinically insignificant errors by type: ((A, 0), (B, 1), (C, 0), (D, 0), (E, 0), (F, 0))");
        result.Status.ShouldBe(JudgeStatus.Parsed);
        result.Significant.ShouldBe([0, 1, 0, 1, 0, 0]);
        result.Insignificant.ShouldBe([0, 1, 0, 0, 0, 0]);
        result.SignificantTotal.ShouldBe(2);
    }

    [Fact]
    public void Square_brackets_and_explanations_are_accepted()
    {
        var result = CheXpromptJudge.ParseNative("Number of clinically significant errors by type: [(A, 1), (B, 0), (C, 0), (D, 0), (E, 0), (F, 2)]\nNumber of clinically insignificant errors by type: [(A, 0), (B, 0), (C, 0), (D, 0), (E, 1), (F, 0)]\nExplanation: the heart.");
        result.Significant.ShouldBe([1, 0, 0, 0, 0, 2]);
        result.Insignificant.ShouldBe([0, 0, 0, 0, 1, 0]);
    }

    [Fact]
    public void Missing_lines_or_bad_tuples_are_unparseable()
    {
        CheXpromptJudge.ParseNative("").Status.ShouldBe(JudgeStatus.Unparseable);
        CheXpromptJudge.ParseNative("Number of clinically significant errors by type: ((A, 1))").SignificantTotal.ShouldBeNull();
        CheXpromptJudge.ParseNative("Number of clinically significant errors by type: ((A, x))\nNumber of clinically insignificant errors by type: ((A, 0))")
            .Status.ShouldBe(JudgeStatus.Unparseable);
    }
}
