using ReportGen.Pipelines.Judging;
using Shouldly;
using Xunit;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Judging;

// Reference: microsoft/RadFact src/radfact/metric/{radfact.py,schema.py,box_metrics.py} and its tests
// tests/metric/test_radfact.py and tests/metric/test_box_metrics.py; the expected numbers below are theirs.
// (The corpus aggregation and the test_examples.json fidelity test are in ReportGen.Eval.Tests/Metrics/RadFactTests.cs.)
[Fast]
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

    // Hand-computed on RadFact's 224x224 mask (box_metrics.py get_mask_from_boxes truncates coord x 224; radfact.py
    // _get_spatial_entailment_status: spatially entailed iff entailed and compute_box_metrics(phrase boxes, union of
    // evidence boxes).precision > 0.5, strictly). Candidate box C = (0, 0, 0.5035, 0.5): x 0..112 (112.784 -> 112),
    // y 0..112, 12544 px.
    private static readonly NormalizedBox C = new(0, 0, 0.5035, 0.5);
    // E1 starts at 0.2515 x 224 = 56.336 -> 56: overlap 56 x 112 = 6272 px, precision 6272/12544 = 0.5 exactly, which
    // is not > 0.5, although the continuous-area precision is (0.5035 - 0.2515)/0.5035 = 0.5005.
    private static readonly NormalizedBox E1 = new(0.2515, 0, 1, 1);
    // E2 starts at 0.2455 x 224 = 54.992 -> 54: overlap 58 x 112 = 6496 px, precision 6496/12544 = 0.517857... > 0.5.
    private static readonly NormalizedBox E2 = new(0.2455, 0, 1, 1);

    [Fact]
    public void Pixel_precision_straddling_one_half_decides_spatial_entailment_by_hand_computed_masks()
    {
        RadFactScoring.ComputeBoxMetrics([C], [E1]).Precision.ShouldBe(6272.0 / 12544);
        RadFactScoring.ComputeBoxMetrics([C], [E2]).Precision.ShouldBe(6496.0 / 12544, 1e-15);
        RadFactScoring.SpatialStatus(new("c1", "entailment", [C], [new("e1", [E1])])).ShouldBe(SpatialEntailmentStatus.NoSpatialEntailment);
        RadFactScoring.SpatialStatus(new("c2", "entailment", [C], [new("e2", [E2])])).ShouldBe(SpatialEntailmentStatus.SpatialEntailment);

        // The union of the evidence boxes counts: R = (0, 0, 0.5, 0.5) is 112 x 112; F1 = (0, 0, 0.5, 0.25) covers
        // 112 x 56 = 6272 of it (0.5 alone: not entailed), F2 = (0, 0.25, 0.25, 0.5) another 56 x 56 = 3136 (0.25 alone);
        // together 9408/12544 = 0.75.
        NormalizedBox r = new(0, 0, 0.5, 0.5), f1 = new(0, 0, 0.5, 0.25), f2 = new(0, 0.25, 0.25, 0.5);
        RadFactScoring.SpatialStatus(new("r", "entailment", [r], [new("f1", [f1])])).ShouldBe(SpatialEntailmentStatus.NoSpatialEntailment);
        RadFactScoring.ComputeBoxMetrics([r], [f1, f2]).Precision.ShouldBe(0.75);
        RadFactScoring.SpatialStatus(new("r", "entailment", [r], [new("f1", [f1]), new("f2", [f2])])).ShouldBe(SpatialEntailmentStatus.SpatialEntailment);

        // One sample: candidate c1 (boxed, entailed, 0.5: no), c2 (boxed, entailed, 0.518: yes), c3 (no boxes, entailed),
        // c4 (boxed, not entailed); reference r1 (boxed, entailed by the union: yes), r2 (no boxes, not entailed).
        // Logical P 3/4, R 1/2; grounding P = 1 of 2 entailed boxed = 1/2, R = 1/1; spatial P = 1 of 3 boxed = 1/3,
        // R = 1/1; grounding F1 = 2(.5)(1)/1.5 = 2/3, spatial F1 = 2(1/3)(1)/(4/3) = 1/2.
        EvidencedPhrase[] candidate =
        [
            new("c1", "entailment", [C], [new("e1", [E1])]),
            new("c2", "entailment", [C], [new("e2", [E2])]),
            new("c3", "entailment", null, [new("e3")]),
            new("c4", "not_entailment", [C], []),
        ];
        EvidencedPhrase[] reference =
        [
            new("r1", "entailment", [r], [new("f1", [f1]), new("f2", [f2])]),
            new("r2", "not_entailment", null, []),
        ];
        var score = RadFactScoring.Score(candidate, reference);
        score.LogicalPrecision.ShouldBe(0.75);
        score.LogicalRecall.ShouldBe(0.5);
        score.GroundingPrecision.ShouldBe(0.5);
        score.GroundingRecall.ShouldBe(1.0);
        score.SpatialPrecision.ShouldBe(1.0 / 3);
        score.SpatialRecall.ShouldBe(1.0);
        score.GroundingF1.ShouldBe(2.0 / 3, 1e-15);
        score.SpatialF1.ShouldBe(0.5, 1e-15);
        score.NumCandidatePhrasesWithBoxes.ShouldBe(3);
        score.NumReferencePhrasesWithBoxes.ShouldBe(1);
    }
}
