using ReportGen.Core.Labels;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Classification.Rules;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Classification;

/// <summary>
/// One test per rule class of the chexpert14 rules, in every language: statements of normality are no finding,
/// hedges are uncertain, support devices are found by their position and not invented from unrelated words, and
/// findings outside the 14 labels rule out No Finding. The phrases live in prompts/taxonomies/chexpert14.yaml and
/// the cue files (prompts/cues/&lt;language&gt;.yaml); these tests fail when an edit there breaks a rule class.
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

    [Theory]
    [InlineData("en", "No pleural effusion.")]
    [InlineData("en", "The pleural effusion has resolved.")]
    [InlineData("es", "Sin derrame pleural.")]
    [InlineData("es", "No se observa derrame pleural.")]
    [InlineData("fr", "Pas d'épanchement pleural.")]
    [InlineData("fr", "Épanchement pleural non visible.")]
    [InlineData("da", "Intet pleuraeksudat.")]
    [InlineData("da", "Pleuraeksudat ses ikke.")]
    [InlineData("de", "Kein Pleuraerguss.")]
    [InlineData("de", "Pleuraerguss nicht nachweisbar.")]
    [InlineData("ja", "胸水なし。")]
    [InlineData("ja", "胸水は認められない。")]
    public void Negation_before_and_after_the_finding_is_negative(string language, string text) =>
        Label(language, text, "Pleural Effusion").ShouldBe(LabelValue.Negative);

    [Theory]
    [InlineData("en", "Pneumothorax cannot be excluded.")]
    [InlineData("es", "No se puede descartar neumotórax.")]
    [InlineData("fr", "On ne peut exclure un pneumothorax.")]
    [InlineData("da", "Pneumothorax kan ikke udelukkes.")]
    [InlineData("de", "Pneumothorax nicht sicher auszuschließen.")]
    [InlineData("ja", "気胸は否定できない。")]
    public void Cannot_exclude_is_uncertain_not_negative(string language, string text) =>
        Label(language, text, "Pneumothorax").ShouldBe(LabelValue.Uncertain);

    [Theory]
    [InlineData("en", "No significant change in pneumothorax or right pleural fluid.")]
    [InlineData("es", "Sin cambios significativos del neumotórax ni del líquido pleural derecho.")]
    [InlineData("fr", "Pas de modification du pneumothorax ou de l'épanchement pleural droit.")]
    [InlineData("da", "Ingen ændring i pneumothorax eller pleuraeksudat.")]
    [InlineData("de", "Keine Veränderung von Pneumothorax oder Pleuraerguss.")]
    [InlineData("ja", "右気胸と胸水に有意な変化はない。")]
    public void A_list_of_unchanged_findings_is_positive_not_a_hedge(string language, string text)
    {
        var labels = RulesLabeler.Label(text, CheXpert, language).Labels;
        labels["Pneumothorax"].ShouldBe(LabelValue.Positive);
        labels["Pleural Effusion"].ShouldBe(LabelValue.Positive);
    }

    [Theory]
    [InlineData("en", "Nodular density at the left base. This may represent a nipple shadow.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("en", "Patchy opacity at the left base. This may represent pneumonia.", "Lung Opacity", LabelValue.Positive)]
    [InlineData("es", "Nódulo en la base izquierda. Podría corresponder a la sombra del pezón.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("fr", "Nodule de la base gauche. Pouvant correspondre à une ombre mamelonnaire.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("da", "Nodulus i venstre basis. Kan repræsentere brystvorteskygge.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("de", "Rundherd links basal. DD Mamillenschatten.", "Lung Lesion", LabelValue.Uncertain)]
    public void A_next_sentence_that_explains_a_finding_away_makes_it_uncertain(string language, string text, string label, LabelValue expected) =>
        Label(language, text, label).ShouldBe(expected);

    [Theory]
    [InlineData("ja", "左下肺野に結節影を認める。乳頭陰影の可能性あり。", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("ja", "左下肺野に浸潤影を認める。肺炎の可能性あり。", "Lung Opacity", LabelValue.Positive)]
    public void A_japanese_next_sentence_hedge_is_found_at_its_end(string language, string text, string label, LabelValue expected) =>
        Label(language, text, label).ShouldBe(expected);

    [Theory]
    [InlineData("en", "Nodular density over the left lower lung, possibly consistent with a nipple shadow.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("en", "Right basilar opacity, possibly consistent with pneumonia.", "Lung Opacity", LabelValue.Positive)]
    [InlineData("en", "Right basilar opacity, possibly consistent with pneumonia.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("en", "Left lower lobe nodule, probably benign.", "Lung Lesion", LabelValue.Positive)]
    [InlineData("es", "Densidad nodular en la base izquierda, posiblemente en relación con sombra del pezón.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("fr", "Nodule de la base gauche, pouvant correspondre à une ombre mamelonnaire.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("da", "Nodulus i venstre basis, muligvis svarende til brystvorteskygge.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("de", "Rundherd links basal, möglicherweise einem Mamillenschatten entsprechend.", "Lung Lesion", LabelValue.Uncertain)]
    public void A_hedge_after_a_comma_that_names_no_finding_makes_the_finding_uncertain(string language, string text, string label, LabelValue expected) =>
        Label(language, text, label).ShouldBe(expected);

    [Theory]
    [InlineData("en", "Increased density at the left base is due to overlying soft tissue. No focal consolidation.")]
    [InlineData("es", "Aumento de densidad en la base izquierda por superposición de partes blandas. Sin consolidación.")]
    [InlineData("fr", "Hyperdensité de la base gauche liée aux parties molles. Pas de foyer de condensation.")]
    [InlineData("da", "Øget tæthed ved venstre basis på grund af overlejrende bløddele. Ingen konsolidering.")]
    [InlineData("de", "Vermehrte Dichte links basal durch Weichteilüberlagerung. Keine Konsolidierung.")]
    [InlineData("ja", "左下肺野の濃度上昇は軟部組織の重なりによる。浸潤影なし。")]
    public void An_artifact_keeps_no_finding(string language, string text) =>
        Label(language, text, "No Finding").ShouldBe(LabelValue.Positive);

    [Theory]
    [InlineData("en", "Mild cardiomegaly with pulmonary vascular congestion.")]
    [InlineData("es", "Cardiomegalia leve con congestión vascular pulmonar.")]
    [InlineData("fr", "Cardiomégalie avec congestion vasculaire pulmonaire.")]
    [InlineData("da", "Let kardiomegali med pulmonal vaskulær stase.")]
    [InlineData("de", "Leichte Kardiomegalie mit pulmonalvenöser Stauung.")]
    [InlineData("ja", "軽度の心拡大と肺血管うっ血を認める。")]
    public void Vascular_congestion_is_uncertain_edema(string language, string text) =>
        Label(language, text, "Edema").ShouldBe(LabelValue.Uncertain);

    [Theory]
    [InlineData("en", "Left lower lobe airspace disease may represent atelectasis or pneumonia.")]
    [InlineData("es", "Opacidad en el lóbulo inferior izquierdo que podría corresponder a atelectasia o neumonía.")]
    [InlineData("fr", "Opacité du lobe inférieur gauche pouvant correspondre à une atélectasie ou une pneumopathie.")]
    [InlineData("da", "Fortætning i venstre underlap, som kan svare til atelektase eller pneumoni.")]
    [InlineData("de", "Verschattung im linken Unterlappen, die einer Atelektase oder Pneumonie entsprechen kann.")]
    public void After_a_modal_or_joins_what_the_finding_may_be(string language, string text)
    {
        var labels = RulesLabeler.Label(text, CheXpert, language).Labels;
        labels["Lung Opacity"].ShouldBe(LabelValue.Positive);
        labels["Atelectasis"].ShouldBe(LabelValue.Uncertain);
        labels["Pneumonia"].ShouldBe(LabelValue.Uncertain);
    }

    // The CheXpert labeler's patterns that the cue files gained from a systematic comparison (patterns/*.txt).
    [Theory]
    [InlineData("en", "Patchy opacity may be consistent with pneumonia.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("en", "Findings could be compatible with pneumonia.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("en", "Atelectasis rather than pneumonia.", "Pneumonia", LabelValue.Negative)]
    [InlineData("en", "Interval clearing of the left basilar consolidation.", "Consolidation", LabelValue.Negative)]
    [InlineData("en", "The nodule is previously demonstrated.", "Lung Lesion", LabelValue.Negative)]
    [InlineData("en", "No area of new consolidation.", "Consolidation", LabelValue.Uncertain)]
    [InlineData("en", "Atelectasis may have this appearance.", "Atelectasis", LabelValue.Uncertain)]
    [InlineData("es", "Opacidad posiblemente compatible con neumonía.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("es", "No se excluye un mínimo derrame pleural izquierdo.", "Pleural Effusion", LabelValue.Uncertain)]
    [InlineData("es", "Se ha retirado la sonda nasogástrica.", "Support Devices", LabelValue.Negative)]
    [InlineData("es", "Resolución del edema pulmonar.", "Edema", LabelValue.Negative)]
    [InlineData("fr", "Régression complète de l'œdème pulmonaire.", "Edema", LabelValue.Negative)]
    [InlineData("fr", "Cardiomégalie limite.", "Cardiomegaly", LabelValue.Uncertain)]
    [InlineData("fr", "Ablation de la sonde nasogastrique.", "Support Devices", LabelValue.Negative)]
    [InlineData("da", "Fortætning, muligvis foreneligt med pneumoni.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("de", "Grenzwertige Herzgröße.", "Cardiomegaly", LabelValue.Uncertain)]
    [InlineData("de", "Vollständige Rückbildung des Lungenödems.", "Edema", LabelValue.Negative)]
    [InlineData("de", "Verschattung, möglicherweise vereinbar mit einer Pneumonie.", "Pneumonia", LabelValue.Uncertain)]
    public void Chexpert_patterns_hold_in_every_language(string language, string text, string label, LabelValue expected) =>
        Label(language, text, label).ShouldBe(expected);

    [Theory]
    [InlineData("en", "A 2 cm nodular opacity in the right upper lobe may represent a granuloma or neoplasm.", LabelValue.Positive)]
    [InlineData("en", "Dense left lower lobe nodules suggest a previous granulomatous process.", LabelValue.NotMentioned)]
    [InlineData("es", "Opacidad nodular de 2 cm, que podría corresponder a un granuloma o a una neoplasia.", LabelValue.Positive)]
    [InlineData("de", "2 cm große noduläre Verdichtung im rechten Oberlappen, DD Granulom oder Neoplasie.", LabelValue.Positive)]
    [InlineData("ja", "右上葉に2cm大の結節影を認め、肉芽腫または腫瘍が考えられる。", LabelValue.Positive)]
    [InlineData("ja", "左下葉の高濃度結節があり、陳旧性肉芽腫性病変を示唆する。", LabelValue.NotMentioned)]
    public void An_explanation_offered_as_one_alternative_does_not_rule_a_lesion_out(string language, string text, LabelValue expected) =>
        Label(language, text, "Lung Lesion").ShouldBe(expected);

    [Theory]
    [InlineData("en", "Suboptimal inspiration. The heart may be mildly enlarged.")]
    [InlineData("es", "El corazón podría estar levemente aumentado de tamaño.")]
    [InlineData("fr", "Le cœur pourrait être discrètement augmenté de volume.")]
    [InlineData("da", "Hjertet er muligvis let forstørret.")]
    [InlineData("de", "Herz möglicherweise leicht vergrößert.")]
    [InlineData("ja", "吸気不良。心拡大の可能性あり。")]
    public void A_hedged_organ_descriptor_is_uncertain(string language, string text) =>
        Label(language, text, "Cardiomegaly").ShouldBe(LabelValue.Uncertain);

    [Theory]
    [InlineData("ja", "左下肺野の浸潤影は無気肺と考えられるが、感染は否定できない。", "Atelectasis", LabelValue.Positive)]
    [InlineData("ja", "左下肺野の浸潤影は無気肺と考えられるが、感染は否定できない。", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("de", "Verschattung links basal, vereinbar mit Atelektase, eine Infektion ist jedoch nicht auszuschließen.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("de", "Keine Größenänderung des kleinen Pleuraergusses rechts.", "Pleural Effusion", LabelValue.Positive)]
    [InlineData("de", "Verbreiterung des oberen Mediastinums, möglicherweise durch Gefäße bedingt.", "Enlarged Cardiomediastinum", LabelValue.Positive)]
    [InlineData("es", "Ha desaparecido la consolidación del lóbulo inferior izquierdo.", "Consolidation", LabelValue.Negative)]
    [InlineData("da", "Fortætninger forenelige med lungeødem, mindre sandsynligt infektion.", "Pneumonia", LabelValue.Uncertain)]
    public void Clause_grammar_of_each_language(string language, string text, string label, LabelValue expected) =>
        Label(language, text, label).ShouldBe(expected);

    [Theory]
    [InlineData("de", "Prominente Mediastinalkontur am rechten Hilus, DD Aorta ascendens oder mediastinale Lymphadenopathie.", LabelValue.Uncertain)]
    [InlineData("ja", "右肺門近傍の縦隔陰影に突出を認め、上行大動脈または縦隔リンパ節腫大の可能性がある。", LabelValue.Uncertain)]
    [InlineData("ja", "上縦隔の拡大を認め、血管影またはリンパ節腫大による可能性がある。", LabelValue.Positive)]
    public void A_hedge_that_names_an_organ_in_passing_still_hedges_but_a_cause_does_not(string language, string text, LabelValue expected) =>
        Label(language, text, "Enlarged Cardiomediastinum").ShouldBe(expected);

    [Theory]
    [InlineData("da", "Ingen fokal fortætning, der tyder på pneumoni.", "Pneumonia", LabelValue.Negative)]
    [InlineData("es", "Pulmones hiperinsuflados con aumento del espacio aéreo retroesternal.", "Lung Opacity", LabelValue.NotMentioned)]
    [InlineData("es", "Hay enfermedad del espacio aéreo parcheada en el lóbulo medio.", "Lung Opacity", LabelValue.Positive)]
    public void Relative_clauses_and_airspace_words(string language, string text, string label, LabelValue expected) =>
        Label(language, text, label).ShouldBe(expected);

    [Theory]
    [InlineData("en", "Small nodular opacity in the left mid lung field may represent a nipple shadow; repeat with nipple markers is suggested.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("en", "Small nodular opacity in the left mid lung field may represent a nipple shadow; repeat with nipple markers is suggested.", "Support Devices", LabelValue.NotMentioned)]
    [InlineData("fr", "Petite opacité nodulaire pouvant correspondre à une ombre mamelonnaire ; un contrôle est suggéré.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("en", "Heart is enlarged. Lungs are clear.", "Cardiomegaly", LabelValue.Positive)]
    [InlineData("en", "Heart is normal in size.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("en", "Patchy retrocardiac opacity, atelectasis vs. consolidation.", "Consolidation", LabelValue.Uncertain)]
    [InlineData("es", "Opacidad retrocardiaca parcheada, atelectasia vs. consolidación.", "Consolidation", LabelValue.Uncertain)]
    [InlineData("de", "Diskrete Verdichtung rechts basal, die einer beginnenden Pneumonie entsprechen könnte.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("da", "Muligt lille apikalt pneumothorax på højre side.", "Pneumothorax", LabelValue.Uncertain)]
    public void Hedges_without_a_comma_abbreviations_and_verb_final_hedges(string language, string text, string label, LabelValue expected) =>
        Label(language, text, label).ShouldBe(expected);

    [Theory]
    [InlineData("de", "Alte, knöchern konsolidierte Rippenfrakturen rechts.")]
    [InlineData("es", "Fractura costal en fase de consolidación.")]
    [InlineData("fr", "Fracture costale en voie de consolidation.")]
    public void A_healed_fracture_is_not_consolidation(string language, string text)
    {
        var labels = RulesLabeler.Label(text, CheXpert, language).Labels;
        labels["Fracture"].ShouldBe(LabelValue.Positive);
        labels["Consolidation"].ShouldBe(LabelValue.NotMentioned);
    }

    [Theory]
    [InlineData("es", "Aumento leve de la silueta cardiaca, estable.")]
    [InlineData("fr", "Discret élargissement stable de la silhouette cardiaque.")]
    public void An_organ_described_a_few_words_before_is_a_finding(string language, string text) =>
        Label(language, text, "Cardiomegaly").ShouldBe(LabelValue.Positive);

    [Theory]
    [InlineData("ja", "肺は過膨張、浸潤影なし。胸水、気胸なし。")]
    [InlineData("en", "Lungs hyperexpanded, no infiltrate. No effusion or pneumothorax.")]
    public void A_finding_before_a_negated_list_stays_a_finding(string language, string text) =>
        Label(language, text, "No Finding").ShouldBe(LabelValue.NotMentioned);

    [Theory]
    [InlineData("en", "Stable cardiomegaly and mediastinal contours.")]
    [InlineData("en", "Enlarged cardiac contour, stable.")]
    [InlineData("en", "Stable cardiomegaly. Contour irregularity of the distal clavicle with widening, likely posttraumatic.")]
    [InlineData("es", "Cardiomegalia y mediastino estables.")]
    [InlineData("da", "Kardiomegali og mediastinum uændret.")]
    [InlineData("de", "Kardiomegalie und Mediastinum unverändert.")]
    public void A_descriptor_before_and_belongs_to_the_finding_it_ends(string language, string text)
    {
        var labels = RulesLabeler.Label(text, CheXpert, language).Labels;
        labels["Cardiomegaly"].ShouldBe(LabelValue.Positive);
        labels["Enlarged Cardiomediastinum"].ShouldNotBe(LabelValue.Positive);
    }

    [Theory]
    [InlineData("en", "Enlarged heart and mediastinum.")]
    [InlineData("en", "Stable enlarged heart and mediastinum.")]
    public void An_adjective_before_organs_joined_by_and_describes_both(string language, string text)
    {
        var labels = RulesLabeler.Label(text, CheXpert, language).Labels;
        labels["Cardiomegaly"].ShouldBe(LabelValue.Positive);
        labels["Enlarged Cardiomediastinum"].ShouldBe(LabelValue.Positive);
    }

    [Theory]
    [InlineData("en", "The heart silhouette and mediastinal contours are not enlarged.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("en", "Lungs are clear except for residuals of prior granulomatous infection.", "Pneumonia", LabelValue.NotMentioned)]
    [InlineData("es", "Adenopatías calcificadas por infección granulomatosa antigua.", "Pneumonia", LabelValue.NotMentioned)]
    [InlineData("en", "Patchy opacity, possibly infection.", "Pneumonia", LabelValue.Uncertain)]
    public void Listed_subjects_and_old_granulomatous_infection(string language, string text, string label, LabelValue expected) =>
        Label(language, text, label).ShouldBe(expected);

    [Theory]
    [InlineData("en", "Fracture of the superior sternotomy wire, unchanged.")]
    [InlineData("en", "Fractured pacer lead in the right ventricle.")]
    [InlineData("es", "Fractura del cerclaje esternal superior.")]
    [InlineData("fr", "Fracture du cerclage sternal supérieur.")]
    [InlineData("da", "Cerclagefraktur øverst i sternum.")]
    [InlineData("de", "Cerclagefraktur der obersten Sternalcerclage.")]
    public void A_broken_wire_or_lead_is_no_fracture(string language, string text)
    {
        var labels = RulesLabeler.Label(text, CheXpert, language).Labels;
        labels["Fracture"].ShouldBe(LabelValue.NotMentioned);
        labels["Support Devices"].ShouldBe(LabelValue.Positive);
    }

    [Theory]
    [InlineData("en", "Known nodule in the right upper lobe is not well demonstrated on this study.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("es", "El nódulo conocido no se visualiza bien en este estudio.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("fr", "Le nodule connu est mal visible sur cet examen.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("da", "Den kendte nodulus ses ikke sikkert i dag.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("de", "Der bekannte Rundherd ist auf der heutigen Aufnahme nicht sicher abgrenzbar.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("ja", "既知の結節は今回明瞭に描出されない。", "Lung Lesion", LabelValue.Uncertain)]
    // The plain negations stay negations.
    [InlineData("en", "The previously noted small nodule is not well-seen on today's study.", "Lung Lesion", LabelValue.Uncertain)]
    [InlineData("en", "Additional fractures cannot entirely be excluded.", "Fracture", LabelValue.Uncertain)]
    [InlineData("en", "The fracture is not demonstrated.", "Fracture", LabelValue.Negative)]
    [InlineData("es", "No se visualiza neumotórax.", "Pneumothorax", LabelValue.Negative)]
    [InlineData("es", "No se evidencian derrames pleurales.", "Pleural Effusion", LabelValue.Negative)]
    [InlineData("es", "El neumotórax previo no se visualiza.", "Pneumothorax", LabelValue.Negative)]
    [InlineData("ja", "結節は描出されない。", "Lung Lesion", LabelValue.Negative)]
    public void A_finding_not_clearly_seen_is_uncertain(string language, string text, string label, LabelValue expected) =>
        Label(language, text, label).ShouldBe(expected);

    [Theory]
    // An ordinal's period ("9. costa", "10. Rippe") does not end the sentence, so what follows still reaches the finding.
    [InlineData("da", "Frakturen af 9. costa ses ikke sikkert.", "Fracture", LabelValue.Uncertain)]
    [InlineData("de", "Fraktur der 10. Rippe nicht sicher abgrenzbar.", "Fracture", LabelValue.Uncertain)]
    [InlineData("de", "Herz normal. 2. Kein Erguss.", "Pleural Effusion", LabelValue.Negative)]
    // German verb-final predicates stand far from their subject.
    [InlineData("de", "Der Pleuraerguss ist in der heutigen Aufnahme links basal nicht mehr nachweisbar.", "Pleural Effusion", LabelValue.Negative)]
    public void Ordinals_and_verb_final_predicates(string language, string text, string label, LabelValue expected) =>
        Label(language, text, label).ShouldBe(expected);

    [Theory]
    [InlineData("en", "Status post ORIF of the left proximal humerus.")]
    [InlineData("en", "Open reduction and internal fixation of the right clavicle.")]
    [InlineData("en", "Interval fixation of the right humeral fracture.")]
    [InlineData("en", "Stable left chest cardiac generator with leads in the right atrium and ventricle.")]
    [InlineData("de", "Schrittmacher-Aggregat links pektoral.")]
    [InlineData("es", "Endoprótesis de aorta abdominal.")]
    [InlineData("fr", "Endoprothèse aortique abdominale.")]
    [InlineData("da", "Osteosyntese i venstre humerus.")]
    [InlineData("ja", "左上腕骨に骨接合術後の変化あり。")]
    public void Orthopaedic_fixation_and_endoprostheses_are_devices(string language, string text) =>
        Label(language, text, "Support Devices").ShouldBe(LabelValue.Positive);

    [Theory]
    [InlineData("en", "Heart size normal. Mild thoracolumbar curvature.", LabelValue.NotMentioned)]
    [InlineData("en", "Sclerotic focus in a midthoracic vertebral body.", LabelValue.NotMentioned)]
    [InlineData("en", "Free intraperitoneal air under the right hemidiaphragm.", LabelValue.NotMentioned)]
    [InlineData("en", "Lungs clear. No free intraperitoneal air.", LabelValue.Positive)]
    [InlineData("en", "Lungs clear. Acromioclavicular arthritis.", LabelValue.NotMentioned)]
    [InlineData("es", "Curvatura dorsolumbar leve.", LabelValue.NotMentioned)]
    [InlineData("fr", "Pneumopéritoine sous la coupole droite.", LabelValue.NotMentioned)]
    [InlineData("da", "Fri luft under højre diafragmakuppel.", LabelValue.NotMentioned)]
    [InlineData("de", "Freie Luft unter der rechten Zwerchfellkuppel.", LabelValue.NotMentioned)]
    [InlineData("de", "Keine freie Luft.", LabelValue.Positive)]
    [InlineData("ja", "右横隔膜下に遊離ガスを認める。", LabelValue.NotMentioned)]
    public void Curvature_sclerosis_and_free_air_rule_out_no_finding(string language, string text, LabelValue expected) =>
        Label(language, text, "No Finding").ShouldBe(expected);

    [Theory]
    [InlineData("Udvidet mediastinum.", "da", "Enlarged Cardiomediastinum", LabelValue.Positive)]
    [InlineData("Verbreitertes Mediastinum.", "de", "Enlarged Cardiomediastinum", LabelValue.Positive)]
    [InlineData("Ensanchamiento mediastínico.", "es", "Enlarged Cardiomediastinum", LabelValue.Positive)]
    [InlineData("12345 678", "en", "No Finding", LabelValue.Positive)]
    public void An_undetermined_one_phrase_report_uses_the_rules_that_decide_most(string text, string language, string label, LabelValue expected)
    {
        var (outcome, used) = RulesLabeler.LabelUndetermined(text, CheXpert);
        used.ShouldBe(language);
        outcome.Labels[label].ShouldBe(expected);
    }

    [Fact]
    public void Every_language_has_a_cue_file_with_every_rule_class()
    {
        foreach (var language in RulesLabeler.SupportedLanguages.Where(l => l != "ja"))
        {
            var cues = CueFiles.Load(language);
            cues.Language.ShouldBe(language);
            foreach (var list in new[] { cues.PreNegationUncertaintyBefore, cues.PreNegationUncertaintyAfter, cues.NegationBefore, cues.NegationAfter, cues.UncertaintyBefore, cues.UncertaintyAfter, cues.OrListOpeners })
            {
                list.ShouldNotBeEmpty(language);
            }
            cues.NextSentenceHedges.ShouldNotBeEmpty(language);
            cues.ClauseHedges.ShouldNotBeEmpty(language);
            cues.Artifacts.ShouldNotBeEmpty(language);
            cues.AlwaysUncertainMentions.ShouldNotBeEmpty(language);
            cues.DescriptorHedges.ShouldNotBeEmpty(language);
            cues.BackwardTerminators.ShouldContain(".");
            cues.ForwardTerminators.ShouldContain(".");
            cues.And.ShouldNotBeNullOrEmpty(language);
            cues.Or.ShouldNotBeNullOrEmpty(language);
        }
        // Written as a clinician would type it, the cue is tokenized as report text: "n'est pas" -> n ' est pas.
        CueFiles.Load("fr").NegationAfter.ShouldContain(c => c.ToString() == "n ' est pas");
        var ja = CueFiles.LoadJapanese();
        ja.Negation.ShouldContain("なし");
        ja.PreNegationUncertainty.ShouldContain("否定できない");
        ja.Positive.ShouldContain("認め");
        ja.NextSentenceHedges.ShouldContain("可能性あり");
        ja.AlwaysUncertain.ShouldNotBeEmpty();
        ja.Artifacts.ShouldNotBeEmpty();
        ja.ClauseEnds.ShouldContain("が、");
    }

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
