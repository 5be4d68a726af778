using System.Security.Cryptography;
using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.Core.Models;
using ReportGen.Llama.Native;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>
/// <c>reportgen draft</c> with a models.json set of kind mmproj (an LLM GGUF + its mmproj run by libmtmd): the tiny
/// random-weight LLaVA fixture on a real chest X-ray PNG. Mechanics only: the text is noise.
/// </summary>
public class MmprojDraftTests
{
    private const string SetId = "tiny-llava-mmproj-set";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A manifest holding the fixture LLM and mmproj as one mmproj set, resolved from tests/fixtures/gguf.</summary>
    private static ModelResolver Resolver(string llmFile = "tiny-llama-llava.gguf", string mmprojFile = "tiny-llava-mmproj.gguf")
    {
        LlamaLibrary.EnsureInitialised();
        if (LlamaLibrary.MtmdPath is null) Assert.Skip($"libmtmd is not provisioned in {LlamaLibrary.Directory} (run build/native/provision.sh mtmd, then rebuild)");
        var folder = RepoFiles.Path("tests", "fixtures", "gguf");
        ModelEntry Entry(string id, ModelRole role, string file)
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path)) Assert.Skip($"tests/fixtures/gguf/{file} is absent");
            return new ModelEntry
            {
                Id = id, Role = role, File = file, Sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))),
                Size = new FileInfo(path).Length, Source = "tests/fixtures/gguf", Licence = "MIT (this project)",
            };
        }
        var manifest = new ModelManifest
        {
            Models = [Entry("tiny-llm", ModelRole.Llm, llmFile), Entry("tiny-mmproj", ModelRole.Mmproj, mmprojFile)],
            Sets = [new ModelSet { Id = SetId, Kind = ModelSetKind.Mmproj, Llm = "tiny-llm", Mmproj = "tiny-mmproj", Modality = "cxr" }],
        };
        return new ModelResolver(manifest, [folder]);
    }

    [Fact]
    public async Task Draft_with_an_mmproj_set_sends_the_image_through_libmtmd_and_names_the_mmproj_and_family_prompt()
    {
        var resolver = Resolver();
        var options = new DraftCliOptions { Image = SharedData.Data("images", "00000001_000.png"), Model = SetId, Indication = "cough", MaxTokens = 16, Threads = 1 };
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        (await DraftCommand.RunAsync(options, stdout, stderr, resolver, Ct)).ShouldBe(0, stderr.ToString());
        using var doc = JsonDocument.Parse(stdout.ToString());
        var provenance = doc.RootElement.GetProperty("provenance");
        provenance.GetProperty("model_set").GetString().ShouldBe(SetId);
        provenance.GetProperty("images_injected").GetInt32().ShouldBe(1);
        provenance.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("role").GetString()).ShouldBe(["llm", "mmproj"]);
        provenance.GetProperty("prompt").GetProperty("name").GetString().ShouldBe("draft-findings-llava");
        provenance.GetProperty("prompt").GetProperty("sha256").GetString()
            .ShouldBe(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(RepoFiles.Path("prompts", "draft-findings-llava.yaml"), Ct))));

        // Another image of another size: the projector resizes it to its own input, so the prompt length is the same.
        var other = new StringWriter();
        (await DraftCommand.RunAsync(options with { Image = SharedData.Data("images", "00027426_000.png") }, other, new StringWriter(), resolver, Ct)).ShouldBe(0);
        using var otherDoc = JsonDocument.Parse(other.ToString());
        otherDoc.RootElement.GetProperty("provenance").GetProperty("prompt_tokens").GetInt32()
            .ShouldBe(provenance.GetProperty("prompt_tokens").GetInt32());
    }
}
