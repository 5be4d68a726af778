using ReportGen.Core.Labels;
using ReportGen.Core.RadGraph;
using ReportGen.Eval.Metrics.Clinical;
using ReportGen.Eval.Metrics.Text;
using ReportGen.Eval.Reporting;
using ReportGen.TestSupport;

namespace ReportGen.Eval.Tests.Reporting;

[Fast]
public sealed class MetricSectionsTests
{
    [Fact]
    public void Metric_families_add_their_names_and_plots()
    {
        var report = new EvalReport("all");
        report.AddTextMetrics(TextMetrics.Evaluate([new CaptionExample("no effusion", "no pleural effusion"), new CaptionExample("big heart", "cardiomegaly")]));
        var doc = new RadGraphDocument
        {
            Text = "effusion",
            Entities = new Dictionary<string, RadGraphEntity> { ["1"] = new() { Tokens = "effusion", Label = "OBS-DP", StartIx = 0, EndIx = 0 } },
        };
        report.AddRadGraph(RadGraphF1.Compute([new RadGraphPair(doc, doc)]));
        IReadOnlyDictionary<string, LabelValue>[] refs = [new Dictionary<string, LabelValue> { ["Edema"] = LabelValue.Positive }];
        IReadOnlyDictionary<string, LabelValue>[] preds = [new Dictionary<string, LabelValue> { ["Edema"] = LabelValue.Uncertain }];
        report.AddCheXpert(refs, preds);

        report.Metrics.Keys.ShouldContain("bleu_4");
        report.Metrics.Keys.ShouldContain("cider_d");
        report.Metrics["radgraph_complete"].ShouldBe(1.0);
        report.Metrics["chexpert5_micro_f1_u_pos"].ShouldBe(1.0);
        report.Metrics["chexpert5_micro_f1_u_neg"].ShouldBe(0.0);
        report.Sections.OfType<ConfusionMatrixSection>().Single().Title.ShouldBe("Edema");
        MetricSections.ValueConfusion(refs, preds, "Edema")[0, 2].ShouldBe(1);   // positive -> uncertain
    }
}
