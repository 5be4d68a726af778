using ReportGen.Core.Models;
using ReportGen.Pipelines.Drafting;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Drafting;

[Fast]
public class CropGeometryTests
{
    private static Preprocessing MobileNet => new() { Width = 224, Height = 224, Resize = "shortest-edge", ShortestEdge = 256, Crop = "center", InputName = "input" };

    [Fact]
    public void Shortest_edge_and_centre_crop_keep_224_of_256_of_the_short_side()
    {
        // 2000 x 1000 → resized 512 x 256 → crop 224² from (144, 16) → in original pixels ×(2000/512): (562.5, 62.5), side 875.
        var g = CropGeometry.For(MobileNet, 2000, 1000);
        (g.CropX, g.CropY, g.CropWidth, g.CropHeight).ShouldBe((562.5, 62.5, 875.0, 875.0));
        var px = g.ToPixels(new BoundingBox(0, 0, 1, 1));
        px.ShouldBe(new BoundingBox(562.5, 62.5, 1437.5, 937.5));
        // A portrait image crops vertically.
        var p = CropGeometry.For(MobileNet, 1000, 2000);
        (p.CropX, p.CropY).ShouldBe((62.5, 562.5));
    }

    [Fact]
    public void Stretch_sees_the_whole_image_and_letterbox_more_than_it()
    {
        CropGeometry.For(MobileNet with { Resize = "stretch", Crop = "none" }, 640, 480).ShouldBe(CropGeometry.Whole(640, 480));
        // 640 x 480 letterboxed into 224²: 224 x 168, padded 28 above and below → the view spans 640 px wide, 640 tall from y = -80.
        var l = CropGeometry.For(MobileNet with { Resize = "letterbox" }, 640, 480);
        (l.CropX, l.CropY, l.CropWidth, l.CropHeight).ShouldBe((0, -80, 640, 640));
    }

    [Fact]
    public void Llama_cpps_letterbox_rounds_the_scaled_side_up_and_halves_the_padding_down()
    {
        // clip.cpp (PAD_CEIL): 100 x 33 into 56²: scale 0.56, 56 x ceil(18.48) = 19, padded (56 - 19) / 2 = 18 above.
        var clip = new Preprocessing { Width = 56, Height = 56, Resize = "letterbox", LetterboxRounding = "ceil", Crop = "none", InputName = "mmproj" };
        clip.Placement(100, 33).ShouldBe((56, 19, 0, -18));
        (clip with { LetterboxRounding = "nearest" }).Placement(100, 33).ShouldBe((56, 18, 0, -19)); // the ONNX encoders' rounding differs
        // A box over the image band of the square view is the whole original image.
        var g = CropGeometry.For(clip, 100, 33);
        var px = g.ToPixels(new BoundingBox(0, 18 / 56.0, 1, 37 / 56.0));
        px.XMin.ShouldBe(0, 1e-9);
        px.XMax.ShouldBe(100, 1e-9);
        px.YMin.ShouldBe(0, 1e-9);
        px.YMax.ShouldBe(33, 1e-9);
    }

    [Fact]
    public void Impression_after_a_header_is_split_from_the_findings()
    {
        var r = DraftingService.Parse("Heart size normal. Lungs clear.\nIMPRESSION: No acute disease.", null);
        r.Findings.Select(f => f.Text).ShouldBe(["Heart size normal.", "Lungs clear."]);
        r.Impression.ShouldBe("No acute disease.");
        DraftingService.Parse("Lungs clear.", null).Impression.ShouldBeNull();
    }
}

[Fast]
public class DraftPromptTests
{
    internal sealed class NoChat : Microsoft.Extensions.AI.IChatClient
    {
        public Task<Microsoft.Extensions.AI.ChatResponse> GetResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public IAsyncEnumerable<Microsoft.Extensions.AI.ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<Microsoft.Extensions.AI.ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    [Fact]
    public void Retrieved_studies_are_offered_in_the_prompt_only_when_given()
    {
        var service = new DraftingService(new NoChat(), ReportGen.Pipelines.Prompts.PromptLibrary.LoadDefault());
        var frontal = new StudyImage(new byte[] { 1 }, "image/png");
        var with = service.Build(new DraftRequest { Frontal = frontal, Evidence = [new RetrievedStudy("s1", 0.93456, "Small left effusion.")] }).Messages[^1].Text;
        with.ShouldContain("SIMILAR_STUDIES");
        with.ShouldContain("[s1, similarity 0.935] Small left effusion.");
        service.Build(new DraftRequest { Frontal = frontal }).Messages[^1].Text.ShouldNotContain("SIMILAR_STUDIES");
        // A text-only model gets no images.
        new DraftingService(new NoChat(), ReportGen.Pipelines.Prompts.PromptLibrary.LoadDefault(), attachImages: false).Build(new DraftRequest { Frontal = frontal })
            .Messages[^1].Contents.OfType<Microsoft.Extensions.AI.DataContent>().ShouldBeEmpty();
    }
}

[Fast]
public class DraftJsonTests
{
    [Fact]
    public void Boxes_are_written_normalised_and_in_original_pixels()
    {
        var geometry = CropGeometry.CenterSquare(200, 100);   // view = the centred 100 x 100 square from x = 50
        var result = DraftingService.Parse("<obj>Effusion<box><x0><y0><x99><y99></box></obj> Heart normal. IMPRESSION: Effusion.", geometry);
        var json = DraftJson.Result(result, new DraftRequest { Frontal = new StudyImage(new byte[] { 1 }, "image/png"), Grounded = true },
            new DraftImageSize(200, 100, "png"), new System.Text.Json.Nodes.JsonObject { ["engine"] = "test" });
        var box = json["findings"]![0]!["boxes"]![0]!;
        ((double)box["x_min"]!).ShouldBe(0.2525);               // (50 + 0.005 * 100) / 200
        ((double)box["pixels"]!["x_min"]!).ShouldBe(50.5);
        ((double)box["pixels"]!["y_max"]!).ShouldBe(99.5);
        ((string)json["findings"]![1]!["text"]!).ShouldBe("Heart normal.");
        json["findings"]![1]!["boxes"]!.AsArray().Count.ShouldBe(0);
        ((string)json["impression"]!).ShouldBe("Effusion.");
        ((string)json["provenance"]!["engine"]!).ShouldBe("test");
        ((int)json["image"]!["width"]!).ShouldBe(200);
    }
}
