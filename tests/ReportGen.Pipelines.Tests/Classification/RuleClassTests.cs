using ReportGen.Core.Labels;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Classification.Rules;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Classification;

/// <summary>
/// One test per rule class of the chexpert14 rules, in every language: statements of normality are no finding,
/// hedges are uncertain, support devices are found by their position and not invented from unrelated words, and
/// findings outside the 14 labels rule out No Finding. The phrases live in prompts/taxonomies/chexpert14.yaml and
/// the cue files; these tests fail when an edit there breaks a rule class.
/// </summary>
[Fast]
public sealed class RuleClassTests
{
    private static readonly Taxonomy CheXpert = TaxonomyLibrary.Load(RepoFiles.Path("prompts", "taxonomies")).Get("chexpert14");

    private static LabelValue Label(string language, string text, string label) => RulesLabeler.Label(text, CheXpert, language).Labels[label];

    [Theory]
    [InlineData("en", "Heart and mediastinum normal. Lungs clear.")]
    [InlineData("en", "The cardiomediastinal silhouette is within normal limits for size and contour.")]
    [InlineData("en", "Stable cardiomediastinal silhouette. Sternotomy wires overlie the heart.")]
    [InlineData("en", "The cardio mediastinal silhouette, pulmonary vascular pattern are within normal limits.")]
    [InlineData("es", "Silueta cardiaca de tamaño normal. Mediastino sin hallazgos.")]
    [InlineData("es", "Corazón sin aumento significativo de tamaño. Silueta cardiomediastínica anodina.")]
    [InlineData("fr", "Silhouette cardiaque de taille normale. Médiastin sans particularité.")]
    [InlineData("fr", "Cœur non augmenté de volume. Contours médiastinaux inchangés.")]
    [InlineData("da", "Normal hjertestørrelse. Kardiomediastinal silhuet uden bemærkninger.")]
    [InlineData("da", "Normalstort hjerte. Hjerte og mediastinum upåfaldende.")]
    [InlineData("de", "Herzgröße normal. Herz und Mediastinum unauffällig.")]
    [InlineData("de", "Herz, Mediastinum und Lungengefäße normal weit. Herzsilhouette hochnormal.")]
    [InlineData("ja", "心拡大なし。心臓・縦隔に異常なし。")]
    [InlineData("ja", "心臓の有意な拡大なし。縦隔陰影は前回と変化なし。")]
    public void Normality_of_heart_and_mediastinum_is_no_finding(string language, string text)
    {
        var labels = RulesLabeler.Label(text, CheXpert, language).Labels;
        labels["Cardiomegaly"].ShouldNotBe(LabelValue.Positive);
        labels["Enlarged Cardiomediastinum"].ShouldNotBe(LabelValue.Positive);
        labels["No Finding"].ShouldBe(LabelValue.Positive);
    }

    [Theory]
    [InlineData("en", "There is stable enlargement of the heart.", "Cardiomegaly")]
    [InlineData("en", "Slightly widened mediastinum.", "Enlarged Cardiomediastinum")]
    [InlineData("es", "Corazón aumentado de tamaño.", "Cardiomegaly")]
    [InlineData("fr", "Cœur augmenté de volume.", "Cardiomegaly")]
    [InlineData("da", "Hjertet er forstørret.", "Cardiomegaly")]
    [InlineData("de", "Herz deutlich vergrößert.", "Cardiomegaly")]
    [InlineData("de", "Mediastinalverbreiterung.", "Enlarged Cardiomediastinum")]
    [InlineData("ja", "縦隔陰影に突出を認める。", "Enlarged Cardiomediastinum")]
    [InlineData("ja", "心臓は軽度拡大。", "Cardiomegaly")]
    public void An_organ_described_as_abnormal_is_a_finding(string language, string text, string label) =>
        Label(language, text, label).ShouldBe(LabelValue.Positive);

    [Theory]
    [InlineData("en", "Borderline heart size.", "Cardiomegaly")]
    [InlineData("en", "Patchy opacity which may represent early pneumonia.", "Pneumonia")]
    [InlineData("en", "Cannot exclude a small left effusion.", "Pleural Effusion")]
    [InlineData("es", "Cardiomegalia limítrofe.", "Cardiomegaly")]
    [InlineData("es", "Opacidad que podría corresponder a neumonía.", "Pneumonia")]
    [InlineData("fr", "Cœur à la limite de la cardiomégalie.", "Cardiomegaly")]
    [InlineData("fr", "Opacité pouvant correspondre à une pneumopathie.", "Pneumonia")]
    [InlineData("da", "Hjertet er grænsende forstørret.", "Cardiomegaly")]
    [InlineData("da", "Fortætning, muligvis pneumoni.", "Pneumonia")]
    [InlineData("de", "Herz grenzwertig groß.", "Cardiomegaly")]
    [InlineData("de", "Verschattung, DD Pneumonie.", "Pneumonia")]
    [InlineData("ja", "肺炎の可能性がある。", "Pneumonia")]
    public void Hedges_are_uncertain(string language, string text, string label) =>
        Label(language, text, label).ShouldBe(LabelValue.Uncertain);

    [Theory]
    [InlineData("en", "Tip at the level of the SVC.")]
    [InlineData("en", "Intact sternotomy wires.")]
    [InlineData("en", "External cardiac monitor leads overlie the chest.")]
    [InlineData("es", "Extremo distal en la vena cava superior.")]
    [InlineData("fr", "Extrémité distale dans la veine cave supérieure.")]
    [InlineData("da", "CVK med spidsen i vena cava superior.")]
    [InlineData("da", "Med spidsen i vena cava superior.")]
    [InlineData("de", "Spitze in der oberen Hohlvene.")]
    [InlineData("ja", "先端は上大静脈に位置する。")]
    public void Support_devices_are_found_by_their_position(string language, string text) =>
        Label(language, text, "Support Devices").ShouldBe(LabelValue.Positive);

    [Theory]
    [InlineData("en", "Degenerative endplate changes of the thoracic spine.")]
    [InlineData("en", "Hyperexpanded lungs consistent with emphysema.")]
    [InlineData("en", "Kerley B-lines at both bases.")]
    [InlineData("da", "Lungerne er konsistent klare.")]
    [InlineData("de", "Lunge insbesondere apikal frei.")]
    [InlineData("de", "Befund konsistent mit Emphysem.")]
    [InlineData("ja", "肺尖部に異常なし。")]
    public void Support_devices_are_not_invented_from_unrelated_words(string language, string text) =>
        Label(language, text, "Support Devices").ShouldBe(LabelValue.NotMentioned);

    [Theory]
    [InlineData("en", "Nodular densities consistent with chronic granulomatous disease.")]
    [InlineData("es", "Nódulos densos que sugieren enfermedad granulomatosa previa.")]
    [InlineData("fr", "Nodules denses évoquant une granulomatose ancienne.")]
    [InlineData("da", "Tætte noduli, tydende på gammel granulomatøs sygdom.")]
    [InlineData("de", "Dichte Rundherde nach abgelaufener granulomatöser Erkrankung.")]
    [InlineData("ja", "陳旧性肉芽腫性病変による石灰化結節が散在する。")]
    public void Granulomatous_nodules_are_not_lung_lesions(string language, string text) =>
        Label(language, text, "Lung Lesion").ShouldBe(LabelValue.NotMentioned);

    [Theory]
    [InlineData("en", "T-spine osteophytes. Heart size normal.")]
    [InlineData("es", "Osteofitos en la columna dorsal. Corazón de tamaño normal.")]
    [InlineData("fr", "Remaniements dégénératifs du rachis dorsal. Cœur de taille normale.")]
    [InlineData("da", "Degenerative forandringer i thoracalcolumna. Normal hjertestørrelse.")]
    [InlineData("de", "Spondylophyten der BWS. Herzgröße normal.")]
    [InlineData("ja", "胸椎に骨棘形成あり。心拡大なし。")]
    public void Findings_outside_the_labels_rule_out_no_finding(string language, string text) =>
        Label(language, text, "No Finding").ShouldBe(LabelValue.NotMentioned);

    [Fact]
    public void Every_organ_mention_is_a_synonym_of_its_label()
    {
        foreach (var label in CheXpert.Labels)
        {
            foreach (var (language, organs) in label.OrganMentions)
            {
                foreach (var organ in organs) label.SynonymsFor(language).ShouldContain(organ, $"{label.Name} {language}");
            }
        }
        CheXpert.AbnormalDescriptors.Keys.ShouldBe(RulesLabeler.SupportedLanguages, ignoreOrder: true);
    }
}
