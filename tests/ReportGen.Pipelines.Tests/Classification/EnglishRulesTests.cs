using ReportGen.Core.Labels;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Classification.Rules;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Classification;

/// <summary>General English cases beyond the four sample reports.</summary>
[Fast]
public sealed class EnglishRulesTests
{
    private static readonly Taxonomy CheXpert = TaxonomyLibrary.Load(RepoFiles.Path("prompts", "taxonomies")).Get("chexpert14");

    private static LabelValue Label(string text, string label) => RulesLabeler.Label(text, CheXpert, "en").Labels[label];

    [Theory]
    [InlineData("No pneumothorax.", "Pneumothorax", LabelValue.Negative)]
    [InlineData("There is a small right pneumothorax.", "Pneumothorax", LabelValue.Positive)]
    [InlineData("Cannot exclude pneumonia.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("Pneumonia cannot be excluded.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("Resolved left pleural effusion.", "Pleural Effusion", LabelValue.Negative)]
    [InlineData("The left pleural effusion has resolved.", "Pleural Effusion", LabelValue.Negative)]
    [InlineData("Heart size is normal.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("Normal heart size.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("The heart is not enlarged.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("The heart is enlarged.", "Cardiomegaly", LabelValue.Positive)]
    [InlineData("Borderline heart size.", "Cardiomegaly", LabelValue.Uncertain)]
    [InlineData("Stable cardiomediastinal silhouette.", "Enlarged Cardiomediastinum", LabelValue.NotMentioned)]
    [InlineData("The cardiomediastinal silhouette is within normal limits.", "Enlarged Cardiomediastinum", LabelValue.Negative)]
    [InlineData("No focal consolidation, pleural effusion, or pneumothorax.", "Pneumothorax", LabelValue.Negative)]
    [InlineData("No focal consolidation, pleural effusion, or pneumothorax.", "Consolidation", LabelValue.Negative)]
    [InlineData("No new focal consolidation.", "Consolidation", LabelValue.Uncertain)]
    [InlineData("Possible right lower lobe pneumonia.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("Findings may represent atelectasis.", "Atelectasis", LabelValue.Uncertain)]
    [InlineData("Bibasilar opacities, likely atelectasis.", "Lung Opacity", LabelValue.Positive)]
    [InlineData("Opacity concerning for pneumonia.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("Mild pulmonary vascular congestion.", "Edema", LabelValue.Uncertain)]
    [InlineData("No evidence of pulmonary edema.", "Edema", LabelValue.Negative)]
    [InlineData("Lungs are clear without focal airspace disease.", "Lung Opacity", LabelValue.Negative)]
    [InlineData("No pneumothorax, but there is a small left effusion.", "Pleural Effusion", LabelValue.Positive)]
    [InlineData("The heart and lungs have XXXX and are within normal limits.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("Mild cardiomegaly is noted and pulmonary vascularity is normal.", "Cardiomegaly", LabelValue.Positive)]
    [InlineData("Right IJ central line tip in the SVC.", "Support Devices", LabelValue.Positive)]
    [InlineData("The endotracheal tube has been removed.", "Support Devices", LabelValue.Negative)]
    [InlineData("Healed left rib fracture.", "Fracture", LabelValue.Positive)]
    [InlineData("No acute fracture.", "Fracture", LabelValue.Negative)]
    [InlineData("Pneumothorax is no longer seen.", "Pneumothorax", LabelValue.Negative)]
    [InlineData("Cardiac size, mediastinal contour, and pulmonary vascularity are within normal limits.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("Cardiac size, mediastinal contour, and pulmonary vascularity are within normal limits.", "Enlarged Cardiomediastinum", LabelValue.Negative)]
    [InlineData("Cardiomegaly, lungs are normal.", "Cardiomegaly", LabelValue.Positive)]
    [InlineData("No significant change in the left effusion.", "Pleural Effusion", LabelValue.Positive)]
    [InlineData("Heart size normal and lungs are clear.", "Lung Opacity", LabelValue.NotMentioned)]
    [InlineData("Calcified granuloma in the right upper lobe.", "Lung Lesion", LabelValue.NotMentioned)]
    [InlineData("Small pericardial effusion.", "Pleural Effusion", LabelValue.NotMentioned)]
    public void Labels_common_phrasings(string text, string label, LabelValue expected) =>
        Label(text, label).ShouldBe(expected);

    [Fact]
    public void No_finding_is_positive_only_when_nothing_but_devices_is_positive_or_uncertain()
    {
        Label("Lungs are clear. No pneumothorax. Right PICC in place.", "No Finding").ShouldBe(LabelValue.Positive);
        Label("Possible small effusion.", "No Finding").ShouldBe(LabelValue.NotMentioned);
        Label("Mild scoliosis. No pneumothorax.", "No Finding").ShouldBe(LabelValue.NotMentioned);
        Label("No emphysema.", "No Finding").ShouldBe(LabelValue.Positive);
    }

    [Fact]
    public void Positive_heart_failure_makes_cardiomegaly_uncertain()
    {
        var labels = RulesLabeler.Label("Findings consistent with CHF.", CheXpert, "en").Labels;
        labels["Edema"].ShouldBe(LabelValue.Positive);
        labels["Cardiomegaly"].ShouldBe(LabelValue.Uncertain);
        RulesLabeler.Label("No CHF.", CheXpert, "en").Labels["Cardiomegaly"].ShouldBe(LabelValue.NotMentioned);
    }

    [Fact]
    public void Positional_phrases_are_not_cardiomegaly()
    {
        Label("Pacemaker leads over the heart.", "Cardiomegaly").ShouldBe(LabelValue.NotMentioned);
        Label("Pacemaker leads over the heart.", "Support Devices").ShouldBe(LabelValue.Positive);
    }
}

[Fast]
public sealed class RulesScalingTests
{
    [Fact]
    public void Work_grows_linearly_on_one_huge_sentence_of_repeated_findings()
    {
        var taxonomy = TaxonomyLibrary.Load(RepoFiles.Path("prompts", "taxonomies")).Get("chexpert14");
        const string unit = "no pericardial effusion or pneumothorax over the heart ";
        double Seconds(int repeats)
        {
            var text = string.Concat(Enumerable.Repeat(unit, repeats));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var labels = RulesLabeler.Label(text, taxonomy, "en").Labels;
            watch.Stop();
            labels["Pneumothorax"].ShouldBe(LabelValue.Negative);
            labels["Pleural Effusion"].ShouldBe(LabelValue.NotMentioned);
            return watch.Elapsed.TotalSeconds;
        }
        Seconds(200); // warm-up (JIT)
        var small = Seconds(500);
        var large = Seconds(4_000);
        // 8x the input: about 8x the time when linear, 64x when quadratic (as before the scans were bounded);
        // the bound leaves room for a loaded CI machine.
        (large / small).ShouldBeLessThan(24, $"small {small:F2}s, large {large:F2}s");
    }
}
