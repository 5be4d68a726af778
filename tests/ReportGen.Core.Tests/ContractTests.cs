using System.Text.Json;
using ReportGen.Core.Labels;
using ReportGen.Core.RadGraph;
using ReportGen.TestSupport;

namespace ReportGen.Core.Tests;

[Fast]
public class ContractTests
{
    [Fact]
    public void RadGraph_document_round_trips_in_the_radgraph_package_layout()
    {
        // The example layout from shared/data/README.md (radgraph package output).
        const string json = """{"text":"no acute pneumothorax","entities":{"1":{"tokens":"pneumothorax","label":"OBS-DA","start_ix":2,"end_ix":2,"relations":[["located_at","2"]]},"2":{"tokens":"acute","label":"OBS-DA","start_ix":1,"end_ix":1,"relations":[]}}}""";
        var doc = JsonSerializer.Deserialize<RadGraphDocument>(json, RadGraphDocument.JsonOptions)!;
        doc.Entities["1"].Relations.ShouldBe([new RadGraphRelation("located_at", "2")]);
        doc.Entities["1"].StartIx.ShouldBe(2);
        JsonSerializer.Serialize(doc, RadGraphDocument.JsonOptions).ShouldBe(json);
    }

    [Theory]
    [InlineData(LabelValue.Negative, LabelValue.Uncertain, LabelValue.Uncertain)]
    [InlineData(LabelValue.Negative, LabelValue.Positive, LabelValue.Positive)]
    [InlineData(LabelValue.Uncertain, LabelValue.Positive, LabelValue.Positive)]
    [InlineData(LabelValue.NotMentioned, LabelValue.Negative, LabelValue.Negative)]
    [InlineData(LabelValue.Negative, LabelValue.Negative, LabelValue.Negative)]
    public void CheXpert_aggregation_follows_the_labeler(LabelValue a, LabelValue b, LabelValue expected)
    {
        LabelValues.Aggregate(a, b).ShouldBe(expected);
        LabelValues.Aggregate(b, a).ShouldBe(expected);
    }

    [Fact]
    public void Label_values_use_the_wire_names()
    {
        JsonSerializer.Serialize(LabelValue.NotMentioned).ShouldBe("\"not_mentioned\"");
        LabelValues.FromWireName("Uncertain").ShouldBe(LabelValue.Uncertain);
        LabelValues.FromWireName("maybe").ShouldBeNull();
        LabelValue.Uncertain.ToCheXpertCsv().ShouldBe("-1.0");
    }
}
