using ReportGen.Core.Text;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Judging;
using ReportGen.Pipelines.Structuring;
using Shouldly;
using Xunit;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Judging;

[Fast]
public class RulesJudgeTests
{
    private static readonly RulesJudge Judge = new(TaxonomyLibrary.LoadDefault().Get("chexpert14"));

    private const string Reference = "Small left pleural effusion. Mild cardiomegaly. No pneumothorax.";

    [Fact]
    public void Identical_reports_score_one()
    {
        var j = Judge.Judge(Reference, Reference);
        j.Errors.ShouldBe(0);
        j.MatchedFindings.ShouldBeGreaterThanOrEqualTo(2);
        j.Score.ShouldBe(1);
        j.FalseLabels.ShouldBeEmpty();
        j.MissedLabels.ShouldBeEmpty();
    }

    [Fact]
    public void Missing_a_finding_is_a_missed_finding()
    {
        var j = Judge.Judge("Small left pleural effusion. No pneumothorax.", Reference);
        j.MissedFindings.ShouldBe(1);
        j.FalseFindings.ShouldBe(0);
        j.Score.ShouldBeLessThan(1);
        j.MissedLabels.ShouldContain("Cardiomegaly");
    }

    [Fact]
    public void Extra_finding_is_a_false_finding()
    {
        var j = Judge.Judge(Reference + " Right lower lobe consolidation.", Reference);
        j.FalseFindings.ShouldBe(1);
        j.MissedFindings.ShouldBe(0);
        j.FalseLabels.ShouldContain("Consolidation");
    }

    [Fact]
    public void Negated_finding_in_candidate_counts_as_missed()
    {
        var j = Judge.Judge("No pleural effusion. Mild cardiomegaly.", Reference);
        j.MissedFindings.ShouldBe(1);
    }

    [Fact]
    public void Different_side_is_a_location_mismatch()
    {
        var j = Judge.Judge("Small right pleural effusion. Mild cardiomegaly. No pneumothorax.", Reference);
        j.LocationMismatches.ShouldBe(1);
        j.FalseFindings.ShouldBe(0);
        j.MissedFindings.ShouldBe(0);
    }

    [Fact]
    public void Different_grade_is_a_severity_mismatch()
    {
        var j = Judge.Judge("Large left pleural effusion. Mild cardiomegaly. No pneumothorax.", Reference);
        j.SeverityMismatches.ShouldBe(1);
        j.LocationMismatches.ShouldBe(0);
        j.Score.ShouldBe(j.MatchedFindings / (double)(j.MatchedFindings + 1), 1e-9);
    }

    [Fact]
    public void Nothing_in_common_scores_zero_and_normal_vs_normal_scores_one()
    {
        Judge.Judge("Right upper lobe mass.", "Left pleural effusion.").Score.ShouldBe(0);
        Judge.Judge("The lungs are clear. No effusion.", "No pneumothorax. No effusion.").Score.ShouldBe(1);
    }

    [Fact]
    public void Findings_extracts_location_and_severity_from_rules_radgraph()
    {
        var doc = new StructuringService().StructureWithRules("Small left pleural effusion.").RadGraph;
        var f = RulesJudge.Findings(doc).ShouldHaveSingleItem();
        f.Key.ShouldBe("effusion");
        f.Severities.ShouldContain("small");
        f.Locations.ShouldContain("pleural");
    }

    [Fact]
    public void Empty_candidate_is_a_typed_error()
    {
        Should.Throw<ReportTextException>(() => Judge.Judge("  ", Reference)).Field.ShouldBe("candidate");
        Should.Throw<ReportTextException>(() => Judge.Judge(Reference, "a\0b")).Field.ShouldBe("reference");
    }
}
