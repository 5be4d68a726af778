using System.Text.Json;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Judging;
using ReportGen.TestSupport;
using Shouldly;
using Xunit;

namespace ReportGen.Pipelines.Tests.Judging;

/// <summary>
/// The rules judge on realistic report pairs (written for these tests, in the style of MIMIC-CXR / IU X-ray findings):
/// negation, uncertainty, laterality and lung zones, graded severity, and GREEN's comparison kinds (e) and (f).
/// </summary>
public class RulesJudgeRadiologyTests
{
    private static readonly RulesJudge Judge = new(TaxonomyLibrary.LoadDefault().Get("chexpert14"));

    [Fact]
    public void A_finding_the_candidate_negates_is_missed_not_matched()
    {
        var j = Judge.Judge("No pneumothorax. Small right pleural effusion.", "Small right apical pneumothorax. Small right pleural effusion.");
        j.MissedFindings.ShouldBe(1);
        j.FalseFindings.ShouldBe(0);
        j.MatchedFindings.ShouldBe(1);
        j.Score.ShouldBe(0.5, 1e-12);
    }

    [Fact]
    public void A_negated_list_negates_every_item()
    {
        var j = Judge.Judge("No pleural effusion or pneumothorax.", "Small bilateral pleural effusions. No pneumothorax.");
        j.MissedFindings.ShouldBe(1);
        j.FalseFindings.ShouldBe(0);
        j.Score.ShouldBe(0);
    }

    [Fact]
    public void Negative_statements_on_both_sides_are_no_errors()
    {
        var j = Judge.Judge("There is no evidence of pneumothorax. The lungs are free of consolidation.", "No pneumothorax or consolidation.");
        j.Errors.ShouldBe(0);
        j.Score.ShouldBe(1);
    }

    [Fact]
    public void Hedged_and_certain_statements_match_with_a_certainty_mismatch_outside_the_score()
    {
        var j = Judge.Judge("Possible right lower lobe pneumonia.", "Right lower lobe pneumonia.");
        j.MatchedFindings.ShouldBe(1);
        j.CertaintyMismatches.ShouldBe(1);
        j.Errors.ShouldBe(0);
        j.Score.ShouldBe(1);
    }

    [Theory]
    [InlineData("Left lower lobe atelectasis.", "Right lower lobe atelectasis.")]
    [InlineData("Right pleural effusion.", "Bilateral pleural effusions.")]
    [InlineData("Right upper lobe consolidation.", "Right lower lobe consolidation.")]
    [InlineData("Small pericardial effusion.", "Small pleural effusion.")]
    public void Wrong_side_zone_or_site_is_a_location_mismatch(string candidate, string reference)
    {
        var j = Judge.Judge(candidate, reference);
        j.MatchedFindings.ShouldBe(1);
        j.LocationMismatches.ShouldBe(1);
        j.FalseFindings.ShouldBe(0);
        j.MissedFindings.ShouldBe(0);
    }

    [Fact]
    public void Findings_of_the_same_kind_pair_by_side_not_by_order()
    {
        var j = Judge.Judge("Small left pleural effusion. Large right pleural effusion.", "Large right pleural effusion. Small left pleural effusion.");
        j.MatchedFindings.ShouldBe(2);
        j.Errors.ShouldBe(0);

        var swapped = Judge.Judge("Small left pleural effusion. Large right pleural effusion.", "Small right pleural effusion. Large left pleural effusion.");
        swapped.MatchedFindings.ShouldBe(2);
        (swapped.LocationMismatches + swapped.SeverityMismatches).ShouldBe(2);   // either pairing costs two errors
    }

    [Theory]
    [InlineData("Left base atelectasis.", "Left lower lobe atelectasis.")]
    [InlineData("Bibasilar atelectasis.", "Bilateral lower lobe atelectasis.")]
    [InlineData("Opacity in the right lung base.", "Right lower lobe opacity.")]
    public void Equivalent_locations_are_no_mismatch(string candidate, string reference)
    {
        var j = Judge.Judge(candidate, reference);
        j.MatchedFindings.ShouldBe(1);
        j.LocationMismatches.ShouldBe(0);
    }

    [Theory]
    [InlineData("Mild cardiomegaly.", "The heart is mildly enlarged.")]
    [InlineData("Slight cardiomegaly.", "Mild cardiomegaly.")]
    [InlineData("Moderate to large right pneumothorax.", "Large right pneumothorax.")]
    [InlineData("Enlarged cardiac silhouette.", "Cardiomegaly.")]
    [InlineData("Lung hyperexpansion.", "The lungs are hyperexpanded.")]
    public void Same_grade_in_other_words_is_a_match(string candidate, string reference)
    {
        var j = Judge.Judge(candidate, reference);
        j.MatchedFindings.ShouldBe(1);
        j.Errors.ShouldBe(0);
        j.Score.ShouldBe(1);
    }

    [Theory]
    [InlineData("Small left pleural effusion.", "Moderate left pleural effusion.")]
    [InlineData("Severe cardiomegaly.", "Mild cardiomegaly.")]
    [InlineData("Trace right pleural effusion.", "Large right pleural effusion.")]
    public void Different_grade_is_a_severity_mismatch(string candidate, string reference)
    {
        var j = Judge.Judge(candidate, reference);
        j.MatchedFindings.ShouldBe(1);
        j.SeverityMismatches.ShouldBe(1);
        j.Score.ShouldBe(0.5, 1e-12);
    }

    [Fact]
    public void A_comparison_the_reference_does_not_make_is_kind_e()
    {
        var j = Judge.Judge("Increased small left pleural effusion.", "Small left pleural effusion.");
        j.ExtraComparisons.ShouldBe(1);
        j.OmittedComparisons.ShouldBe(0);
        j.Score.ShouldBe(0.5, 1e-12);

        // "stable" claims a prior the reference does not mention.
        Judge.Judge("Stable mild cardiomegaly.", "Mild cardiomegaly.").ExtraComparisons.ShouldBe(1);
        // A new finding stated as new where the reference just reports it.
        Judge.Judge("New right lower lobe consolidation.", "Right lower lobe consolidation.").ExtraComparisons.ShouldBe(1);
    }

    [Fact]
    public void A_change_the_candidate_leaves_out_or_reverses_is_kind_f()
    {
        var j = Judge.Judge("Small left pleural effusion.", "Increased small left pleural effusion compared to the prior study.");
        j.OmittedComparisons.ShouldBe(1);
        j.ExtraComparisons.ShouldBe(0);

        var reversed = Judge.Judge("Decreased right pleural effusion.", "Increased right pleural effusion.");
        reversed.OmittedComparisons.ShouldBe(1);
        reversed.MatchedFindings.ShouldBe(1);

        Judge.Judge("Right lower lobe consolidation.", "New right lower lobe consolidation.").OmittedComparisons.ShouldBe(1);
    }

    [Fact]
    public void A_resolved_finding_reported_as_simply_absent_omits_the_change()
    {
        var j = Judge.Judge("No pleural effusion.", "The left pleural effusion has resolved.");
        j.OmittedComparisons.ShouldBe(1);
        j.MissedFindings.ShouldBe(0);
        j.FalseFindings.ShouldBe(0);

        var back = Judge.Judge("The left pleural effusion has resolved.", "No pleural effusion.");
        back.ExtraComparisons.ShouldBe(1);
    }

    [Fact]
    public void Unchanged_in_other_words_is_the_same_comparison_and_leaving_it_out_is_no_error()
    {
        Judge.Judge("No change in small left pleural effusion.", "Small left pleural effusion, unchanged.").Errors.ShouldBe(0);
        Judge.Judge("Persistent small left pleural effusion.", "Stable small left pleural effusion.").Errors.ShouldBe(0);
        // GREEN's (f) is about changes: a reference "stable" the candidate does not repeat is not an omitted change.
        Judge.Judge("Mild cardiomegaly.", "Stable mild cardiomegaly.").Errors.ShouldBe(0);
    }

    [Fact]
    public void Negated_comparison_words_read_as_radiologists_mean_them()
    {
        // "No new consolidation" reports no finding and no change.
        Judge.Judge("No new consolidation.", "No consolidation.").Errors.ShouldBe(0);
        // "No increase in" is "unchanged": leaving it out is no error, and it does not clash with "stable".
        Judge.Judge("No increase in the small left pleural effusion.", "Stable small left pleural effusion.").Errors.ShouldBe(0);
        // "Interval development of" is a new finding.
        Judge.Judge("Right lower lobe consolidation.", "Interval development of right lower lobe consolidation.").OmittedComparisons.ShouldBe(1);
    }

    [Fact]
    public void Descriptive_increased_is_not_a_comparison()
    {
        var j = Judge.Judge("Increased interstitial markings.", "Interstitial markings.");
        j.ExtraComparisons.ShouldBe(0);
    }

    [Fact]
    public void A_full_report_pair_counts_each_kind_once()
    {
        const string reference = "FINDINGS: The heart is mildly enlarged. Small right pleural effusion has increased since the prior study. " +
            "Right basilar atelectasis. No pneumothorax.";
        const string candidate = "FINDINGS: Mild cardiomegaly. Moderate right pleural effusion. Left basilar atelectasis. " +
            "Possible left upper lobe nodule. No pneumothorax.";
        var j = Judge.Judge(candidate, reference);
        j.MatchedFindings.ShouldBe(3);           // cardiomegaly, effusion, atelectasis
        j.FalseFindings.ShouldBe(1);             // the nodule
        j.MissedFindings.ShouldBe(0);
        j.SeverityMismatches.ShouldBe(1);        // moderate vs small
        j.LocationMismatches.ShouldBe(1);        // left vs right atelectasis
        j.OmittedComparisons.ShouldBe(1);        // the effusion's increase
        j.ExtraComparisons.ShouldBe(0);
        j.Score.ShouldBe(3 / 7.0, 1e-12);
    }

    [Fact]
    public void Every_iu_xray_report_judged_against_itself_scores_one_with_no_error()
    {
        // 296 real findings sections (../shared/data/iu-xray/val.jsonl): matching must be a bijection on identical text,
        // whatever the negations, hedges, comparisons and lists in it.
        var checkedReports = 0;
        foreach (var line in File.ReadLines(SharedData.Data("iu-xray", "val.jsonl")))
        {
            using var doc = JsonDocument.Parse(line);
            var findings = doc.RootElement.GetProperty("findings").GetString();
            if (string.IsNullOrWhiteSpace(findings)) continue;
            var j = Judge.Judge(findings, findings);
            j.Errors.ShouldBe(0, findings);
            j.Score.ShouldBe(1, findings);
            checkedReports++;
        }
        checkedReports.ShouldBeGreaterThan(200);
    }
}
