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
