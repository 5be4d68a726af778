using ReportGen.Core.Models;
using ReportGen.TestSupport;

namespace ReportGen.Onnx.Tests;

public class VisionLanguageModelSetTests
{
    /// <summary>The repo manifest, resolving projectors from tests/fixtures/onnx and the rest from shared/models.</summary>
    internal static ModelResolver Resolver() =>
        new(ModelManifest.Load(RepoFiles.Path("models", "models.json")), [Fixtures.Onnx(""), SharedData.Require("models")]);

    [Fact]
    public async Task Set_composes_encoder_and_projector_into_the_llm_embedding_size()
    {
        using var set = VisionLanguageModelSet.Load(Resolver(), "stories260k-mobilenet");
        set.Llm.Entry.Id.ShouldBe("stories260k");
        set.Llm.Path.ShouldEndWith("stories260K.gguf");
        set.Projector.ActualSha256.ShouldBe(set.Projector.Entry.Sha256);
        set.Dimension.ShouldBe(64);
        set.EncoderPreprocessing.ShortestEdge.ShouldBe(256);

        var ct = TestContext.Current.CancellationToken;
        var png = await File.ReadAllBytesAsync(SharedData.Data("images", "00000001_000.png"), ct);
        var other = await File.ReadAllBytesAsync(SharedData.Data("images", "00027426_000.png"), ct);
        var e = await set.EmbedAsync(png, "image/png", ct);
        (e.Tokens, e.Dimension).ShouldBe((4, 64));
        (await set.EmbedAsync(png, "image/png", ct)).Values.ShouldBe(e.Values);
        (await set.EmbedAsync(other, "image/png", ct)).Values.ShouldNotBe(e.Values);

        // An image the front door already decoded is encoded from its pixels: the bytes are not decoded again
        // (here they are garbage, and the embedding is still that of the decoded image).
        var decoded = new ReportGen.Imaging.StudyImageDecoder().Decode(png, long.MaxValue);
        (await set.EmbedAsync(new byte[] { 1, 2, 3 }, "image/png", decoded, ct)).Values.ShouldBe(e.Values);
    }

    [Fact]
    public void Unknown_set_and_missing_projector_are_clear_errors()
    {
        var repoResolver = Resolver(); // outside the assertion: a missing ../shared skips, not fails
        Should.Throw<KeyNotFoundException>(() => VisionLanguageModelSet.Load(repoResolver, "nope")).Message.ShouldContain("stories260k-mobilenet");
        // Without tests/fixtures/onnx on the search path the projector cannot be found.
        var resolver = new ModelResolver(ModelManifest.Load(RepoFiles.Path("models", "models.json")), [SharedData.Require("models")]);
        Should.Throw<FileNotFoundException>(() => VisionLanguageModelSet.Load(resolver, "stories260k-mobilenet")).Message.ShouldContain("projector-mobilenet-64");
    }
}
