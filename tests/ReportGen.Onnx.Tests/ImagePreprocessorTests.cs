using ReportGen.Imaging;

namespace ReportGen.Onnx.Tests;

public class ImagePreprocessorTests
{
    private static Core.Models.Preprocessing Spec(int w, int h, string resize = "stretch", string channels = "L", string layout = "NCHW", float[]? mean = null, float[]? std = null) => new()
    {
        Width = w, Height = h, Resize = resize, Crop = resize == "shortest-edge" ? "center" : "none", Channels = channels, Layout = layout,
        Mean = mean ?? [0f], Std = std ?? [1f], InputName = "x",
    };

    private static float[] Run(ImagePreprocessor p, PixelImage image)
    {
        var dst = new float[p.ValuesPerImage];
        p.Process(image, dst);
        return dst;
    }

    [Fact]
    public void Matches_the_independent_numpy_reference_for_shortest_edge_area_downscale_and_crop()
    {
        // /usr/bin/python3 tests/fixtures/onnx/golden_preprocess.py OUT.f32 (dense resize matrices, float64)
        var p = new ImagePreprocessor(Fixtures.MobileNetSpec);
        var t = Run(p, Fixtures.SmoothGrey());
        t[0].ShouldBe(0.7525300979614258f, 1e-4f);
        t[1000].ShouldBe(1.5498656034469604f, 1e-4f);
        t[50000].ShouldBe(-0.4498414993286133f, 1e-4f);
        t[150000].ShouldBe(1.6049609184265137f, 1e-4f);
        ((double)t.Average()).ShouldBe(0.2288585901260376, 1e-4);
        t.Min().ShouldBe(-2.1144931316375732f, 1e-4f);
        t.Max().ShouldBe(2.63651967048645f, 1e-4f);
    }

    [Fact]
    public void Big_downscale_averages_areas()
    {
        var pixels = new float[64];
        for (var i = 0; i < 64; i++) pixels[i] = i;
        var t = Run(new ImagePreprocessor(Spec(2, 2)), new PixelImage(8, 8, 1, pixels));
        // each output is the mean of a 4x4 block of the 8x8 ramp
        t.ShouldBe([13.5f, 17.5f, 45.5f, 49.5f], tolerance: 1e-4f);
    }

    [Fact]
    public void Upscale_is_bilinear_with_half_pixel_centres()
    {
        var t = Run(new ImagePreprocessor(Spec(4, 1)), new PixelImage(2, 1, 1, [0f, 1f]));
        t.ShouldBe([0f, 0.25f, 0.75f, 1f], tolerance: 1e-6f);
    }

    [Fact]
    public void Grey_is_replicated_to_rgb_and_normalised_per_channel()
    {
        var p = new ImagePreprocessor(Spec(2, 2, channels: "RGB", mean: [0.5f, 0.25f, 0f], std: [0.5f, 0.25f, 2f]));
        var t = Run(p, new PixelImage(2, 2, 1, [1f, 1f, 1f, 1f]));
        t.ShouldBe([1, 1, 1, 1, 3, 3, 3, 3, 0.5f, 0.5f, 0.5f, 0.5f], tolerance: 1e-6f);
        p.Shape(3).ShouldBe([3L, 3, 2, 2]);
    }

    [Fact]
    public void Bgr_nhwc_and_luminance_follow_the_manifest()
    {
        var rgba = new PixelImage(1, 1, 4, [0.1f, 0.2f, 0.3f, 1f]);
        Run(new ImagePreprocessor(Spec(1, 1, channels: "BGR", layout: "NHWC", mean: [0f, 0f, 0f], std: [1f, 1f, 1f])), rgba)
            .ShouldBe([0.3f, 0.2f, 0.1f], tolerance: 1e-6f);
        Run(new ImagePreprocessor(Spec(1, 1, channels: "RGB", layout: "NCHW", mean: [0f, 0f, 0f], std: [1f, 1f, 1f])), rgba)
            .ShouldBe([0.1f, 0.2f, 0.3f], tolerance: 1e-6f);
        Run(new ImagePreprocessor(Spec(1, 1, channels: "L")), rgba)
            .ShouldBe([0.299f * 0.1f + 0.587f * 0.2f + 0.114f * 0.3f], tolerance: 1e-6f);
        new ImagePreprocessor(Spec(4, 2, channels: "RGB", layout: "NHWC", mean: [0f, 0f, 0f], std: [1f, 1f, 1f])).Shape(1).ShouldBe([1L, 2, 4, 3]);
    }

    [Fact]
    public void Letterbox_pads_the_short_side_with_black()
    {
        // 4x2 white image into 4x4: rows 0 and 3 are padding, rows 1-2 the image
        var t = Run(new ImagePreprocessor(Spec(4, 4, resize: "letterbox", mean: [0.5f], std: [0.5f])), new PixelImage(4, 2, 1, Enumerable.Repeat(1f, 8).ToArray()));
        t.Take(4).ShouldAllBe(v => Math.Abs(v + 1f) < 1e-6f);
        t.Skip(4).Take(8).ShouldAllBe(v => Math.Abs(v - 1f) < 1e-6f);
        t.Skip(12).ShouldAllBe(v => Math.Abs(v + 1f) < 1e-6f);
    }

    [Fact]
    public void Shortest_edge_keeps_aspect_then_crops_the_centre()
    {
        // 8x4 horizontal ramp, shortest edge 4 -> stays 8x4, centre crop 4x4 = columns 2..5
        var pixels = new float[32];
        for (var y = 0; y < 4; y++) for (var x = 0; x < 8; x++) pixels[y * 8 + x] = x;
        var t = Run(new ImagePreprocessor(Spec(4, 4, resize: "shortest-edge")), new PixelImage(8, 4, 1, pixels));
        t.Take(4).ShouldBe([2f, 3f, 4f, 5f], tolerance: 1e-6f);
    }

    [Theory]
    [InlineData("resize", "zoom")]
    [InlineData("crop", "left")]
    [InlineData("channels", "CMYK")]
    [InlineData("layout", "CHWN")]
    [InlineData("mean", "two")]
    public void Unknown_manifest_values_are_named(string field, string value)
    {
        var spec = Spec(4, 4, channels: "RGB", mean: [0f, 0f, 0f], std: [1f, 1f, 1f]);
        spec = field switch
        {
            "resize" => spec with { Resize = value },
            "crop" => spec with { Crop = value },
            "channels" => spec with { Channels = value },
            "layout" => spec with { Layout = value },
            _ => spec with { Mean = [0f, 0f], Std = [1f, 1f] },
        };
        Should.Throw<ArgumentException>(() => new ImagePreprocessor(spec)).Message.ShouldContain(field);
    }

    [Fact]
    public void Inconsistent_images_are_rejected()
    {
        var p = new ImagePreprocessor(Spec(2, 2));
        Should.Throw<ArgumentException>(() => p.Process(new PixelImage(4, 4, 1, new float[15]), new float[4])).Message.ShouldContain("15 samples");
        Should.Throw<ArgumentException>(() => p.Process(new PixelImage(2, 2, 1, new float[4]), new float[3])).Message.ShouldContain("destination");
    }

    [Fact]
    public void Volumes_are_laid_out_ncdhw_and_resampled_in_depth()
    {
        var spec = Spec(2, 2, channels: "RGB", layout: "NCDHW", mean: [0f, 0f, 0f], std: [1f, 1f, 1f]) with { Depth = 2 };
        var p = new ImagePreprocessor(spec);
        p.Shape(1).ShouldBe([1L, 3, 2, 2, 2]);
        var slices = Enumerable.Range(0, 4).Select(d => new PixelImage(2, 2, 1, Enumerable.Repeat(d / 10f, 4).ToArray())).ToArray();
        var dst = new float[p.ValuesPerItem];
        p.ProcessVolume(slices, dst);
        // depth 2 from 4 slices samples slices 1 and 3; channel-major, then depth
        dst.ShouldBe([.1f, .1f, .1f, .1f, .3f, .3f, .3f, .3f, .1f, .1f, .1f, .1f, .3f, .3f, .3f, .3f, .1f, .1f, .1f, .1f, .3f, .3f, .3f, .3f], tolerance: 1e-6f);
        Should.Throw<InvalidOperationException>(() => new ImagePreprocessor(Spec(2, 2)).ProcessVolume(slices, dst));
    }
}
