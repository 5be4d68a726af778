using ReportGen.Core.Labels;
using ReportGen.Eval.Metrics.Clinical;
using ReportGen.TestSupport;

namespace ReportGen.Eval.Tests.Metrics;

// Reference: F1CheXbert (Stanford-AIMI/f1chexbert): "rrg" mode maps positive and uncertain to 1, negative and
// blank to 0, then scikit-learn classification_report over the 14 labels and the 5 (micro / macro avg, zero
// division -> 0). The uncertain-as-negative variant is the CheXpert U-Zeros reading. MOSAIC: aliswh/mosaic
// mosaic/core/evals.py weighted_by_support_f1_score. Expected values are hand-computed below.
[Fast]
public sealed class CheXpertF1Tests
{
    private static readonly IReadOnlyDictionary<string, LabelValue>[] References =
    [
        new Dictionary<string, LabelValue> { ["Cardiomegaly"] = LabelValue.Positive, ["Edema"] = LabelValue.Uncertain, ["Pleural Effusion"] = LabelValue.Negative },
        new Dictionary<string, LabelValue> { ["Cardiomegaly"] = LabelValue.Negative, ["Edema"] = LabelValue.Positive },
        new Dictionary<string, LabelValue> { ["Atelectasis"] = LabelValue.Uncertain },
    ];

    private static readonly IReadOnlyDictionary<string, LabelValue>[] Predictions =
    [
        new Dictionary<string, LabelValue> { ["Cardiomegaly"] = LabelValue.Positive, ["Edema"] = LabelValue.Negative },
        new Dictionary<string, LabelValue> { ["Cardiomegaly"] = LabelValue.Uncertain, ["Edema"] = LabelValue.Positive, ["Pleural Effusion"] = LabelValue.Positive },
        new Dictionary<string, LabelValue> { ["Atelectasis"] = LabelValue.Uncertain },
    ];

    [Fact]
    public void Uncertain_as_negative()
    {
        // Cardiomegaly truth [1,0,0] guess [1,0,0] -> F1 1; Edema truth [0,1,0] guess [0,1,0] -> 1;
        // Pleural Effusion truth 0s, guess [0,1,0] -> FP, F1 0; Atelectasis, Consolidation: nothing -> 0.
        // 5: macro (1+1)/5 = .4, micro TP2 FP1 FN0 -> 4/5.  14: macro 2/14, micro .8
        var five = CheXpertF1.Compute(References, Predictions, CheXpertLabels.Common5, UncertainPolicy.AsNegative);
        five.MacroF1.ShouldBe(0.4, 1e-12);
        five.MicroF1.ShouldBe(0.8, 1e-12);
        five.PerLabel["Pleural Effusion"].ShouldBe(new BinaryCounts(0, 1, 0, 2));
        var all = CheXpertF1.Compute(References, Predictions, CheXpertLabels.All14, UncertainPolicy.AsNegative);
        all.MacroF1.ShouldBe(2.0 / 14, 1e-12);
        all.MicroF1.ShouldBe(0.8, 1e-12);
    }

    [Fact]
    public void Uncertain_as_positive()
    {
        // Cardiomegaly truth [1,0,0] guess [1,1,0] -> TP1 FP1 -> 2/3; Edema truth [1,1,0] guess [0,1,0] -> 2/3;
        // Pleural Effusion FP -> 0; Atelectasis truth [0,0,1] guess [0,0,1] -> 1.
        // 5: macro (2/3+2/3+0+1+0)/5 = 7/15; micro TP3 FP2 FN1 -> 6/9
        var five = CheXpertF1.Compute(References, Predictions, CheXpertLabels.Common5, UncertainPolicy.AsPositive);
        five.MacroF1.ShouldBe(7.0 / 15, 1e-12);
        five.MicroF1.ShouldBe(6.0 / 9, 1e-12);
        five.MicroPrecision.ShouldBe(0.6, 1e-12);
        five.MicroRecall.ShouldBe(0.75, 1e-12);

        var metrics = CheXpertF1.Evaluate(References, Predictions);
        metrics["chexpert5_micro_f1_u_pos"].ShouldBe(6.0 / 9, 1e-12);
        metrics["chexpert5_micro_f1_u_neg"].ShouldBe(0.8, 1e-12);
        metrics.Count.ShouldBe(8);
    }

    [Fact]
    public void Mosaic_weighted_f1_excludes_not_mentioned()
    {
        // Cardiomegaly truth [pos,neg,-] guess [pos,unc,-]: pos F1 1 (support 1), neg F1 0 (support 1) -> .5
        // Edema truth [unc,pos,-] guess [neg,pos,-]: unc 0, pos 1 -> .5
        // Pleural Effusion truth [neg,-,-] guess [-,pos,-]: neg 0 -> 0;  Atelectasis unc 1 -> 1; Consolidation: no score
        var result = MosaicF1.Compute(References, Predictions, CheXpertLabels.Common5);
        result.PerLabel["Cardiomegaly"].ShouldBe(0.5);
        result.PerLabel["Pleural Effusion"].ShouldBe(0.0);
        result.PerLabel["Consolidation"].ShouldBeNull();
        result.Mean.ShouldBe(0.5, 1e-12);
    }

    [Fact]
    public void Mismatched_lengths_are_refused()
        => Should.Throw<ArgumentException>(() => CheXpertF1.Evaluate(References, Predictions[..2])).Message.ShouldContain("3 reference reports but 2");
}
