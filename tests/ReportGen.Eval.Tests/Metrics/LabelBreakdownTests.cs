using ReportGen.Core.Labels;
using ReportGen.Eval.Metrics.Clinical;
using ReportGen.TestSupport;

namespace ReportGen.Eval.Tests.Metrics;

[Fast]
public sealed class LabelBreakdownTests
{
    private static Dictionary<string, LabelValue> L(params (string Label, LabelValue Value)[] values) =>
        values.ToDictionary(v => v.Label, v => v.Value);

    private static readonly LabelledItem[] Items =
    [
        // English, tune: cardiomegaly found; heldout: cardiomegaly missed, an invented edema.
        new("a", "en", "tune", L(("Cardiomegaly", LabelValue.Positive)), L(("Cardiomegaly", LabelValue.Positive))),
        new("b", "en", "heldout", L(("Cardiomegaly", LabelValue.Positive)), L(("Edema", LabelValue.Positive))),
        // German translation of "a", predicted uncertain (scored as negative).
        new("a-de", "de", "tune", L(("Cardiomegaly", LabelValue.Positive)), L(("Cardiomegaly", LabelValue.Uncertain)), SourceId: "a"),
    ];

    [Fact]
    public void Scores_groups_and_splits_and_lists_labels_without_reference_positives()
    {
        var b = new LabelBreakdown(Items, ["Cardiomegaly", "Edema"]);
        b.Groups.ShouldBe(["en", LabelBreakdown.TranslatedSources, "de", "all"]);
        b.Splits.ShouldBe(["tune", "heldout"]);

        var en = b.Score("en")!;
        en.Reports.ShouldBe(2);
        // Cardiomegaly: TP 1, FN 1 -> F1 2/3. Edema: no reference positive, one false positive.
        en.PerLabel.PerLabel["Cardiomegaly"].F1.ShouldBe(2.0 / 3, 1e-12);
        en.MacroF1.ShouldBe(1.0 / 3, 1e-12);
        en.MacroF1Scored.ShouldBe(2.0 / 3, 1e-12);
        en.UnscoredLabels.ShouldBe([("Edema", 1)]);

        b.Score("en", "tune")!.MacroF1Scored.ShouldBe(1.0);
        b.Score("en", "heldout")!.MacroF1Scored.ShouldBe(0.0);
        b.Score(LabelBreakdown.TranslatedSources)!.Reports.ShouldBe(1);
        b.Score("de")!.MacroF1Scored.ShouldBe(0.0);
        b.Score("de", "heldout").ShouldBeNull();
    }

    [Fact]
    public void Confusion_tables_count_reference_against_prediction_values()
    {
        var t = new LabelBreakdown(Items, ["Cardiomegaly", "Edema"]).Confusion("all", "Cardiomegaly");
        // Rows and columns: positive, negative, uncertain, not mentioned.
        t[0, 0].ShouldBe(1);
        t[0, 2].ShouldBe(1);
        t[0, 3].ShouldBe(1);
        t.Cast<int>().Sum().ShouldBe(3);
    }

    [Fact]
    public void Errors_name_the_report_split_and_differing_labels()
    {
        var b = new LabelBreakdown(Items, ["Cardiomegaly", "Edema"]);
        b.Errors("tune").Select(e => (e.Item.Id, e.Label)).ShouldBe([("a-de", "Cardiomegaly")]);
        var lines = b.ErrorsJsonLines().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2);
        lines[0].ShouldContain("\"split\":\"heldout\"");
        lines[0].ShouldContain("\"Edema\":\"not_mentioned -> positive\"");
        b.ToMarkdown("t").ShouldContain("| en | 2 | 0.333 | 0.667 | Edema (1) |");
    }
}
