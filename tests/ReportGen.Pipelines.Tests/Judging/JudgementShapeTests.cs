using System.Text.Json;
using ReportGen.Pipelines.Judging;
using Shouldly;
using Xunit;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Judging;

/// <summary>
/// The judges' result records are serialised by the API (System.Text.Json web defaults): their JSON member names are
/// pinned here, so a shape change is a deliberate, visible edit, and they round-trip.
/// </summary>
[Fast]
public class JudgementShapeTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static string[] Names<T>(T value) =>
        [.. JsonSerializer.SerializeToElement(value, Web).EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    [Fact]
    public void Green_and_chexprompt_judgements()
    {
        var green = GreenJudge.ParseNative("[Clinically Significant Errors]:\n(a) x: 1.\n\n[Matched Findings]:\n3. a; b; c");
        Names(green).ShouldBe(["insignificant", "insignificantTotal", "matchedFindings", "parsed", "problem", "score", "significant", "significantTotal", "status"]);
        var back = JsonSerializer.Deserialize<GreenJudgement>(JsonSerializer.Serialize(green, Web), Web)!;
        back.Score.ShouldBe(0.75);
        back.Status.ShouldBe(JudgeStatus.Parsed);
        back.Significant.ShouldBe([1, 0, 0, 0, 0, 0]);

        var failed = JsonSerializer.Deserialize<GreenJudgement>(JsonSerializer.Serialize(new GreenJudgement(false, null, new int[6], new int[6], 0, "x") { Status = JudgeStatus.Failed }, Web), Web)!;
        failed.Status.ShouldBe(JudgeStatus.Failed);

        var chex = CheXpromptJudge.Parse("""{"clinically_significant":{"A":1,"B":0,"C":0,"D":0,"E":0,"F":0},"clinically_insignificant":{"A":0,"B":0,"C":0,"D":0,"E":0,"F":0}}""");
        Names(chex).ShouldBe(["insignificant", "insignificantTotal", "parsed", "problem", "significant", "significantTotal", "status"]);
    }

    [Fact]
    public void Radfact_judgement_and_verdicts()
    {
        var box = new NormalizedBox(0.1, 0.1, 0.2, 0.2);
        var j = RadFactJudge.Score(
            [new PhraseVerdict("Effusion.", "entailment", ["Effusion."]) { Boxes = [box] }],
            [new PhraseVerdict("Effusion.", "entailment", ["Effusion."]) { Boxes = [box] }, new PhraseVerdict("Nodule.", null, []) { Failure = JudgeStatus.Failed }]);
        Names(j).ShouldBe([
            "candidatePhrasesWithBoxes", "candidateVerdicts", "failedCalls", "failures", "groundingF1", "groundingPrecision", "groundingRecall",
            "logicalF1", "logicalPrecision", "logicalRecall", "referencePhrasesWithBoxes", "referenceVerdicts",
            "spatialF1", "spatialPrecision", "spatialRecall", "truncatedVerdicts", "unparseableVerdicts"]);
        Names(j.CandidateVerdicts[0]).ShouldBe(["boxes", "evidence", "failure", "phrase", "spatiallyEntailed", "status"]);
        var back = JsonSerializer.Deserialize<RadFactJudgement>(JsonSerializer.Serialize(j, Web), Web)!;
        back.GroundingPrecision.ShouldBe(1);
        back.FailedCalls.ShouldBe(1);
        back.ReferenceVerdicts[1].Failure.ShouldBe(JudgeStatus.Failed);
        back.CandidateVerdicts[0].Boxes.ShouldBe([box]);
    }

    [Fact]
    public void Rules_judgement()
    {
        var j = new RulesJudge().Judge("Increased small left pleural effusion.", "Small left pleural effusion.");
        Names(j).ShouldBe([
            "certaintyMismatches", "errors", "extraComparisons", "falseFindings", "falseLabels", "locationMismatches", "matchedFindings",
            "missedFindings", "missedLabels", "omittedComparisons", "problem", "score", "severityMismatches"]);
        var back = JsonSerializer.Deserialize<RulesJudgement>(JsonSerializer.Serialize(j, Web), Web)!;
        back.ExtraComparisons.ShouldBe(1);
        back.Score.ShouldBe(j.Score);
    }

    [Fact]
    public void Output_contract_statuses()
    {
        PhraseVerdict Ok(string p) => new(p, "entailment", [p]);
        var partial = RadFactJudge.Score([Ok("A."), new PhraseVerdict("B.", null, []) { Failure = JudgeStatus.Unparseable }], [Ok("A.")]);
        var output = JudgeOutput.RadFact(partial, false, false);
        output["status"].ShouldBe(JudgeStatus.Partial);
        output["score"].ShouldBe(1.0);
        output["unparseable_verdicts"].ShouldBe(1);

        var none = RadFactJudge.Score([new PhraseVerdict("B.", null, []) { Failure = JudgeStatus.Failed }], [Ok("A.")]);
        JudgeOutput.RadFact(none, false, false)["status"].ShouldBe(JudgeStatus.Failed);
        JudgeOutput.RadFact(none, false, false)["score"].ShouldBeNull();

        var green = JudgeOutput.Green(GreenJudge.Parse("not json"));
        green["status"].ShouldBe(JudgeStatus.Unparseable);
        green["score"].ShouldBeNull();
        JudgeOutput.CheXprompt(CheXpromptJudge.Parse("{}"))["score"].ShouldBeNull();
        JudgeOutput.Rules(new RulesJudge().Judge("Effusion.", "Effusion."))["score"].ShouldBe(1.0);
        JudgeOutput.Rules(new RulesJudge().Judge("Effusion.", "Effusion."))["problem"].ShouldBeNull();
    }

    [Fact]
    public void The_rules_judge_gives_no_score_to_a_report_not_in_english_and_still_compares_its_labels()
    {
        // Both Spanish: the candidate misses the reference's effusion. The English RadGraph rules see no finding on either
        // side, which scored 1.0; the CheXpert labels, read in Spanish, show the miss.
        var chexpert = ReportGen.Pipelines.Classification.TaxonomyLibrary.Load(RepoFiles.Path("prompts", "taxonomies")).Get("chexpert14");
        var judgement = new RulesJudge(chexpert).Judge("Cardiomegalia leve. Sin derrame pleural.", "Cardiomegalia leve. Pequeño derrame pleural izquierdo.");
        var output = JudgeOutput.Rules(judgement);
        output["status"].ShouldBe(JudgeStatus.UnsupportedLanguage);
        output["score"].ShouldBeNull();
        ((string)output["problem"]!).ShouldStartWith("the candidate reads as 'es'");
        judgement.MissedLabels.ShouldBe(["Pleural Effusion"]);
        judgement.FalseLabels.ShouldBeEmpty();
        // English on one side only still has no score: the other side's findings are unseen.
        JudgeOutput.Rules(new RulesJudge(chexpert).Judge("Small left pleural effusion.", "Pequeño derrame pleural izquierdo."))["problem"]
            .ShouldBe("the reference reads as 'es'; the rules judge's findings come from English RadGraph rules, so it gives no score (compare the label lists, or use an LLM judge)");
    }
}
