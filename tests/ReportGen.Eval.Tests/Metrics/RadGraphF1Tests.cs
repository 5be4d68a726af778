using ReportGen.Core.RadGraph;
using ReportGen.Eval.Metrics.Clinical;
using ReportGen.TestSupport;

namespace ReportGen.Eval.Tests.Metrics;

// Reference: the radgraph package (Stanford-AIMI/radgraph, radgraph/rewards.py: exact_entity_token_match_reward,
// exact_entity_token_if_rel_exists_reward, exact_entity_token_if_all_match_reward, compute_reward; F1RadGraph
// averages the per-report (f1, precision, recall) tuples with numpy mean), at its commit b5ab8d0 (tokens lower-cased
// at every level). Its README gives no numbers on fixed graphs (its graphs come from the model), so the expected
// values are derived by hand below.
[Fast]
public sealed class RadGraphF1Tests
{
    // Reference: "Moderate cardiomegaly . Small pleural effusion ."
    private static readonly RadGraphDocument Reference = Doc("Moderate cardiomegaly . Small pleural effusion .",
        ("1", "Moderate", "OBS-DP", [new(RadGraphRelations.Modify, "2")]),
        ("2", "cardiomegaly", "OBS-DP", []),
        ("3", "Small", "OBS-DP", [new(RadGraphRelations.Modify, "5")]),
        ("4", "pleural", "ANAT-DP", []),
        ("5", "effusion", "OBS-DP", [new(RadGraphRelations.LocatedAt, "4")]));

    // Hypothesis: "mild cardiomegaly . small pleural effusion ." — the effusion lost its located_at.
    private static readonly RadGraphDocument Hypothesis = Doc("mild cardiomegaly . small pleural effusion .",
        ("1", "mild", "OBS-DP", [new(RadGraphRelations.Modify, "2")]),
        ("2", "cardiomegaly", "OBS-DP", []),
        ("3", "small", "OBS-DP", [new(RadGraphRelations.Modify, "5")]),
        ("4", "pleural", "ANAT-DP", []),
        ("5", "effusion", "OBS-DP", []));

    [Fact]
    public void Simple_compares_lower_cased_token_label_pairs()
    {
        // shared: (cardiomegaly,OBS-DP), (small,OBS-DP), (pleural,ANAT-DP), (effusion,OBS-DP); "Small" = "small" since the
        // package lower-cases every level (commit b5ab8d0) -> 4/5, 4/5
        var score = RadGraphF1.Score(Hypothesis, Reference, RadGraphRewardLevel.Simple);
        score.Precision.ShouldBe(0.8, 1e-12);
        score.Recall.ShouldBe(0.8, 1e-12);
        score.F1.ShouldBe(0.8, 1e-12);
    }

    [Fact]
    public void Partial_adds_has_relation_to_related_entities_only()
    {
        // ref: (moderate,OBS-DP,True) (cardiomegaly,OBS-DP) (small,OBS-DP,True) (pleural,ANAT-DP) (effusion,OBS-DP,True)
        // hyp: (mild,OBS-DP,True) (cardiomegaly,OBS-DP) (small,OBS-DP,True) (pleural,ANAT-DP) (effusion,OBS-DP)
        // shared: cardiomegaly, small, pleural -> 3/5 (effusion lost its relation, so its tuple differs)
        var score = RadGraphF1.Score(Hypothesis, Reference, RadGraphRewardLevel.Partial);
        score.F1.ShouldBe(0.6, 1e-12);
    }

    [Fact]
    public void Complete_uses_one_lower_cased_tuple_per_relation_with_target_tokens()
    {
        // ref: (moderate,OBS-DP,modify,cardiomegaly) (cardiomegaly,OBS-DP) (small,OBS-DP,modify,effusion)
        //      (pleural,ANAT-DP) (effusion,OBS-DP,located_at,pleural)
        // hyp: (mild,...) (cardiomegaly,OBS-DP) (small,OBS-DP,modify,effusion) (pleural,ANAT-DP) (effusion,OBS-DP)
        // shared 3 of 5 each.
        RadGraphF1.Score(Hypothesis, Reference, RadGraphRewardLevel.Complete).F1.ShouldBe(0.6, 1e-12);
    }

    [Fact]
    public void Precision_and_recall_differ_when_the_hypothesis_is_a_subset_and_duplicates_count_once()
    {
        var hyp = Doc("cardiomegaly cardiomegaly", ("1", "cardiomegaly", "OBS-DP", []), ("2", "cardiomegaly", "OBS-DP", []));
        var score = RadGraphF1.Score(hyp, Reference, RadGraphRewardLevel.Simple);
        score.Precision.ShouldBe(1.0);
        score.Recall.ShouldBe(0.2, 1e-12);
        score.F1.ShouldBe(2 * 0.2 / 1.2, 1e-12);
    }

    [Fact]
    public void A_pair_with_an_empty_side_scores_zero_and_counts_in_the_mean()
    {
        var empty = new RadGraphDocument { Text = "", Entities = new Dictionary<string, RadGraphEntity>() };
        var noEntities = new RadGraphDocument { Text = "unremarkable", Entities = new Dictionary<string, RadGraphEntity>() };
        RadGraphF1.Score(empty, empty, RadGraphRewardLevel.Simple).ShouldBe(PrecisionRecallF1.Zero);
        RadGraphF1.Score(noEntities, noEntities, RadGraphRewardLevel.Simple).ShouldBe(PrecisionRecallF1.Zero);
        RadGraphF1.Score(null, Reference, RadGraphRewardLevel.Complete).ShouldBe(PrecisionRecallF1.Zero);

        var result = RadGraphF1.Compute([new(Hypothesis, Reference), new(Hypothesis, noEntities)]);
        result.Mean[RadGraphRewardLevel.Simple].F1.ShouldBe(0.4, 1e-12);
        result.Mean[RadGraphRewardLevel.Partial].F1.ShouldBe(0.3, 1e-12);
        result.ToDictionary()["radgraph_complete"].ShouldBe(0.3, 1e-12);
    }

    [Fact]
    public void Identical_graphs_score_one_at_every_level()
    {
        var result = RadGraphF1.Compute([new(Reference, Reference)]);
        foreach (var level in Enum.GetValues<RadGraphRewardLevel>()) result.Mean[level].F1.ShouldBe(1.0);
    }

    [Fact]
    public void A_relation_to_an_unknown_entity_is_a_clear_error()
    {
        var broken = Doc("x", ("1", "x", "OBS-DP", [new(RadGraphRelations.Modify, "9")]));
        Should.Throw<ArgumentException>(() => RadGraphF1.Score(broken, Reference, RadGraphRewardLevel.Complete))
            .Message.ShouldContain("unknown entity id 9");
    }

    [Fact]
    public void Reads_the_radgraph_json_layout()
    {
        const string json = """{"text":"no pneumothorax","entities":{"1":{"tokens":"pneumothorax","label":"OBS-DA","start_ix":1,"end_ix":1,"relations":[]}}}""";
        var doc = System.Text.Json.JsonSerializer.Deserialize<RadGraphDocument>(json, RadGraphDocument.JsonOptions)!;
        RadGraphF1.Score(doc, doc, RadGraphRewardLevel.Simple).F1.ShouldBe(1.0);
    }

    private static RadGraphDocument Doc(string text, params (string Id, string Tokens, string Label, RadGraphRelation[] Relations)[] entities)
        => new()
        {
            Text = text,
            Entities = entities.ToDictionary(e => e.Id, e => new RadGraphEntity { Tokens = e.Tokens, Label = e.Label, StartIx = 0, EndIx = 0, Relations = e.Relations }),
        };
}
