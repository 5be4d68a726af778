using ReportGen.Core.RadGraph;
using ReportGen.Eval.Metrics.Clinical;
using ReportGen.TestSupport;

namespace ReportGen.Eval.Tests.Metrics;

// Reference: the RadGraph paper's evaluation (Jain et al. 2021; PhysioNet RadGraph 1.0.0: micro F1 "where entity
// boundaries, entity types, and relation type must be correct"). Expected values derived by hand below.
[Fast]
public sealed class RadGraphSpanF1Tests
{
    // "Small left pleural effusion . left lung clear" (words 0..7)
    private static readonly RadGraphDocument Reference = Doc(
        ("1", "Small", 0, "OBS-DP", [new(RadGraphRelations.Modify, "4")]),
        ("2", "left", 1, "ANAT-DP", [new(RadGraphRelations.Modify, "3")]),
        ("3", "pleural", 2, "ANAT-DP", []),
        ("4", "effusion", 3, "OBS-DP", [new(RadGraphRelations.LocatedAt, "3")]),
        ("5", "left", 5, "ANAT-DP", [new(RadGraphRelations.Modify, "6")]),
        ("6", "lung", 6, "ANAT-DP", []),
        ("7", "clear", 7, "OBS-DP", [new(RadGraphRelations.LocatedAt, "6")]));

    // The same, without the second "left".
    private static readonly RadGraphDocument MissesSecondLeft = new()
    {
        Text = Reference.Text,
        Entities = Reference.Entities.Where(e => e.Key != "5").ToDictionary(),
    };

    [Fact]
    public void A_repeated_word_counts_at_each_place_where_the_package_reward_sees_it_once()
    {
        // entities: 6 predicted, all right; 7 in the reference -> P 1, R 6/7, F1 12/13
        // relations: 4 predicted, all right; 5 in the reference -> P 1, R 4/5, F1 8/9
        var score = RadGraphSpanF1.Compute([new(MissesSecondLeft, Reference)]);
        score.Entities.Precision.ShouldBe(1.0);
        score.Entities.Recall.ShouldBe(6.0 / 7, 1e-12);
        score.Entities.F1.ShouldBe(12.0 / 13, 1e-12);
        score.Relations.F1.ShouldBe(8.0 / 9, 1e-12);
        // The package's word sets are equal ("left" once on each side): RG_E is 1.
        RadGraphF1.Score(MissesSecondLeft, Reference, RadGraphRewardLevel.Simple).F1.ShouldBe(1.0);
    }

    [Fact]
    public void Counts_are_summed_over_the_corpus_and_an_empty_prediction_keeps_its_references()
    {
        // second pair: nothing predicted, one reference entity, no relation
        // entities 6 right / 6 predicted / 8 references -> P 1, R 0.75, F1 6/7; relations 4 / 4 / 5 -> F1 8/9
        var pneumothorax = Doc(("1", "pneumothorax", 1, "OBS-DA", []));
        var score = RadGraphSpanF1.Compute([new(MissesSecondLeft, Reference), new(null, pneumothorax)]);
        score.Entities.Recall.ShouldBe(0.75, 1e-12);
        score.Entities.F1.ShouldBe(6.0 / 7, 1e-12);
        score.Relations.F1.ShouldBe(8.0 / 9, 1e-12);
        score.ToDictionary()["radgraph_entity_micro_f1"].ShouldBe(6.0 / 7, 1e-12);
    }

    [Fact]
    public void A_wrong_label_or_place_breaks_the_entity_and_every_relation_through_it()
    {
        // effusion labelled OBS-U: 6 of 7 entities right; "Small modify effusion" and "effusion located_at pleural"
        // are wrong -> relations 3 of 5 right (P 3/5, R 3/5)
        var uncertain = new RadGraphDocument
        {
            Text = Reference.Text,
            Entities = Reference.Entities.ToDictionary(e => e.Key, e => e.Key == "4" ? e.Value with { Label = "OBS-U" } : e.Value),
        };
        var score = RadGraphSpanF1.Compute([new(uncertain, Reference)]);
        score.Entities.F1.ShouldBe(6.0 / 7, 1e-12);
        score.Relations.F1.ShouldBe(0.6, 1e-12);

        // "clear" located at the second "left" instead of "lung": same words-level type, wrong target span
        var misplaced = Doc(("1", "left", 5, "ANAT-DP", []), ("2", "clear", 7, "OBS-DP", [new(RadGraphRelations.LocatedAt, "1")]));
        RadGraphSpanF1.Compute([new(misplaced, Reference)]).Relations.F1.ShouldBe(0.0);
    }

    [Fact]
    public void Identical_graphs_score_one_and_a_dangling_relation_is_an_error()
    {
        var score = RadGraphSpanF1.Compute([new(Reference, Reference)]);
        score.Entities.F1.ShouldBe(1.0);
        score.Relations.F1.ShouldBe(1.0);
        var broken = Doc(("1", "x", 0, "OBS-DP", [new(RadGraphRelations.Modify, "9")]));
        Should.Throw<ArgumentException>(() => RadGraphSpanF1.Compute([new(broken, Reference)])).Message.ShouldContain("unknown entity id 9");
    }

    private static RadGraphDocument Doc(params (string Id, string Tokens, int At, string Label, RadGraphRelation[] Relations)[] entities)
        => new()
        {
            Text = "Small left pleural effusion . left lung clear",
            Entities = entities.ToDictionary(e => e.Id, e => new RadGraphEntity { Tokens = e.Tokens, Label = e.Label, StartIx = e.At, EndIx = e.At, Relations = e.Relations }),
        };
}
