using ReportGen.Core.Labels;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Classification.Rules;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Classification;

/// <summary>
/// English sentences written for these tests in styles unlike the IU X-ray reports the rules were tuned on
/// (ICU and follow-up phrasing as in MIMIC-CXR: device positions, interval change, hedged differentials), each with
/// the labels a careful reader gives under the CheXpert labeler's conventions. They guard the rules against
/// fitting one report style.
/// </summary>
public sealed class UnseenPhrasingTests
{
    private static readonly Taxonomy CheXpert = TaxonomyLibrary.Load(RepoFiles.Path("prompts", "taxonomies")).Get("chexpert14");

    [Theory]
    [InlineData("ET tube terminates 4 cm above the carina. NG tube courses below the diaphragm, tip not visualized.", "Support Devices=positive")]
    [InlineData("Moderate pulmonary edema, slightly improved compared to prior.", "Edema=positive")]
    [InlineData("Small bilateral pleural effusions with adjacent compressive atelectasis.", "Pleural Effusion=positive;Atelectasis=positive")]
    [InlineData("Retrocardiac opacity could reflect atelectasis, though infection is not excluded.", "Lung Opacity=positive;Atelectasis=uncertain;Pneumonia=uncertain")]
    [InlineData("Lungs are well expanded and clear. No pleural effusion or pneumothorax. Cardiomediastinal silhouette is normal.", "No Finding=positive;Pleural Effusion=negative;Pneumothorax=negative;Enlarged Cardiomediastinum=negative")]
    [InlineData("Interval removal of the right chest tube with no residual pneumothorax.", "Pneumothorax=negative;Support Devices=negative")]
    [InlineData("Mild cardiomegaly is unchanged.", "Cardiomegaly=positive")]
    [InlineData("Mild pulmonary vascular engorgement without frank interstitial edema.", "Edema=negative")]
    [InlineData("Left lower lobe consolidation concerning for pneumonia.", "Consolidation=positive;Pneumonia=uncertain")]
    [InlineData("Severe degenerative changes of both glenohumeral joints.", "No Finding=not_mentioned")]
    [InlineData("Right PICC terminates in the mid SVC.", "Support Devices=positive;No Finding=positive")]
    [InlineData("Bibasilar atelectasis.", "Atelectasis=positive")]
    [InlineData("Unchanged appearance of a spiculated left upper lobe mass.", "Lung Lesion=positive")]
    [InlineData("Multiple old left-sided rib fractures are again seen.", "Fracture=positive")]
    [InlineData("No acute cardiopulmonary process.", "No Finding=positive")]
    [InlineData("Left apical pleural thickening, likely chronic.", "Pleural Other=positive")]
    [InlineData("A trace right pleural effusion is not excluded.", "Pleural Effusion=uncertain")]
    [InlineData("Subtle opacity at the right base may represent aspiration or early pneumonia.", "Lung Opacity=positive;Pneumonia=uncertain")]
    [InlineData("Dual-lead pacemaker with leads terminating in the right atrium and right ventricle.", "Support Devices=positive")]
    [InlineData("Widened mediastinum, new since the prior study.", "Enlarged Cardiomediastinum=positive")]
    [InlineData("Small right apical pneumothorax has decreased in size.", "Pneumothorax=positive")]
    [InlineData("Heart size is top normal. Platelike atelectasis at the left base.", "Cardiomegaly=negative;Atelectasis=positive;Support Devices=not_mentioned")]
    [InlineData("Patchy ground-glass opacities in both lower lobes.", "Lung Opacity=positive")]
    [InlineData("Sternal wires are intact. Mitral valve calcification.", "Support Devices=positive")]
    [InlineData("Findings suggestive of old granulomatous disease; no evidence of active tuberculosis.", "Support Devices=not_mentioned;Lung Lesion=not_mentioned")]
    public void Labels_sentences_in_other_report_styles(string text, string expected)
    {
        var labels = RulesLabeler.Label(text, CheXpert, "en").Labels;
        foreach (var pair in expected.Split(';'))
        {
            var (label, value) = (pair.Split('=')[0], pair.Split('=')[1]);
            labels[label].ShouldBe(LabelValues.FromWireName(value)!.Value, $"{label} in \"{text}\"");
        }
    }
}
