using ReportGen.Core.Imaging;
using ReportGen.Core.Models;
using ReportGen.Imaging;
using ReportGen.Pipelines.Drafting;
using ReportGen.TestSupport;

namespace ReportGen.Pipelines.Tests.Drafting;

/// <summary>The draft front door on real files: the NIH PNGs and SIIM DICOM from ../shared, the committed JPEG fixtures.</summary>
public class DraftStudyBuilderTests
{
    private static Preprocessing MobileNet => new() { Width = 224, Height = 224, Resize = "shortest-edge", ShortestEdge = 256, Crop = "center", InputName = "input" };

    /// <summary>The real decoder, counting its calls.</summary>
    private sealed class CountingDecoder : IStudyImageDecoder
    {
        private readonly StudyImageDecoder _inner = new();
        public int Calls;

        public DecodedImage Decode(ReadOnlyMemory<byte> bytes, long maxBytes)
        {
            Calls++;
            return _inner.Decode(bytes, maxBytes);
        }
    }

    private static DraftStudyFile Shared(string file) => new(File.ReadAllBytes(SharedData.Data("images", file)), file);

    private static DraftStudyFile Fixture(string file) =>
        new(File.ReadAllBytes(RepoFiles.Path("tests", "ReportGen.Imaging.Tests", "TestFiles", file)), file);

    private static DraftInputException Refused(DraftStudyInput input, long maxImageBytes = 1 << 30) =>
        Should.Throw<DraftInputException>(() => new DraftStudyBuilder(new StudyImageDecoder(), maxImageBytes).Build(input));

    [Fact]
    public void Each_image_is_decoded_once_and_its_pixels_travel_with_the_request()
    {
        var decoder = new CountingDecoder();
        var study = new DraftStudyBuilder(decoder, 1 << 30).Build(new DraftStudyInput
        {
            Frontal = Shared("00000001_000.png"), Lateral = Fixture("rgb420_baseline.jpg"), Prior = Shared("siim-cxr-sample.dcm"),
            Indication = "cough", Grounded = true, MaxTokens = 64,
        });
        decoder.Calls.ShouldBe(3);
        var png = ImageDecoder.Decode(File.ReadAllBytes(SharedData.Data("images", "00000001_000.png")));
        study.FrontalSize.ShouldBe(new DraftImageSize(png.Width, png.Height, "png"));
        study.Frontal.MediaType.ShouldBe("image/png");
        study.Lateral!.MediaType.ShouldBe("image/jpeg");
        study.Prior!.MediaType.ShouldBe("application/dicom");
        ((PixelImage)study.Frontal.Decoded!.Pixels).Pixels.ShouldBe(png.Pixels);
        study.ImageCount.ShouldBe(3);

        var request = study.ToRequest(MobileNet);
        request.FrontalGeometry.ShouldBe(CropGeometry.For(MobileNet, png.Width, png.Height));
        (request.Grounded, request.MaxOutputTokens, request.Indication, request.Modality).ShouldBe((true, 64, "cough", "cxr"));
        study.ToRequest(null).FrontalGeometry.ShouldBeNull();   // a text-only model: boxes stay fractions

        // The decoded image rides on the chat message: the embedding provider gets it instead of decoding again.
        var service = new DraftingService(new DraftPromptTests.NoChat(), ReportGen.Pipelines.Prompts.PromptLibrary.LoadDefault());
        var images = service.Build(request).Messages[^1].Contents.OfType<Microsoft.Extensions.AI.DataContent>().ToList();
        images.Select(i => i.RawRepresentation).ShouldBe([study.Frontal.Decoded, study.Lateral.Decoded, study.Prior.Decoded]);
    }

    [Fact]
    public void Every_rule_names_its_field()
    {
        var png = Shared("00000001_000.png");
        var cases = new (DraftStudyInput Input, string Field, InputProblem Problem)[]
        {
            (new() { Indication = "cough" }, "frontal", InputProblem.Invalid),
            (new() { Frontal = new DraftStudyFile(Array.Empty<byte>()) }, "frontal", InputProblem.Invalid),
            (new() { Frontal = new DraftStudyFile("FINDINGS: not an image"u8.ToArray()) }, "frontal", InputProblem.Invalid),
            (new() { Frontal = new DraftStudyFile(png.Bytes[..60]) }, "frontal", InputProblem.Invalid),
            (new() { Frontal = png, Lateral = new DraftStudyFile("GIF89a"u8.ToArray()) }, "lateral", InputProblem.Invalid),
            (new() { Frontal = png, Modality = "mri" }, "modality", InputProblem.Invalid),
            (new() { Frontal = png, Modality = "ct" }, "frontal", InputProblem.Invalid),
            (new() { Frontal = png, Modality = "CT", Lateral = png }, "lateral", InputProblem.Invalid),
            (new() { Frontal = png, Modality = "ct", Prior = png }, "prior", InputProblem.Invalid),
            (new() { Frontal = png, MaxTokens = 0 }, "max_tokens", InputProblem.Invalid),
            (new() { Frontal = png, MaxTokens = 4097 }, "max_tokens", InputProblem.Invalid),
            (new() { Frontal = png, Indication = "a\0b" }, "indication", InputProblem.Invalid),
            (new() { Frontal = png, Technique = new string('a', DraftStudyBuilder.MaxShortFieldChars + 1) }, "technique", InputProblem.TooLarge),
            (new() { Frontal = png, PriorReport = new string('a', DraftStudyBuilder.MaxPriorReportChars + 1) }, "prior_report", InputProblem.TooLarge),
        };
        foreach (var (input, field, problem) in cases)
        {
            var e = Refused(input);
            (e.Field, e.Problem).ShouldBe((field, problem), e.Message);
            e.Message.ShouldStartWith(field + ":");
        }
        // The per-image limit is the host's: 413 with the decoder's code.
        var large = Refused(new() { Frontal = png }, maxImageBytes: 1000);
        (large.Field, large.Problem, large.Code).ShouldBe(("frontal", InputProblem.TooLarge, "too_large"));
    }

    [Fact]
    public void Messages_name_fields_the_way_the_host_does()
    {
        var builder = new DraftStudyBuilder(new StudyImageDecoder(), 1 << 30, f => f == "frontal" ? "--image" : "--" + f);
        var e = Should.Throw<DraftInputException>(() => builder.Build(new() { Frontal = new DraftStudyFile("nope"u8.ToArray(), "x.png") }));
        e.Field.ShouldBe("frontal");
        e.Message.ShouldStartWith("--image: cannot decode x.png: ");
        Should.Throw<DraftInputException>(() => builder.Build(new() { Frontal = Shared("00000001_000.png"), Modality = "ct" }))
            .Message.ShouldContain("--modality ct needs a series");
    }

    [Fact]
    public void Form_text_fields_parse_like_the_api_always_did()
    {
        var builder = new DraftStudyBuilder(new StudyImageDecoder(), 1 << 30);
        foreach (var yes in new[] { "true", "1", "YES", " on " }) builder.Flag("grounded", yes).ShouldBeTrue();
        foreach (var no in new[] { null, "", "false", "0", "no", "off" }) builder.Flag("grounded", no).ShouldBeFalse();
        Should.Throw<DraftInputException>(() => builder.Flag("grounded", "maybe")).Field.ShouldBe("grounded");
        builder.Integer("max_tokens", "32").ShouldBe(32);
        builder.Integer("max_tokens", null).ShouldBeNull();
        Should.Throw<DraftInputException>(() => builder.Integer("max_tokens", "-1")).Field.ShouldBe("max_tokens");
        Should.Throw<DraftInputException>(() => builder.Integer("max_tokens", "many")).Field.ShouldBe("max_tokens");
    }
}
