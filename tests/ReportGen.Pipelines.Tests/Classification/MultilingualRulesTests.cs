using ReportGen.Core.Text;
using ReportGen.Core.Labels;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Classification.Rules;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Classification;

[Fast]
public sealed class MultilingualRulesTests
{
    private static readonly TaxonomyLibrary Library = TaxonomyLibrary.Load(RepoFiles.Path("prompts", "taxonomies"));

    [Theory]
    // Spanish
    [InlineData("es", "No se observa derrame pleural.", "Pleural Effusion", LabelValue.Negative)]
    [InlineData("es", "Derrame pleural izquierdo.", "Pleural Effusion", LabelValue.Positive)]
    [InlineData("es", "Sin neumotórax.", "Pneumothorax", LabelValue.Negative)]
    [InlineData("es", "Opacidad basal derecha sugestiva de neumonía.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("es", "Opacidad basal derecha sugestiva de neumonía.", "Lung Opacity", LabelValue.Positive)]
    [InlineData("es", "Tamaño cardiaco normal.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("es", "Cardiomegalia leve.", "Cardiomegaly", LabelValue.Positive)]
    [InlineData("es", "No se puede descartar neumonía.", "Pneumonia", LabelValue.Uncertain)]
    // French
    [InlineData("fr", "Pas d'épanchement pleural.", "Pleural Effusion", LabelValue.Negative)]
    [InlineData("fr", "Pas d’épanchement pleural.", "Pleural Effusion", LabelValue.Negative)]
    [InlineData("fr", "Absence de pneumothorax.", "Pneumothorax", LabelValue.Negative)]
    [InlineData("fr", "Opacité évocatrice de pneumopathie.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("fr", "Cardiomégalie modérée.", "Cardiomegaly", LabelValue.Positive)]
    [InlineData("fr", "Silhouette cardiaque normale.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("fr", "Atélectasie probable du lobe inférieur gauche.", "Atelectasis", LabelValue.Uncertain)]
    // Danish
    [InlineData("da", "Ingen pneumothorax.", "Pneumothorax", LabelValue.Negative)]
    [InlineData("da", "Der ses ikke pleuraeksudat.", "Pleural Effusion", LabelValue.Negative)]
    [InlineData("da", "Mulig pneumoni i højre underlap.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("da", "Hjertet er normalt af størrelse.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("da", "Let kardiomegali.", "Cardiomegaly", LabelValue.Positive)]
    // German
    [InlineData("de", "Kein Pneumothorax.", "Pneumothorax", LabelValue.Negative)]
    [InlineData("de", "Kein Nachweis eines Pleuraergusses.", "Pleural Effusion", LabelValue.Negative)]
    [InlineData("de", "V.a. Pneumonie rechts basal.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("de", "Pleuraerguss links.", "Pleural Effusion", LabelValue.Positive)]
    [InlineData("de", "Herzgröße normal.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("de", "Pneumonie nicht sicher auszuschließen.", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("de", "Lungenkerne ohne Infiltrat.", "Lung Opacity", LabelValue.Negative)]
    // Japanese
    [InlineData("ja", "胸水なし。", "Pleural Effusion", LabelValue.Negative)]
    [InlineData("ja", "左胸水を認める。", "Pleural Effusion", LabelValue.Positive)]
    [InlineData("ja", "気胸は認めない。", "Pneumothorax", LabelValue.Negative)]
    [InlineData("ja", "右下肺野に肺炎の疑い。", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("ja", "肺炎の可能性は否定できない。", "Pneumonia", LabelValue.Uncertain)]
    [InlineData("ja", "心拡大を認めるが、胸水は認められない。", "Cardiomegaly", LabelValue.Positive)]
    [InlineData("ja", "心拡大を認めるが、胸水は認められない。", "Pleural Effusion", LabelValue.Negative)]
    [InlineData("ja", "胸水、気胸は認めない。", "Pleural Effusion", LabelValue.Negative)]
    [InlineData("ja", "肺炎を示唆する限局性の浸潤影は認めない。", "Pneumonia", LabelValue.Negative)]
    [InlineData("ja", "右気胸に有意な変化はない。", "Pneumothorax", LabelValue.Positive)]
    [InlineData("ja", "右少量胸水または胸膜肥厚。", "Pleural Other", LabelValue.Uncertain)]
    [InlineData("ja", "肺水腫は認めない。", "Edema", LabelValue.Negative)]
    [InlineData("es", "El tamaño cardiaco y la vascularización pulmonar son normales.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("es", "Sin cambios significativos del neumotórax.", "Pneumothorax", LabelValue.Positive)]
    [InlineData("es", "El mediastino está estable.", "Enlarged Cardiomediastinum", LabelValue.NotMentioned)]
    [InlineData("da", "Intet lungeødem.", "Edema", LabelValue.Negative)]
    [InlineData("de", "Keine pneumonischen Infiltrate.", "Pneumonia", LabelValue.Negative)]
    [InlineData("fr", "Index cardio-thoracique normal.", "Cardiomegaly", LabelValue.Negative)]
    [InlineData("fr", "Silhouette cardio-médiastinale sans anomalie.", "Enlarged Cardiomediastinum", LabelValue.Negative)]
    [InlineData("es", "Infiltrado neumónico en la base derecha.", "Pneumonia", LabelValue.Positive)]
    [InlineData("ja", "心拡大や胸水は見られません。", "Pleural Effusion", LabelValue.Negative)]
    [InlineData("da", "Ernæringssonden ligger fortsat.", "Support Devices", LabelValue.Positive)]
    [InlineData("da", "Lungetuberkulose.", "Support Devices", LabelValue.NotMentioned)]
    [InlineData("da", "Forstørrede lymfeknuder.", "Lung Lesion", LabelValue.NotMentioned)]
    [InlineData("de", "Herzgröße an der oberen Normgrenze.", "Cardiomegaly", LabelValue.Negative)]
    public void Labels_per_language(string language, string text, string label, LabelValue expected) =>
        RulesLabeler.Label(text, Library.Get("chexpert14"), language).Labels[label].ShouldBe(expected);

    [Theory]
    [InlineData("en", "No pleural effusion. Mild cardiomegaly.")]
    [InlineData("es", "No se observa derrame pleural. Cardiomegalia leve.")]
    [InlineData("fr", "Pas d'épanchement pleural. Cardiomégalie modérée.")]
    [InlineData("da", "Ingen pleuraeksudat. Let kardiomegali.")]
    [InlineData("de", "Kein Pleuraerguss. Leichte Kardiomegalie.")]
    [InlineData("ja", "胸水なし。軽度の心拡大あり。")]
    public async Task Service_detects_language_and_labels(string language, string text)
    {
        var service = new ClassificationService(Library);
        var result = await service.ClassifyAsync(new ClassificationRequest { Text = text, TaxonomyId = "chexpert14" }, TestContext.Current.CancellationToken);
        result.Language.ShouldBe(language);
        result.Engine.ShouldBe("rules");
        result.Warnings.ShouldBeEmpty();
        result.Labels["Pleural Effusion"].ShouldBe(LabelValue.Negative);
        result.Labels["Cardiomegaly"].ShouldBe(LabelValue.Positive);
        result.Labels["No Finding"].ShouldBe(LabelValue.NotMentioned);
        result.Labels.Keys.ShouldBe(Library.Get("chexpert14").LabelNames);
    }

    [Fact]
    public async Task Unsupported_language_falls_back_to_english_with_a_warning()
    {
        var service = new ClassificationService(Library);
        var result = await service.ClassifyAsync(new ClassificationRequest { Text = "Non si osserva versamento pleurico. Il cuore è nei limiti della norma.", Labels = ["Effusion"] }, TestContext.Current.CancellationToken);
        result.Language.ShouldBe("it");
        result.Warnings.ShouldContain(w => w.StartsWith("language_unsupported"));
        var russian = await service.ClassifyAsync(new ClassificationRequest { Text = "Плевральный выпот не выявлен.", TaxonomyId = "chexpert14" }, TestContext.Current.CancellationToken);
        russian.Language.ShouldBe("ru");
        russian.Warnings.ShouldNotBeEmpty();
        var digits = await service.ClassifyAsync(new ClassificationRequest { Text = "12345 678", TaxonomyId = "chexpert14" }, TestContext.Current.CancellationToken);
        digits.Language.ShouldBe("und");
        digits.Warnings.ShouldContain(w => w.StartsWith("language_undetermined"));
    }

    [Fact]
    public async Task An_undetermined_one_phrase_report_names_the_rules_it_was_labelled_with()
    {
        var service = new ClassificationService(Library);
        var result = await service.ClassifyAsync(new ClassificationRequest { Text = "Udvidet mediastinum.", TaxonomyId = "chexpert14" }, TestContext.Current.CancellationToken);
        result.Language.ShouldBe("und");
        result.Labels["Enlarged Cardiomediastinum"].ShouldBe(LabelValue.Positive);
        result.Warnings.ShouldContain("language_undetermined: 'da' rules used (they recognise most of the text)");
        var digits = await service.ClassifyAsync(new ClassificationRequest { Text = "12345 678", TaxonomyId = "chexpert14" }, TestContext.Current.CancellationToken);
        digits.Warnings.ShouldContain("language_undetermined: English rules used");
    }

    [Fact]
    public async Task Ad_hoc_labels_match_their_text()
    {
        var service = new ClassificationService(Library);
        var result = await service.ClassifyAsync(new ClassificationRequest { Text = "Small left effusion. No nodule.", Labels = ["Effusion", "Nodule", "Fracture"] }, TestContext.Current.CancellationToken);
        result.Labels["Effusion"].ShouldBe(LabelValue.Positive);
        result.Labels["Nodule"].ShouldBe(LabelValue.Negative);
        result.Labels["Fracture"].ShouldBe(LabelValue.NotMentioned);
    }

    [Theory]
    [InlineData("Sin derrame pleural. Cardiomegalia leve. No se puede descartar neumonía.", "es")]
    [InlineData("Pas d'épanchement pleural. Cardiomégalie modérée. Opacité évocatrice de pneumopathie.", "fr")]
    [InlineData("Kein Pleuraerguss. Kardiomegalie. Pneumonie nicht auszuschließen.", "de")]
    [InlineData("Ingen pleuraeksudat. Kardiomegali. Mulig pneumoni.", "da")]
    [InlineData("胸水なし。心拡大あり。肺炎の可能性あり。", "ja")]
    [InlineData("No pleural effusion. Mild cardiomegaly. Cannot exclude pneumonia.", "en")]
    public async Task Ad_hoc_labels_that_a_taxonomy_defines_are_read_as_it_reads_them_in_every_language(string text, string language)
    {
        var service = new ClassificationService(Library);
        var whole = await service.ClassifyAsync(new ClassificationRequest { Text = text, TaxonomyId = "chexpert14" }, TestContext.Current.CancellationToken);
        // The asked spelling and order come back; the values are chexpert14's, "No Finding" included (it needs every label).
        string[] asked = ["pneumonia", "Pleural effusion", "CARDIOMEGALY", "No Finding"];
        var result = await service.ClassifyAsync(new ClassificationRequest { Text = text, Labels = asked }, TestContext.Current.CancellationToken);
        result.Language.ShouldBe(language);
        result.Labels.Keys.ShouldBe(asked);
        result.Labels["CARDIOMEGALY"].ShouldBe(LabelValue.Positive);
        result.Labels["Pleural effusion"].ShouldBe(LabelValue.Negative);
        foreach (var (name, value) in result.Labels) value.ShouldBe(whole.Labels[Library.Get("chexpert14").Find(name)!.Name], name);
        result.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public async Task Ad_hoc_labels_of_two_taxonomies_and_unknown_ones_are_each_read_and_a_name_only_label_is_named_in_a_warning()
    {
        var service = new ClassificationService(Library);
        // "Hiatal hernia" is a CT-RATE label, "Cardiomegaly" a CheXpert one (CT-RATE has it too), "Port-a-cath" neither's.
        var result = await service.ClassifyAsync(new ClassificationRequest
        {
            Text = "Cardiomegalia leve. Pequeña hernia de hiato. Port-a-cath en vena cava superior. Sin derrame pleural.",
            Labels = ["Cardiomegaly", "Hiatal hernia", "Port-a-cath", "Pleural Effusion"],
        }, TestContext.Current.CancellationToken);
        result.Labels["Cardiomegaly"].ShouldBe(LabelValue.Positive);
        result.Labels["Hiatal hernia"].ShouldBe(LabelValue.Positive);
        result.Labels["Pleural Effusion"].ShouldBe(LabelValue.Negative);
        result.Labels["Port-a-cath"].ShouldBe(LabelValue.Positive); // its own name is in the text
        // Found or not, a label known by its name only is named, so a not_mentioned cannot pass for "the report says nothing".
        var warning = result.Warnings.ShouldHaveSingleItem();
        warning.ShouldStartWith("rules_name_only: no 'es' phrases for 'Port-a-cath'");
        var missed = await service.ClassifyAsync(new ClassificationRequest { Text = "Derrame pericárdico moderado.", Labels = ["Pericardial effusion", "Pericarditis"] },
            TestContext.Current.CancellationToken);
        missed.Labels["Pericardial effusion"].ShouldBe(LabelValue.Positive);
        missed.Labels["Pericarditis"].ShouldBe(LabelValue.NotMentioned);
        missed.Warnings.ShouldHaveSingleItem().ShouldContain("'Pericarditis'");
        // English text: a label's own name is a fair phrase, no warning.
        (await service.ClassifyAsync(new ClassificationRequest { Text = "Port-a-cath in the SVC.", Labels = ["Port-a-cath"] }, TestContext.Current.CancellationToken))
            .Warnings.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_inline_taxonomy_without_phrases_in_the_reports_language_says_which_labels_it_could_only_look_for_by_name()
    {
        var service = new ClassificationService(Library);
        var inline = new Taxonomy("mine", "Mine", "", [
            new TaxonomyLabel("Pneumothorax", "air in the pleural space", new Dictionary<string, IReadOnlyList<string>> { ["en"] = ["pneumothorax"], ["de"] = ["pneumothorax"] }),
            new TaxonomyLabel("Rib fracture", "a broken rib", new Dictionary<string, IReadOnlyList<string>> { ["en"] = ["rib fracture"] }),
        ]);
        var german = await service.ClassifyAsync(new ClassificationRequest { Text = "Kein Pneumothorax. Rippenfraktur rechts.", Taxonomy = inline }, TestContext.Current.CancellationToken);
        german.Language.ShouldBe("de");
        german.Labels["Pneumothorax"].ShouldBe(LabelValue.Negative);
        german.Labels["Rib fracture"].ShouldBe(LabelValue.NotMentioned);
        german.Warnings.ShouldHaveSingleItem().ShouldStartWith("rules_name_only: no 'de' phrases for 'Rib fracture'");
        (await service.ClassifyAsync(new ClassificationRequest { Text = "No pneumothorax. Right rib fracture.", Taxonomy = inline }, TestContext.Current.CancellationToken))
            .Warnings.ShouldBeEmpty();
    }

    [Fact]
    public async Task Ctrate_labels_a_ct_report()
    {
        var service = new ClassificationService(Library);
        var result = await service.ClassifyAsync(new ClassificationRequest
        {
            Text = "Centrilobular emphysema in both upper lobes. Coronary artery calcification. No pleural or pericardial effusion. No lymphadenopathy. Possible mild bronchiectasis.",
            TaxonomyId = "ctrate18",
        }, TestContext.Current.CancellationToken);
        result.Labels["Emphysema"].ShouldBe(LabelValue.Positive);
        result.Labels["Coronary artery wall calcification"].ShouldBe(LabelValue.Positive);
        result.Labels["Pericardial effusion"].ShouldBe(LabelValue.Negative);
        result.Labels["Lymphadenopathy"].ShouldBe(LabelValue.Negative);
        result.Labels["Bronchiectasis"].ShouldBe(LabelValue.Uncertain);
        result.Labels["Hiatal hernia"].ShouldBe(LabelValue.NotMentioned);
    }

    [Theory]
    [InlineData("", ReportTextProblem.Empty)]
    [InlineData("   \n ", ReportTextProblem.Empty)]
    [InlineData("abc\0def", ReportTextProblem.Binary)]
    public async Task Bad_text_gets_the_shared_report_text_error(string text, ReportTextProblem problem)
    {
        var service = new ClassificationService(Library);
        var ex = await Should.ThrowAsync<ReportTextException>(() => service.ClassifyAsync(new ClassificationRequest { Text = text, TaxonomyId = "chexpert14" }, TestContext.Current.CancellationToken));
        ex.Problem.ShouldBe(problem);
        ex.Field.ShouldBe("text");
    }

    [Fact]
    public async Task One_megabyte_is_refused_and_errors_never_quote_the_report()
    {
        var service = new ClassificationService(Library);
        var big = string.Concat(Enumerable.Repeat("Patient SECRETNAME has no effusion. ", 30_000));
        var ex = await Should.ThrowAsync<ReportTextException>(() => service.ClassifyAsync(new ClassificationRequest { Text = big, TaxonomyId = "chexpert14" }, TestContext.Current.CancellationToken));
        ex.Problem.ShouldBe(ReportTextProblem.TooLarge);
        ex.Message.ShouldNotContain("SECRETNAME");
        var binary = new string(Enumerable.Range(0, 400).Select(i => (char)(i % 32 == 10 ? 65 : i % 32)).ToArray()).Replace("\0", "\u0001");
        (await Should.ThrowAsync<ReportTextException>(() => service.ClassifyAsync(new ClassificationRequest { Text = binary, TaxonomyId = "chexpert14" }, TestContext.Current.CancellationToken))).Problem.ShouldBe(ReportTextProblem.Binary);
        (await Should.ThrowAsync<ClassificationException>(() => service.ClassifyAsync(new ClassificationRequest { Text = "x", TaxonomyId = "nope" }, TestContext.Current.CancellationToken))).Code.ShouldBe(ClassificationErrorCode.UnknownTaxonomy);
        (await Should.ThrowAsync<ClassificationException>(() => service.ClassifyAsync(new ClassificationRequest { Text = "x", Labels = ["A", "a"] }, TestContext.Current.CancellationToken))).Code.ShouldBe(ClassificationErrorCode.DuplicateLabels);
        (await Should.ThrowAsync<ClassificationException>(() => service.ClassifyAsync(new ClassificationRequest { Text = "x", Labels = [] }, TestContext.Current.CancellationToken))).Code.ShouldBe(ClassificationErrorCode.EmptyLabels);
    }

    [Theory]
    [InlineData("The heart size is normal. There is no pleural effusion or pneumothorax.", "en")]
    [InlineData("El tamaño del corazón es normal. No hay derrame pleural ni neumotórax.", "es")]
    [InlineData("La taille du cœur est normale. Il n'y a pas d'épanchement pleural.", "fr")]
    [InlineData("Hjertet er normalt af størrelse. Der ses ingen pleuraeksudat.", "da")]
    [InlineData("Das Herz ist normal groß. Kein Pleuraerguss, kein Pneumothorax.", "de")]
    [InlineData("心拡大なし。胸水は認めない。", "ja")]
    [InlineData("心脏大小正常，未见胸腔积液。", "zh")]
    // Two-word findings: "pleural" is Spanish and French too, so it no longer tips a Spanish phrase to English.
    [InlineData("Derrame pleural.", "es")]
    [InlineData("Épanchement pleural.", "fr")]
    [InlineData("Pleural effusion.", "en")]
    public void Detects_languages(string text, string code)
    {
        var d = LanguageDetector.Detect(text);
        d.Code.ShouldBe(code);
        d.Confidence.ShouldBeGreaterThan(0.3);
    }

    [Fact]
    public void A_phrase_of_words_several_languages_share_is_read_as_english_with_low_confidence() =>
        LanguageDetector.Detect("Pleural thickening.").ShouldSatisfyAllConditions(
            d => d.Code.ShouldBe("en"),
            d => d.Confidence.ShouldBeLessThan(0.3));
}
