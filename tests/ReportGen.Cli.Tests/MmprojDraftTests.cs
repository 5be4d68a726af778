using System.Security.Cryptography;
using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.Core.Models;
using ReportGen.Llama.Native;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>
/// <c>reportgen draft</c> with a models.json set of kind mmproj (an LLM GGUF + its mmproj run by libmtmd): the tiny
/// random-weight LLaVA and Gemma 3 fixtures on real chest X-ray PNGs. Mechanics only: the text is noise.
/// </summary>
public class MmprojDraftTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The repo manifest, resolving the fixture GGUFs from tests/fixtures/gguf and the rest from ../shared/models.</summary>
    internal static ModelResolver Resolver()
    {
        LlamaLibrary.EnsureInitialised();
        if (LlamaLibrary.MtmdPath is null) Assert.Skip($"libmtmd is not provisioned in {LlamaLibrary.Directory} (run build/native/provision.sh mtmd, then rebuild)");
        return new ModelResolver(ModelManifest.Load(RepoFiles.Path("models", "models.json")), [RepoFiles.Path("tests", "fixtures", "gguf"), SharedData.Require("models")]);
    }

    [Fact]
    public async Task Without_a_model_and_without_model_files_a_checkout_drafts_with_its_test_set_and_says_so_in_one_line()
    {
        Resolver(); // skips without libmtmd
        // Search folders with nothing in them but ../shared/models (a fresh clone: models/ holds no weights).
        var resolver = new ModelResolver(ModelManifest.Load(RepoFiles.Path("models", "models.json")), [SharedData.Require("models")]);
        var options = new DraftCliOptions { Image = SharedData.Data("images", "00000001_000.png"), MaxTokens = 8, Threads = 1 };
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        (await DraftCommand.RunAsync(options, stdout, stderr, resolver, Ct)).ShouldBe(0, stderr.ToString());
        // llama.cpp's multimodal path, with the most trained weights: the IU X-ray LLaMA from ../shared/models
        var notice = stderr.ToString().Split('\n').Single(l => l.Contains("no --model", StringComparison.Ordinal));
        notice.ShouldContain("'iu-xray-llava'");
        notice.ShouldContain("the findings do not follow the image");
        using var doc = JsonDocument.Parse(stdout.ToString());
        doc.RootElement.GetProperty("provenance").GetProperty("model_set").GetString().ShouldBe("iu-xray-llava");
    }

    [Theory]
    [InlineData("tiny-llava-vlm", "draft-findings-llava")]
    [InlineData("tiny-gemma3-vlm", "draft-findings-gemma3")]
    public async Task Draft_with_an_mmproj_set_sends_the_image_through_libmtmd_and_names_the_mmproj_and_family_prompt(string setId, string promptName)
    {
        var resolver = Resolver();
        var options = new DraftCliOptions { Image = SharedData.Data("images", "00000001_000.png"), Model = setId, Indication = "cough", MaxTokens = 16, Threads = 1 };
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        (await DraftCommand.RunAsync(options, stdout, stderr, resolver, Ct)).ShouldBe(0, stderr.ToString());
        using var doc = JsonDocument.Parse(stdout.ToString());
        var provenance = doc.RootElement.GetProperty("provenance");
        provenance.GetProperty("model_set").GetString().ShouldBe(setId);
        provenance.GetProperty("images_injected").GetInt32().ShouldBe(1);
        provenance.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("role").GetString()).ShouldBe(["llm", "mmproj"]);
        provenance.GetProperty("prompt").GetProperty("name").GetString().ShouldBe(promptName);
        provenance.GetProperty("prompt").GetProperty("sha256").GetString()
            .ShouldBe(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(RepoFiles.Path("prompts", promptName + ".yaml"), Ct))));

        // Another image of another size: the projector resizes it to its own input, so the prompt length is the same.
        var other = new StringWriter();
        (await DraftCommand.RunAsync(options with { Image = SharedData.Data("images", "00027426_000.png") }, other, new StringWriter(), resolver, Ct)).ShouldBe(0);
        using var otherDoc = JsonDocument.Parse(other.ToString());
        otherDoc.RootElement.GetProperty("provenance").GetProperty("prompt_tokens").GetInt32()
            .ShouldBe(provenance.GetProperty("prompt_tokens").GetInt32());
    }
}
