using System.Net;
using System.Text;
using System.Text.Json;
using ReportGen.Llama.Native;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>
/// The service hosting a models.json set of kind mmproj (the tiny random-weight LLaVA fixture run by libmtmd):
/// /v1/reports/draft and /v1/chat/completions with an OpenAI image_url data URI go through the same mmproj path.
/// </summary>
public class MmprojApiTests(MmprojApiTests.Host host) : IClassFixture<MmprojApiTests.Host>
{
    public sealed class Host : IAsyncLifetime
    {
        private ApiFactory? _factory;

        public ApiFactory Factory => _factory ?? throw new InvalidOperationException("not initialised");

        public async ValueTask InitializeAsync()
        {
            LlamaLibrary.EnsureInitialised();
            if (SharedData.Root is null || LlamaLibrary.MtmdPath is null) return; // each test skips visibly
            _factory = new ApiFactory(new Dictionary<string, string?>
            {
                ["ReportGen:Llm:ModelSet"] = "tiny-llava-vlm",
                ["ReportGen:Llm:ContextSize"] = "2048",
                ["ReportGen:Llm:Threads"] = "1",
                ["ReportGen:Llm:Sequences"] = "2",
            })
            { ModelFolders = [RepoFiles.Path("tests", "fixtures", "gguf"), SharedData.Require("models")] };
            using var client = _factory.CreateAuthorizedClient();
            await LlmApiTests.WaitReady(client);
        }

        public async ValueTask DisposeAsync()
        {
            if (_factory is not null) await _factory.DisposeAsync();
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void RequireMtmd()
    {
        if (LlamaLibrary.MtmdPath is null) Assert.Skip($"libmtmd is not provisioned in {LlamaLibrary.Directory} (run build/native/provision.sh mtmd, then rebuild)");
    }

    [Fact]
    public async Task Draft_with_an_mmproj_set_names_the_mmproj_and_the_llava_prompt()
    {
        RequireMtmd();
        var png = await File.ReadAllBytesAsync(SharedData.Data("images", "00000001_000.png"), Ct);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(png), "frontal", "a.png" }, { new StringContent("8"), "max_tokens" } };
        using var client = host.Factory.CreateAuthorizedClient();
        var response = await client.PostAsync("/v1/reports/draft", form, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var provenance = JsonDocument.Parse(text).RootElement.GetProperty("provenance");
        provenance.GetProperty("prompt").GetProperty("name").GetString().ShouldBe("draft-findings-llava");
        provenance.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("role").GetString()).ShouldBe(["llm", "mmproj"]);
    }

    [Fact]
    public async Task Chat_completions_take_an_image_url_data_uri_through_the_mmproj_and_refuse_a_broken_one()
    {
        RequireMtmd();
        var png = await File.ReadAllBytesAsync(SharedData.Data("images", "00000001_000.png"), Ct);
        string Body(string dataUri) => JsonSerializer.Serialize(new
        {
            messages = new object[] { new { role = "user", content = new object[] { new { type = "image_url", image_url = new { url = dataUri } }, new { type = "text", text = "Describe the findings." } } } },
            max_tokens = 4,
        });
        using var client = host.Factory.CreateAuthorizedClient();
        var withImage = await client.PostAsync("/v1/chat/completions", new StringContent(Body("data:image/png;base64," + Convert.ToBase64String(png)), Encoding.UTF8, "application/json"), Ct);
        var answer = await withImage.Content.ReadAsStringAsync(Ct);
        withImage.StatusCode.ShouldBe(HttpStatusCode.OK, answer);
        var textOnly = await client.PostAsync("/v1/chat/completions", new StringContent(JsonSerializer.Serialize(new
        {
            messages = new object[] { new { role = "user", content = "Describe the findings." } }, max_tokens = 4,
        }), Encoding.UTF8, "application/json"), Ct);
        textOnly.StatusCode.ShouldBe(HttpStatusCode.OK);
        // The image's 16 embedding rows (and its text around them) count as prompt tokens.
        var withTokens = JsonDocument.Parse(answer).RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        var textTokens = JsonDocument.Parse(await textOnly.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        withTokens.ShouldBeGreaterThanOrEqualTo(textTokens + 16);

        var broken = await client.PostAsync("/v1/chat/completions", new StringContent(Body("data:image/png;base64," + Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47, 1, 2, 3])), Encoding.UTF8, "application/json"), Ct);
        var problem = await broken.Content.ReadAsStringAsync(Ct);
        broken.StatusCode.ShouldBe(HttpStatusCode.BadRequest, problem);
        // /v1/chat answers errors in OpenAI's shape: param names the field at fault.
        JsonDocument.Parse(problem).RootElement.GetProperty("error").GetProperty("param").GetString().ShouldNotBeNullOrWhiteSpace(problem);
    }
}
