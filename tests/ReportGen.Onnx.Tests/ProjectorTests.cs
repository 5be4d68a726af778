using System.Text;
using ReportGen.Imaging;

namespace ReportGen.Onnx.Tests;

public class ProjectorTests
{
    [Fact]
    public void Patch_projector_matches_numpy()
    {
        var expected = Fixtures.Expected("projector-patches");
        using var projector = Projector.Load(Fixtures.Onnx("projector-patches.onnx"));
        projector.TakesPatches.ShouldBeTrue();
        projector.InputDimension.ShouldBe(16);
        projector.OutputDimension.ShouldBe(24);
        var e = projector.Project(Fixtures.Probe(5 * 16), [1, 5, 16]);
        e.Tokens.ShouldBe(5);
        e.Dimension.ShouldBe(24);
        e.Values.Take(8).ShouldBe(Fixtures.Floats(expected.GetProperty("first")), tolerance: 1e-5f);
        e.Values.Sum().ShouldBe(expected.GetProperty("sum").GetSingle(), 1e-3f);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(320)]
    public void MobileNet_projectors_map_logits_to_llm_tokens(int dim)
    {
        var expected = Fixtures.Expected($"projector-mobilenet-{dim}");
        using var projector = Projector.Load(Fixtures.Onnx($"projector-mobilenet-{dim}.onnx"));
        projector.TakesPatches.ShouldBeFalse();
        projector.OutputDimension.ShouldBe(dim);
        var e = projector.Project(Fixtures.Probe(1000, 5f), [1, 1000]);
        (e.Tokens, e.Dimension).ShouldBe((4, dim));
        e.Values.Take(8).ShouldBe(Fixtures.Floats(expected.GetProperty("first")), tolerance: 1e-5f);
    }

    [Fact]
    public void Wrong_feature_size_is_a_clear_error()
    {
        using var projector = Projector.Load(Fixtures.Onnx("projector-patches.onnx"));
        Should.Throw<OnnxRuntimeException>(() => projector.Project(new float[5 * 8], [1, 5, 8])).Message.ShouldContain("expects [-1, -1, 16]");
    }

    [Fact]
    public async Task Provider_decodes_encodes_and_projects_into_the_llm_size()
    {
        using var encoder = new ImageEncoder("mobilenetv2-int8", OnnxSession.Load(MobileNet.Path), Fixtures.MobileNetSpec, ownsSession: true);
        using var projector = Projector.Load(Fixtures.Onnx("projector-mobilenet-320.onnx"));
        // A stand-in decoder until the Imaging decoders are wired: "WxH" text -> smooth grey image.
        var provider = new OnnxImageEmbeddingProvider(encoder, projector, (bytes, _) =>
        {
            var size = Encoding.ASCII.GetString(bytes.Span).Split('x').Select(int.Parse).ToArray();
            return Fixtures.SmoothGrey(size[0], size[1]);
        });
        provider.Dimension.ShouldBe(320);
        var e = await provider.EmbedAsync("640x480"u8.ToArray(), "image/x-test", TestContext.Current.CancellationToken);
        (e.Tokens, e.Dimension).ShouldBe((4, 320));
        e.Values.ShouldContain(v => v != 0f);
        var again = await provider.EmbedAsync("640x480"u8.ToArray(), null, TestContext.Current.CancellationToken);
        again.Values.ShouldBe(e.Values);

        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => provider.EmbedAsync("64x64"u8.ToArray(), null, cts.Token));
    }

    [Fact]
    public void Provider_checks_that_encoder_and_projector_fit()
    {
        using var encoder = new ImageEncoder("mobilenetv2-int8", OnnxSession.Load(MobileNet.Path), Fixtures.MobileNetSpec, ownsSession: true);
        using var projector = Projector.Load(Fixtures.Onnx("projector-patches.onnx"));
        using var pooledProjector = Projector.Load(Fixtures.Onnx("projector-mobilenet-64.onnx"));
        Should.NotThrow(() => new OnnxImageEmbeddingProvider(encoder, pooledProjector, (_, _) => new PixelImage(1, 1, 1, [0f])));
        using var wrongSize = Projector.Load(Fixtures.Onnx("projector-pooled-10.onnx"));
        Should.Throw<ArgumentException>(() => new OnnxImageEmbeddingProvider(encoder, wrongSize, (_, _) => new PixelImage(1, 1, 1, [0f])))
            .Message.ShouldContain("takes 10 features; encoder 'mobilenetv2-int8' gives 1000");
        // patch projector on a pooled-only encoder: pooled goes in as one patch row of 1000 -> ORT rejects 1000 vs 16 at run time
        var provider = new OnnxImageEmbeddingProvider(encoder, projector, (_, _) => Fixtures.SmoothGrey(64, 64));
        Should.Throw<OnnxRuntimeException>(() => provider.EmbedAsync(new byte[1], null, CancellationToken.None).GetAwaiter().GetResult());
    }
}

public class OnnxImageEmbeddingProviderTests
{
    [Fact]
    public async Task Real_png_bytes_become_llm_tokens_and_bad_bytes_a_decode_error()
    {
        var png = await File.ReadAllBytesAsync(TestSupport.SharedData.Data("images", "00000001_000.png"), TestContext.Current.CancellationToken);
        using var encoder = new ImageEncoder("mobilenetv2-int8", OnnxSession.Load(MobileNet.Path), Fixtures.MobileNetSpec, ownsSession: true);
        using var projector = Projector.Load(Fixtures.Onnx("projector-mobilenet-64.onnx"));
        var provider = new OnnxImageEmbeddingProvider(encoder, projector);
        var e = await provider.EmbedAsync(png, "image/png", TestContext.Current.CancellationToken);
        (e.Tokens, e.Dimension).ShouldBe((4, 64));
        e.Values.ShouldAllBe(v => float.IsFinite(v));
        await Should.ThrowAsync<ReportGen.Imaging.ImageDecodeException>(() => provider.EmbedAsync(png.AsMemory(0, 100), "image/png", TestContext.Current.CancellationToken));
    }
}
