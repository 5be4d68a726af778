using ReportGen.Pipelines.Judging;
using Shouldly;
using Xunit;

namespace ReportGen.Pipelines.Tests.Judging;

// Reference: microsoft/RadFact src/radfact/metric/{radfact.py,schema.py,box_metrics.py} and its tests
// tests/metric/test_radfact.py and tests/metric/test_box_metrics.py; the expected numbers below are theirs.
// (The corpus aggregation and the test_examples.json fidelity test are in ReportGen.Eval.Tests/Metrics/RadFactTests.cs.)
public sealed class RadFactScoringTests
{
    private static readonly NormalizedBox BoxA = new(0.1, 0.1, 0.2, 0.2);
    private static readonly NormalizedBox BoxB = new(0.3, 0.3, 0.4, 0.4);

    [Fact]
    public void One_way_fractions_match_test_compute_radfact_score_oneway()
    {
        EvidencedPhrase[] phrases =
        [
            new("entailed phrase no boxes", "entailment", null, [new("evidence without box")]),
            new("entailed phrase with correct box", "entailment", [BoxA], [new("evidence with box", [BoxA])]),
            new("entailed phrase with wrong box", "entailment", [BoxB], [new("evidence with box", [BoxA])]),
            new("not entailed phrase no boxes", "not_entailment", null, []),
            new("not entailed phrase with box", "not_entailment", [BoxA], []),
        ];
        RadFactScoring.OneWay(phrases).ShouldBe(new OneWayFractions(3.0 / 5, 1.0 / 2, 1.0 / 3, 5, 3));
    }

    [Fact]
    public void Spatial_status_matches_test_get_spatial_entailment_status()
    {
        RadFactScoring.SpatialStatus(new("p1", "entailment", null, [new("e1")])).ShouldBe(SpatialEntailmentStatus.NoBoxes);
        RadFactScoring.SpatialStatus(new("p2", "entailment", [BoxA], [new("e2", [BoxA])])).ShouldBe(SpatialEntailmentStatus.SpatialEntailment);
        RadFactScoring.SpatialStatus(new("p2.5", "entailment", [BoxA], [new("e2.5", [BoxB])])).ShouldBe(SpatialEntailmentStatus.NoSpatialEntailment);
        RadFactScoring.SpatialStatus(new("p3", "not_entailment", null, [])).ShouldBe(SpatialEntailmentStatus.NoBoxes);
        RadFactScoring.SpatialStatus(new("p4", "not_entailment", [BoxA], [])).ShouldBe(SpatialEntailmentStatus.NoSpatialEntailment);
    }

    [Fact]
    public void Box_metrics_match_test_compute_box_metrics()
    {
        // pred [box5, box6], true [box2, box7]: IoU .06, precision .14, recall .11 (rounded to 2 places there).
        NormalizedBox box2 = new(0.2, 0.2, 0.4, 0.4), box5 = new(0.3, 0.3, 0.5, 0.5), box6 = new(0.4, 0.4, 0.6, 0.6), box7 = new(0.1, 0.1, 0.4, 0.4);
        var m = RadFactScoring.ComputeBoxMetrics([box5, box6], [box2, box7]);
        Math.Round(m.Iou, 2).ShouldBe(0.06);
        Math.Round(m.Precision, 2).ShouldBe(0.14);
        Math.Round(m.Recall, 2).ShouldBe(0.11);

        // Zero-area boxes: precision NaN when the prediction is empty, recall NaN when the truth is.
        var zero = new NormalizedBox(0, 0, 0, 0);
        var box1 = new NormalizedBox(0.1, 0.1, 0.3, 0.3);
        double.IsNaN(RadFactScoring.ComputeBoxMetrics([zero], [box1]).Precision).ShouldBeTrue();
        RadFactScoring.ComputeBoxMetrics([zero], [box1]).Recall.ShouldBe(0);
        double.IsNaN(RadFactScoring.ComputeBoxMetrics([box1], [zero]).Recall).ShouldBeTrue();
    }

    [Fact]
    public void Mask_truncates_coordinates_like_numpy_astype_int()
    {
        // 0.1*224 = 22.4 -> 22, 0.2*224 = 44.8 -> 44: a 22x22 block.
        var mask = RadFactScoring.Mask([new NormalizedBox(0.1, 0.1, 0.2, 0.2)]);
        var count = 0;
        foreach (var on in mask) if (on) count++;
        count.ShouldBe(22 * 22);
        mask[22, 22].ShouldBeTrue();
        mask[44, 44].ShouldBeFalse();
    }

    [Fact]
    public void Evidence_texts_resolve_to_premise_phrases_with_their_boxes()
    {
        EvidencePhrase[] premises = [new("The heart is enlarged.", [BoxA]), new("No effusion.")];
        RadFactScoring.FindEvidence("the heart is enlarged", premises)!.Boxes.ShouldBe([BoxA]);
        RadFactScoring.FindEvidence("Heart enlarged", premises)!.Text.ShouldBe("The heart is enlarged.");
        // As in Python, the "spaces before punctuation" pattern removes nothing (its lookbehind follows \s*).
        RadFactScoring.NormaliseForComparison("  Mild  cardio-megaly . ").ShouldBe("mild cardiomegaly ");
    }
}
