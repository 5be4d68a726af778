using ReportGen.Pipelines.Judging;
using Shouldly;
using Xunit;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Judging;

/// <summary>One finding per phrase: the splitting rules documented in eval/judging.md, on realistic sentences.</summary>
[Fast]
public class RadFactPhrasesTests
{
    [Theory]
    [InlineData("No pleural effusion, pneumothorax or focal consolidation.", new[] { "No pleural effusion.", "No pneumothorax.", "No focal consolidation." })]
    [InlineData("There is no pleural effusion or pneumothorax.", new[] { "There is no pleural effusion.", "There is no pneumothorax." })]
    [InlineData("No focal consolidation, pleural effusion, or pneumothorax is seen.", new[] { "No focal consolidation.", "No pleural effusion.", "No pneumothorax." })]
    [InlineData("No focal consolidation, pleural effusion, or pneumothorax identified.", new[] { "No focal consolidation.", "No pleural effusion.", "No pneumothorax." })]
    [InlineData("No change in the small left effusion and right atelectasis.", new[] { "No change in the small left effusion.", "No change in the right atelectasis." })]
    [InlineData("Heart size and mediastinal contours are normal.", new[] { "Heart size is normal.", "Mediastinal contours are normal." })]
    [InlineData("The heart is enlarged and there is a small left pleural effusion.", new[] { "The heart is enlarged.", "There is a small left pleural effusion." })]
    [InlineData("The heart is normal in size, and the lungs are clear.", new[] { "The heart is normal in size.", "The lungs are clear." })]
    [InlineData("No pneumothorax, and the heart is normal in size.", new[] { "No pneumothorax.", "The heart is normal in size." })]
    [InlineData("There is mild cardiomegaly and small bilateral pleural effusions.", new[] { "There is mild cardiomegaly.", "There is small bilateral pleural effusions." })]
    [InlineData("Small left pleural effusion and right basilar atelectasis.", new[] { "Small left pleural effusion.", "Right basilar atelectasis." })]
    [InlineData("FINDINGS: Lungs are clear; no pneumothorax.", new[] { "Lungs are clear.", "No pneumothorax." })]
    [InlineData("Heart size and mediastinal contour within normal limits.", new[] { "Heart size within normal limits.", "Mediastinal contour within normal limits." })]
    [InlineData("Heart size and pulmonary vascularity appear within normal limits.", new[] { "Heart size appears within normal limits.", "Pulmonary vascularity appears within normal limits." })]
    [InlineData("Otherwise, no focal consolidation, pleural effusion, or pneumothorax.", new[] { "No focal consolidation.", "No pleural effusion.", "No pneumothorax." })]
    public void Splits_into_one_finding_phrases(string report, string[] expected)
    {
        RadFactPhrases.Split(report).ShouldBe(expected);
    }

    [Theory]
    [InlineData("Left basilar atelectasis and effusion.")]           // a one-word item would lose its location
    [InlineData("No acute cardiopulmonary process.")]
    [InlineData("Right lower lobe opacity may represent atelectasis or pneumonia.")]
    [InlineData("The examination consists of frontal and lateral radiographs of the chest.")]
    [InlineData("Cardiomediastinal silhouette stable and within normal limits for size with unchanged atherosclerosis.")]
    public void Keeps_phrases_that_are_one_finding_whole(string sentence)
    {
        RadFactPhrases.Split(sentence).ShouldHaveSingleItem();
    }

    [Fact]
    public void A_report_splits_sentence_by_sentence()
    {
        RadFactPhrases.Split("FINDINGS: Small left effusion. No pneumothorax.\nHeart normal.\n\nIMPRESSION: Small effusion.")
            .ShouldBe(["Small left effusion.", "No pneumothorax.", "Heart normal.", "Small effusion."]);
    }
}
