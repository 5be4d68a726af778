using ReportGen.Core.RadGraph;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Pipelines.Tests.Structuring;

public class RuleBasedRadGraphExtractorTests
{
    private static readonly RuleBasedRadGraphExtractor Extractor = new();

    // "tokens:LABEL" for every entity, in order; relations as "from-type->to".
    private static (string Entities, string Relations) Describe(string text)
    {
        var doc = Extractor.Extract(text);
        var entities = string.Join(" ", doc.Entities.Values.Select(e => $"{e.Tokens}:{e.Label}"));
        var relations = string.Join(" ", doc.Entities.Values.SelectMany(e => e.Relations.Select(r => $"{e.Tokens}-{r.Type}->{doc.Entities[r.TargetId].Tokens}")));
        return (entities, relations);
    }

    [Fact]
    public void Follows_the_radgraph_package_example()
    {
        var (entities, relations) = Describe("No evidence of pneumothorax following chest tube removal.");
        entities.ShouldBe("pneumothorax:OBS-DA chest:ANAT-DP tube:OBS-DP");
        relations.ShouldBe("tube-located_at->chest");
    }

    [Fact]
    public void Negation_scope_covers_coordinated_observations_and_their_modifiers()
    {
        var (entities, relations) = Describe("There is no focal consolidation, pleural effusion or pneumothorax.");
        entities.ShouldBe("focal:OBS-DA consolidation:OBS-DA pleural:ANAT-DP effusion:OBS-DA pneumothorax:OBS-DA");
        relations.ShouldBe("focal-modify->consolidation effusion-located_at->pleural");
    }

    [Fact]
    public void Negation_ends_at_the_sentence_and_at_but()
    {
        Describe("No effusion. Mild cardiomegaly.").Entities.ShouldBe("effusion:OBS-DA Mild:OBS-DP cardiomegaly:OBS-DP");
        Describe("No effusion but there is atelectasis.").Entities.ShouldBe("effusion:OBS-DA atelectasis:OBS-DP");
    }

    [Fact]
    public void Post_negation_and_post_uncertainty_reach_back_to_the_clause_start()
    {
        Describe("Pneumothorax is not seen.").Entities.ShouldBe("Pneumothorax:OBS-DA");
        Describe("A small left effusion cannot be excluded.").Entities.ShouldBe("small:OBS-U left:ANAT-DP effusion:OBS-U");
    }

    [Fact]
    public void Uncertainty_cues_and_versus_make_observations_uncertain()
    {
        var (entities, _) = Describe("Cardiomegaly with mild bibasilar infiltrates versus atelectasis.");
        entities.ShouldBe("Cardiomegaly:OBS-DP mild:OBS-U bibasilar:ANAT-DP infiltrates:OBS-U atelectasis:OBS-U");
        Describe("Possible right lower lobe pneumonia.").Entities.ShouldBe("right:ANAT-DP lower:ANAT-DP lobe:ANAT-DP pneumonia:OBS-U");
    }

    [Fact]
    public void Anatomy_phrases_and_locations_attach()
    {
        var (_, relations) = Describe("Opacity in the left lower lobe. The lungs are clear.");
        relations.ShouldBe("Opacity-located_at->lobe left-modify->lobe lower-modify->lobe clear-located_at->lungs");
        Describe("Heart size is normal.").Relations.ShouldBe("size-modify->Heart normal-located_at->Heart");
        Describe("Lungs are hyperlucent and hyperexpanded.").Relations.ShouldBe("hyperlucent-located_at->Lungs hyperexpanded-located_at->Lungs");
    }

    [Fact]
    public void Generic_anatomy_nouns_modify_the_organ_before_them_where_findings_are_located()
    {
        // RadGraph annotators write "Pulmonary vasculature is not engorged" as vasculature modify Pulmonary, engorged
        // located_at Pulmonary (as "Heart size", "hilar contours"); the lexicon lists such nouns under anatomy_attributes.
        Describe("Pulmonary vasculature is normal.").Relations.ShouldBe("vasculature-modify->Pulmonary normal-located_at->Pulmonary");
        Describe("Visualized osseous structures appear intact.").Relations.ShouldBe("structures-modify->osseous intact-located_at->osseous");
        Describe("Normal pulmonary vascularity.").Relations.ShouldBe("Normal-located_at->pulmonary vascularity-modify->pulmonary");
        Describe("The cardiomediastinal silhouette and pulmonary vasculature are within normal limits.").Relations
            .ShouldBe("silhouette-modify->cardiomediastinal vasculature-modify->pulmonary normal-located_at->pulmonary normal-located_at->cardiomediastinal");
    }

    [Fact]
    public void A_part_named_after_its_organ_modifies_the_organ_and_alone_is_the_place()
    {
        // "Apart from minimal atelectasis in the lung bases" is annotated bases modify lung, atelectasis located_at lung.
        Describe("Minimal atelectasis in the lung bases.").Relations.ShouldBe("Minimal-modify->atelectasis atelectasis-located_at->lung bases-modify->lung");
        Describe("Granuloma in the left lung base.").Relations.ShouldBe("Granuloma-located_at->lung left-modify->lung base-modify->lung");
        Describe("Opacity at the right base.").Relations.ShouldBe("Opacity-located_at->base right-modify->base");
    }

    [Fact]
    public void Grossly_modifies_the_finding_it_qualifies()
    {
        // RadGraph annotators: "grossly unremarkable" = grossly OBS-DP modify unremarkable.
        var (entities, relations) = Describe("The lungs are grossly clear.");
        entities.ShouldBe("lungs:ANAT-DP grossly:OBS-DP clear:OBS-DP");
        relations.ShouldBe("grossly-modify->clear clear-located_at->lungs");
        Describe("Osseous structures are grossly intact.").Relations.ShouldBe("structures-modify->Osseous grossly-modify->intact intact-located_at->Osseous");
        // Nothing to qualify right after it: no entity, rather than a modifier of the denied finding.
        Describe("Heart size is grossly within normal limits.").Entities.ShouldNotContain("grossly");
    }

    [Fact]
    public void Clear_of_is_a_finding_of_the_subject_and_denies_what_follows()
    {
        var (entities, relations) = Describe("The lungs are grossly clear of focal airspace disease.");
        entities.ShouldBe("lungs:ANAT-DP grossly:OBS-DP clear:OBS-DP focal:OBS-DA airspace:ANAT-DP disease:OBS-DA");
        relations.ShouldContain("grossly-modify->clear clear-located_at->lungs");
        relations.ShouldContain("disease-located_at->airspace");
    }

    [Fact]
    public void Every_finding_of_a_list_before_a_suggestive_cue_suggests_what_follows()
    {
        var relations = Describe("Hyperexpanded lungs with flattened diaphragms and increased retrosternal clear space suggestive of emphysema.").Relations;
        relations.ShouldContain("Hyperexpanded-suggestive_of->emphysema");
        relations.ShouldContain("flattened-suggestive_of->emphysema");
        relations.ShouldContain("increased-suggestive_of->emphysema");
        // Alternatives before the cue are no list of evidence.
        Describe("Atelectasis or scarring, consistent with prior infection.").Relations.ShouldNotContain("Atelectasis-suggestive_of->infection");
    }

    [Fact]
    public void Suggestive_cues_link_two_observations()
    {
        var (entities, relations) = Describe("Patchy opacity concerning for pneumonia.");
        entities.ShouldBe("Patchy:OBS-DP opacity:OBS-DP pneumonia:OBS-U");
        relations.ShouldBe("Patchy-modify->opacity opacity-suggestive_of->pneumonia");
    }

    [Fact]
    public void Measurements_and_predicate_modifiers_modify_their_observation()
    {
        Describe("A 2.5 cm nodule is seen.").Relations.ShouldBe("2 . 5 cm-modify->nodule");
        Describe("The effusion is small.").Relations.ShouldBe("small-modify->effusion");
        Describe("Heart size is stable.").Relations.ShouldBe("size-modify->Heart stable-located_at->Heart");
    }

    // One test per rule class added with the IU X-ray tune split (eval/structuring.md).

    [Fact]
    public void Lexicon_knows_report_vocabulary_and_splits_what_radgraph_splits()
    {
        Describe("There is stable mild tenting of the medial aspect of the right diaphragm.").Entities
            .ShouldBe("stable:OBS-DP mild:OBS-DP tenting:OBS-DP medial:ANAT-DP aspect:ANAT-DP right:ANAT-DP diaphragm:ANAT-DP");
        // "upper abdomen" and "granulomatous disease" are two entities each, the first modifying the second.
        Describe("Surgical clips in the upper abdomen.").Relations.ShouldBe("Surgical-modify->clips clips-located_at->abdomen upper-modify->abdomen");
        Describe("Prior granulomatous disease.").Relations.ShouldBe("granulomatous-modify->disease");
    }

    [Fact]
    public void Word_forms_the_lists_miss_are_read_from_their_shape()
    {
        Describe("Fracture of the right 7th rib.").Relations.ShouldBe("Fracture-located_at->rib right-modify->rib 7th-modify->rib");
        Describe("Findings may represent osteochondromatosis.").Entities.ShouldBe("Findings:OBS-DP osteochondromatosis:OBS-U");
        Describe("Chronic-appearing opacities are unchanged.").Relations.ShouldBe("Chronic-appearing-modify->opacities unchanged-modify->opacities");
        Describe("No diagnosis.").Entities.ShouldBeEmpty();
        Describe("Small right juxtahilar opacity.").Relations.ShouldBe("Small-modify->opacity right-modify->juxtahilar opacity-located_at->juxtahilar");
        Describe("There is a 7mm uncalcified nodule.").Relations.ShouldBe("7mm-modify->nodule uncalcified-modify->nodule");
    }

    [Fact]
    public void A_semicolon_on_a_word_ends_the_clause()
    {
        // Without it "silhouette;" is unknown and "versus" reaches back to "enlarged".
        Describe("Mildly enlarged cardiac silhouette; cardiomegaly versus pericardial effusion.").Entities
            .ShouldBe("Mildly:OBS-DP enlarged:OBS-DP cardiac:ANAT-DP silhouette;:ANAT-DP cardiomegaly:OBS-U pericardial:ANAT-DP effusion:OBS-U");
    }

    [Fact]
    public void Hedges_and_resolution_cues_set_the_label()
    {
        var (entities, relations) = Describe("Streaky opacities are favored to represent scarring.");
        entities.ShouldBe("Streaky:OBS-DP opacities:OBS-DP scarring:OBS-U");
        relations.ShouldBe("Streaky-modify->opacities opacities-suggestive_of->scarring");
        Describe("Left basilar airspace disease has cleared.").Entities.ShouldBe("Left:ANAT-DP basilar:ANAT-DP airspace:ANAT-DP disease:OBS-DA");
        Describe("The nodule in the right lung is not well-seen today.").Entities.ShouldBe("nodule:OBS-DA right:ANAT-DP lung:ANAT-DP");
        Describe("Endotracheal tube has been removed.").Entities.ShouldBe("Endotracheal:OBS-DA tube:OBS-DA");
        // "suspicious" before a noun is a hedge and a modifier; "suspicious for" only a hedge.
        var (denied, deniedRelations) = Describe("No focal consolidation, suspicious pulmonary opacity or pneumothorax.");
        denied.ShouldBe("focal:OBS-DA consolidation:OBS-DA suspicious:OBS-DA pulmonary:ANAT-DP opacity:OBS-DA pneumothorax:OBS-DA");
        deniedRelations.ShouldContain("suspicious-modify->opacity");
        Describe("Suspicious nodule in the left lung.").Entities.ShouldBe("Suspicious:OBS-U nodule:OBS-U left:ANAT-DP lung:ANAT-DP");
        Describe("Opacity suspicious for pneumonia.").Entities.ShouldBe("Opacity:OBS-DP pneumonia:OBS-U");
    }

    [Fact]
    public void Places_after_a_verb_or_the_examination_name_and_both_places_of_a_finding()
    {
        Describe("Surgical clips are seen in the upper abdomen.").Relations.ShouldContain("clips-located_at->abdomen");
        Describe("Unremarkable examination of the chest.").Relations.ShouldBe("Unremarkable-located_at->chest");
        Describe("Stable appearance of the chest.").Relations.ShouldBe("Stable-located_at->chest");
        Describe("Lung nodule in the right upper lobe.").Relations.ShouldBe("nodule-located_at->Lung nodule-located_at->lobe right-modify->lobe upper-modify->lobe");
        Describe("Normal size and configuration of the cardiac silhouette.").Relations
            .ShouldBe("Normal-located_at->cardiac size-modify->cardiac configuration-modify->cardiac silhouette-modify->cardiac");
    }

    [Fact]
    public void Coordinated_anatomy_shares_findings_and_attributes()
    {
        Describe("Heart and mediastinum normal.").Relations.ShouldBe("normal-located_at->mediastinum normal-located_at->Heart");
        Describe("Normal heart size and mediastinal contours.").Relations
            .ShouldBe("Normal-located_at->heart Normal-located_at->mediastinal size-modify->heart contours-modify->mediastinal");
        Describe("Cardiac and mediastinal contours are within normal limits.").Relations
            .ShouldBe("contours-modify->mediastinal contours-modify->Cardiac normal-located_at->mediastinal normal-located_at->Cardiac");
        Describe("The heart and mediastinal contours are unchanged.").Relations.ShouldContain("unchanged-located_at->heart");
        // "or" offers alternatives, it does not put one finding at both.
        Describe("This may represent the ascending aorta or mediastinal lymphadenopathy.").Relations.ShouldNotContain("lymphadenopathy-located_at->aorta");
    }

    [Fact]
    public void Laterality_after_the_finding_describes_the_subject()
    {
        Describe("Lungs are clear bilaterally.").Relations.ShouldBe("clear-located_at->Lungs bilaterally-modify->Lungs");
        Describe("Scattered calcified granulomas bilaterally.").Relations.ShouldContain("granulomas-located_at->bilaterally");
    }

    [Fact]
    public void Adjective_lists_second_predicates_and_alternatives_share_a_place()
    {
        Describe("A tortuous, calcified thoracic aorta is present.").Relations.ShouldBe("tortuous-located_at->aorta calcified-located_at->aorta thoracic-modify->aorta");
        Describe("The cardiomediastinal silhouette is normal, unchanged from prior.").Relations.ShouldContain("unchanged-located_at->cardiomediastinal");
        Describe("Mild bibasilar infiltrates versus atelectasis.").Relations.ShouldContain("atelectasis-located_at->bibasilar");
        Describe("Tortuosity and atherosclerosis of the thoracic aorta.").Relations
            .ShouldBe("Tortuosity-located_at->aorta atherosclerosis-located_at->aorta thoracic-modify->aorta");
        Describe("No pneumothorax or effusion in the left base.").Relations.ShouldNotContain("pneumothorax-located_at->base");
        var (entities, relations) = Describe("No acute, displaced rib fractures.");
        entities.ShouldBe("acute:OBS-DA displaced:OBS-DA rib:ANAT-DP fractures:OBS-DA");
        relations.ShouldBe("acute-modify->fractures displaced-modify->fractures fractures-located_at->rib");
    }

    [Fact]
    public void A_suggestive_cue_reaches_every_alternative()
    {
        Describe("Opacities, possibly due to airspace disease or atelectasis.").Relations
            .ShouldBe("Opacities-suggestive_of->disease Opacities-suggestive_of->atelectasis disease-located_at->airspace");
    }

    [Fact]
    public void Predicates_of_a_finding_or_an_organ_attach_to_it()
    {
        Describe("The aorta is atherosclerotic.").Relations.ShouldBe("atherosclerotic-located_at->aorta");
        Describe("The left hemidiaphragm is mildly elevated.").Relations.ShouldBe("left-modify->hemidiaphragm mildly-modify->elevated elevated-located_at->hemidiaphragm");
        Describe("The effusion is small.").Relations.ShouldBe("small-modify->effusion");
        Describe("Atherosclerotic calcification of the aorta.").Relations.ShouldBe("Atherosclerotic-modify->calcification calcification-located_at->aorta");
    }

    [Fact]
    public void Indices_refer_to_radgraph_words_of_the_whole_text_and_skip_indication()
    {
        const string report = "INDICATION: Cough, rule out pneumonia.\nFINDINGS: No pneumothorax.";
        var doc = Extractor.Extract(report);
        var words = doc.Text.Split(' ');
        doc.Entities.Count.ShouldBe(1);
        var e = doc.Entities["1"];
        e.Label.ShouldBe(RadGraphLabels.ObservationDefinitelyAbsent);
        words[e.StartIx].ShouldBe("pneumothorax");
        doc.Text.ShouldStartWith("INDICATION : Cough , rule out pneumonia .");
    }

    [Fact]
    public void Every_entity_and_relation_is_well_formed_over_the_iu_xray_findings()
    {
        var path = ReportGen.TestSupport.SharedData.Data("iu-xray", "train.jsonl");
        var checkedReports = 0;
        foreach (var line in File.ReadLines(path).Take(300))
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            var text = json.RootElement.GetProperty("findings").GetString()!;
            var doc = Extractor.Extract(text);
            var words = doc.Text.Split(' ');
            var ids = doc.Entities.Keys.ToList();
            ids.ShouldBe(Enumerable.Range(1, ids.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList());
            foreach (var e in doc.Entities.Values)
            {
                RadGraphLabels.All.ShouldContain(e.Label);
                string.Join(' ', words[e.StartIx..(e.EndIx + 1)]).ShouldBe(e.Tokens);
                foreach (var r in e.Relations)
                {
                    RadGraphRelations.All.ShouldContain(r.Type);
                    doc.Entities.ContainsKey(r.TargetId).ShouldBeTrue();
                }
            }
            checkedReports++;
        }
        checkedReports.ShouldBe(300);
    }
}
