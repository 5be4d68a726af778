using ReportGen.Pipelines.Drafting;
using Shouldly;
using Xunit;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Drafting;

[Fast]
public class GroundedReportParserTests
{
    private const double Eps = 1e-9;

    [Fact]
    public void Parses_one_box_with_bin_centres()
    {
        var r = GroundedReportParser.Parse("<obj>Left pleural effusion.<box><x55><y45><x70><y56></box></obj>");
        r.MalformedBoxes.ShouldBe(0);
        r.MalformedObjects.ShouldBe(0);
        var f = r.Findings.ShouldHaveSingleItem();
        f.Text.ShouldBe("Left pleural effusion.");
        var b = f.Boxes.ShouldHaveSingleItem();
        b.Normalized.XMin.ShouldBe(0.555, Eps);
        b.Normalized.YMin.ShouldBe(0.455, Eps);
        b.Normalized.XMax.ShouldBe(0.705, Eps);
        b.Normalized.YMax.ShouldBe(0.565, Eps);
        b.Pixels.ShouldBeNull();
    }

    [Fact]
    public void Several_boxes_per_phrase_and_plain_sentences_between_objects()
    {
        var text = "Heart size is normal. <obj>Bilateral nodules.<box><x10><y20><x30><y40></box><box><x60><y20><x80><y40></box></obj> No pneumothorax. Lungs are clear otherwise.";
        var r = GroundedReportParser.Parse(text);
        r.Findings.Select(f => f.Text).ShouldBe(["Heart size is normal.", "Bilateral nodules.", "No pneumothorax.", "Lungs are clear otherwise."]);
        r.Findings[1].Boxes.Count.ShouldBe(2);
        r.Findings[1].Boxes[1].Normalized.XMin.ShouldBe(0.605, Eps);
        r.Findings[0].Boxes.ShouldBeEmpty();
        r.MalformedBoxes.ShouldBe(0);
    }

    [Fact]
    public void Undoes_centre_crop_of_a_landscape_image()
    {
        // 2000x1000: the view is the centred 1000x1000 square starting at x=500.
        var g = CropGeometry.CenterSquare(2000, 1000);
        var r = GroundedReportParser.Parse("<obj>Opacity<box><x0><y0><x99><y99></box></obj>", g);
        var b = r.Findings[0].Boxes[0];
        b.Pixels!.Value.XMin.ShouldBe(505, Eps);      // 500 + 0.005 * 1000
        b.Pixels.Value.XMax.ShouldBe(1495, Eps);      // 500 + 0.995 * 1000
        b.Pixels.Value.YMin.ShouldBe(5, Eps);
        b.Pixels.Value.YMax.ShouldBe(995, Eps);
        b.Normalized.XMin.ShouldBe(505 / 2000.0, Eps);
        b.Normalized.YMax.ShouldBe(0.995, Eps);
    }

    [Fact]
    public void Undoes_centre_crop_of_a_portrait_image()
    {
        var g = CropGeometry.CenterSquare(800, 1200);   // crop starts at y=200
        var r = GroundedReportParser.Parse("<obj>x<box><x50><y50><x50><y50></box></obj>", g);
        var p = r.Findings[0].Boxes[0].Pixels!.Value;
        p.XMin.ShouldBe(404, Eps);
        p.YMin.ShouldBe(604, Eps);
        r.Findings[0].Boxes[0].Normalized.YMin.ShouldBe(604 / 1200.0, Eps);
    }

    [Fact]
    public void Whole_geometry_keeps_fractions()
    {
        var r = GroundedReportParser.Parse("<obj>x<box><x10><y10><x20><y20></box></obj>", CropGeometry.Whole(640, 480));
        var b = r.Findings[0].Boxes[0];
        b.Normalized.XMin.ShouldBe(0.105, Eps);
        b.Pixels!.Value.YMax.ShouldBe(0.205 * 480, Eps);
    }

    [Theory]
    [InlineData("<obj>A<box><x100><y1><x2><y3></box></obj>", 1)]          // bin out of range
    [InlineData("<obj>A<box><x5><y1><x2><y3></box></obj>", 1)]            // x_min > x_max
    [InlineData("<obj>A<box><x1><y9><x2><y3></box></obj>", 1)]            // y_min > y_max
    [InlineData("<obj>A<box><x1><y1><x2></box></obj>", 1)]                // three coordinates
    [InlineData("<obj>A<box><x1><y1><x2><y3><x4></box></obj>", 1)]        // five coordinates
    [InlineData("<obj>A<box><y1><x1><y2><x3></box></obj>", 1)]            // axes swapped
    [InlineData("<obj>A<box><xa><y1><x2><y3></box></obj>", 1)]            // not a number
    [InlineData("<obj>A<box><x-1><y1><x2><y3></box></obj>", 1)]           // negative
    [InlineData("<obj>A<box></box></obj>", 1)]                            // empty
    [InlineData("<obj>A<box><x1><y1><x2><y3></obj>", 1)]                  // unclosed box
    [InlineData("<obj>A<box><x1><y1><box><x1><y1><x2><y3></box></obj>", 1)] // unclosed box then a good one
    [InlineData("<obj>A<x1><y1><x2><y3></box></obj>", 1)]                 // missing <box>
    [InlineData("<obj>A<box>x1 y1 x2 y3</box></obj>", 1)]                 // wrong syntax
    [InlineData("<obj>A<box><x1.5><y1><x2><y3></box></obj>", 1)]          // fractional bin
    [InlineData("<obj>A<box><x1><y1><x2><y3></box><box><x999><y0><x0><y0></box></obj>", 1)]
    public void Malformed_boxes_are_dropped_and_counted(string text, int bad)
    {
        var r = GroundedReportParser.Parse(text);
        r.MalformedBoxes.ShouldBe(bad);
        var f = r.Findings.ShouldHaveSingleItem();
        f.Text.ShouldBe("A");
        f.Boxes.ShouldAllBe(b => b.Normalized.XMin <= b.Normalized.XMax && b.Normalized.XMax < 1);
    }

    [Fact]
    public void Good_box_next_to_a_bad_one_is_kept()
    {
        var r = GroundedReportParser.Parse("<obj>A<box><x1><y1><x2><y3></box><box><x9><y1><x2><y3></box></obj>");
        r.Findings[0].Boxes.Count.ShouldBe(1);
        r.MalformedBoxes.ShouldBe(1);
    }

    [Fact]
    public void Unclosed_object_is_repaired_and_counted()
    {
        var r = GroundedReportParser.Parse("<obj>Effusion<box><x1><y1><x2><y3></box> <obj>Nodule<box><x5><y5><x6><y6></box></obj>");
        r.Findings.Select(f => f.Text).ShouldBe(["Effusion", "Nodule"]);
        r.Findings.ShouldAllBe(f => f.Boxes.Count == 1);
        r.MalformedObjects.ShouldBe(1);
    }

    [Fact]
    public void Truncated_generation_is_not_fatal()
    {
        var r = GroundedReportParser.Parse("Normal heart. <obj>Right basal opacity<box><x12><y5");
        r.Findings.Select(f => f.Text).ShouldBe(["Normal heart.", "Right basal opacity"]);
        r.Findings[1].Boxes.ShouldBeEmpty();
        r.MalformedBoxes.ShouldBe(1);
        r.MalformedObjects.ShouldBe(1);
    }

    [Fact]
    public void Stray_tags_and_phraseless_objects_are_counted()
    {
        var r = GroundedReportParser.Parse("Lungs clear.</obj> <obj><box><x1><y1><x2><y3></box></obj> <box><x1><y1><x2><y3></box> Stable.");
        r.Findings.Select(f => f.Text).ShouldBe(["Lungs clear.", "Stable."]);
        r.MalformedObjects.ShouldBe(2);   // stray </obj>, object without a phrase
        r.MalformedBoxes.ShouldBe(1);     // box outside an object
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("<obj></obj>")]
    [InlineData("<><><>")]
    public void Degenerate_input_gives_no_findings_and_no_exception(string? text)
    {
        var r = GroundedReportParser.Parse(text);
        r.Findings.Where(f => f.Text.Any(char.IsLetter)).ShouldBeEmpty();
    }

    [Fact]
    public void Plain_report_is_split_into_sentences()
    {
        var r = GroundedReportParser.Parse("The lungs are clear. There is no effusion.\nHeart is normal.");
        r.Findings.Select(f => f.Text).ShouldBe(["The lungs are clear.", "There is no effusion.", "Heart is normal."]);
    }

    [Fact]
    public void Bin_conversion_rejects_out_of_range()
    {
        GroundedReportParser.BinToFraction(0).ShouldBe(0.005);
        GroundedReportParser.BinToFraction(99).ShouldBe(0.995);
        GroundedReportParser.BinToFraction(100).ShouldBeNull();
        GroundedReportParser.BinToFraction(-1).ShouldBeNull();
        Should.Throw<ArgumentOutOfRangeException>(() => CropGeometry.CenterSquare(0, 10));
    }
}
