using ReportGen.Pipelines.Judging;
using Shouldly;
using Xunit;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Judging;

[Fast]
public class RadFactJudgeTests
{
    private static PhraseVerdict V(string? status) => new("p", status, []);

    [Fact]
    public void Logical_precision_recall_f1()
    {
        var j = RadFactJudge.Score([V("entailment"), V("neutral")], [V("entailment"), V("entailment"), V("contradiction"), V("neutral")]);
        j.LogicalPrecision.ShouldBe(0.5);
        j.LogicalRecall.ShouldBe(0.5);
        j.LogicalF1!.Value.ShouldBe(0.5, 1e-12);
        j.Failures.ShouldBe(0);
    }

    [Fact]
    public void Failures_are_counted_not_scored_as_not_entailed()
    {
        var j = RadFactJudge.Score([V("entailment"), V(null)], [V(null)]);
        j.LogicalPrecision.ShouldBe(1);
        j.LogicalRecall.ShouldBeNull();
        j.LogicalF1.ShouldBeNull();
        j.Failures.ShouldBe(2);
    }

    [Theory]
    [InlineData("""{"status":"entailment","evidence":["a"]}""", "entailment")]
    [InlineData("""{"status":"maybe","evidence":[]}""", null)]
    [InlineData("""{"evidence":[]}""", null)]
    [InlineData("nope", null)]
    [InlineData("", null)]
    public void Parses_verdicts(string response, string? status)
    {
        RadFactJudge.ParseVerdict("p", response).Status.ShouldBe(status);
    }

    [Fact]
    public void Splits_reports_into_sentences()
    {
        RadFactJudge.Phrases("Small left effusion. No pneumothorax.\nHeart normal.").ShouldBe(["Small left effusion.", "No pneumothorax.", "Heart normal."]);
    }
}
