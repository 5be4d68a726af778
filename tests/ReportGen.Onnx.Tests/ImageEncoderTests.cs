using ReportGen.Core.Models;
using ReportGen.Imaging;

namespace ReportGen.Onnx.Tests;

public class ImageEncoderTests
{
    private static ImageEncoder MobileNetEncoder() =>
        new("mobilenetv2-int8", OnnxSession.Load(MobileNet.Path), Fixtures.MobileNetSpec, ownsSession: true);

    [Fact]
    public void Golden_embedding_of_a_synthetic_image_through_independent_preprocessing_and_binding()
    {
        // numpy preprocessing (golden_preprocess.py) -> onnxruntime-node (golden-mobilenet.js MODEL OUT.f32), full vector in
        // golden-mobilenet-smooth.json. The int8 model quantises its input: preprocessed tensors that agree to 1e-6 (see
        // ImagePreprocessorTests) still flip a few quantisation steps, so the comparison is by direction and ranking; the
        // binding itself is checked exactly in OnnxSessionTests.
        var golden = Fixtures.Floats(System.Text.Json.JsonDocument.Parse(File.ReadAllText(Fixtures.Onnx(MobileNet.CpuHasVnni ? "golden-mobilenet-smooth.vnni.json" : "golden-mobilenet-smooth.json"))).RootElement.GetProperty("output"));
        using var encoder = MobileNetEncoder();
        var e = encoder.Encode(Fixtures.SmoothGrey());
        e.Dimension.ShouldBe(1000);
        e.Patches.ShouldBeNull();
        System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(e.Pooled, golden).ShouldBeGreaterThan(0.98f);
        Top(e.Pooled, 5).ShouldBeSubsetOf(Top(golden, 8)); // ties between equal quantised logits make the exact order arbitrary
        Top(e.Pooled, 1).ShouldBe(Top(golden, 1));
        e.Norm.ShouldBe(System.Numerics.Tensors.TensorPrimitives.Norm<float>(golden), 0.05f * e.Norm);
        e.PreprocessMs.ShouldBeGreaterThan(0);
        e.RunMs.ShouldBeGreaterThan(0);
        Math.Sqrt(e.UnitPooled().Sum(v => (double)v * v)).ShouldBe(1.0, 1e-5);
    }

    private static int[] Top(float[] v, int k) => v.Select((x, i) => (x, i)).OrderByDescending(p => p.x).Take(k).Select(p => p.i).ToArray();

    [Fact]
    public void A_batch_of_four_images_equals_four_single_encodes()
    {
        using var encoder = MobileNetEncoder();
        var images = new[] { Fixtures.SmoothGrey(640, 480), Fixtures.SmoothGrey(300, 900), Fixtures.SmoothGrey(2048, 2048), Fixtures.SmoothGrey(224, 224) };
        var batch = encoder.EncodeBatch(images, TestContext.Current.CancellationToken);
        batch.Count.ShouldBe(4);
        for (var k = 0; k < 4; k++)
        {
            var single = encoder.Encode(images[k]);
            for (var i = 0; i < 1000; i++) batch[k].Pooled[i].ShouldBe(single.Pooled[i], 1e-3f);
        }
        batch[0].Pooled.ShouldNotBe(batch[1].Pooled);
    }

    [Fact]
    public void Manifest_names_that_the_model_lacks_are_clear_errors()
    {
        using var session = OnnxSession.Load(MobileNet.Path);
        Should.Throw<ArgumentException>(() => new ImageEncoder("m", session, Fixtures.MobileNetSpec with { InputName = "pixel_values" }))
            .Message.ShouldContain("no input 'pixel_values'");
        Should.Throw<ArgumentException>(() => new ImageEncoder("m", session, Fixtures.MobileNetSpec with { PooledOutput = "pooler_output" }))
            .Message.ShouldContain("no output 'pooler_output'");
        Should.Throw<ArgumentException>(() => new ImageEncoder("m", session, Fixtures.MobileNetSpec with { Width = 256, Height = 256 }))
            .Message.ShouldContain("does not match");
    }

    [Fact]
    public void Loads_from_the_repository_manifest_entry()
    {
        var manifest = ModelManifest.Load(TestSupport.RepoFiles.Path("models", "models.json"));
        var entry = manifest.Find("mobilenetv2-int8")!;
        using var encoder = ImageEncoder.Load(entry, MobileNet.Path);
        encoder.ModelId.ShouldBe("mobilenetv2-int8");
        encoder.Encode(new PixelImage(64, 64, 3, new float[64 * 64 * 3])).Dimension.ShouldBe(1000);
    }

    [Fact]
    public void Three_d_encoder_gives_pooled_and_patch_embeddings_matching_numpy()
    {
        var expected = Fixtures.Expected("encoder3d");
        var spec = new Core.Models.Preprocessing
        {
            Width = 32, Height = 32, Depth = 8, Resize = "stretch", Crop = "none", Channels = "L", Layout = "NCDHW",
            Mean = [0f], Std = [1f], InputName = "volume", PooledOutput = "pooled", PatchOutput = "patches",
        };
        using var encoder = new ImageEncoder("encoder3d", OnnxSession.Load(Fixtures.Onnx("encoder3d.onnx")), spec, ownsSession: true);
        var probe = Fixtures.Probe(8 * 32 * 32);
        var slices = Enumerable.Range(0, 8).Select(d => new PixelImage(32, 32, 1, probe.AsSpan(d * 1024, 1024).ToArray())).ToArray();
        var e = encoder.EncodeVolume(slices, TestContext.Current.CancellationToken);
        e.Pooled.ShouldBe(Fixtures.Floats(expected.GetProperty("pooled")), tolerance: 1e-4f);
        e.PatchCount.ShouldBe(1024);
        e.PatchDimension.ShouldBe(4);
        e.Patches!.Take(8).ShouldBe(Fixtures.Floats(expected.GetProperty("patches_first")), tolerance: 1e-4f);
        Should.Throw<InvalidOperationException>(() => encoder.Encode(slices[0]));
    }
}
