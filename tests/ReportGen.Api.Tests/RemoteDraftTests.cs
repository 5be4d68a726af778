using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.Api.Hosting;
using ReportGen.Eval.Bench;
using ReportGen.Imaging;
using ReportGen.Imaging.Ct;
using ReportGen.Imaging.Png;
using ReportGen.Llama.Native;
using ReportGen.Pipelines.Drafting;
using ReportGen.Pipelines.Prompts;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>
/// POST /v1/reports/draft with the model on a remote engine: the real llama-server (cached build) serving the tiny
/// random-weight LLaVA fixture with <c>--mmproj</c>, compared with llama-server asked directly and with our local mmproj
/// path on the same set; a fake upstream for what the real one cannot show on cue (a server without vision, the exact
/// image and prompt sent, boxes mapped back).
/// </summary>
public sealed class RemoteDraftTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Fixture(string file) => RepoFiles.Path("tests", "fixtures", "gguf", file);

    private static ApiFactory Remote(string url, string? family = "llava", IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ReportGen:Llm:RemoteUrl"] = url,
            ["ReportGen:Llm:RemoteVisionFamily"] = family,
            ["ReportGen:Llm:RemoteVisionImageSize"] = "56",   // the fixture mmproj's clip.vision.image_size
            ["ReportGen:Llm:RemoteHealthSeconds"] = "1",
            ["ReportGen:Llm:RemoteTimeoutSeconds"] = "60",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        return new ApiFactory(settings);
    }

    private static MultipartFormDataContent Study(byte[] frontal, string name, int maxTokens, bool grounded = false)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(frontal), "frontal", name }, { new StringContent(maxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture)), "max_tokens" } };
        if (grounded) form.Add(new StringContent("true"), "grounded");
        return form;
    }

    private static async Task<JsonElement> Draft(HttpClient client, MultipartFormDataContent form)
    {
        var response = await client.PostAsync("/v1/reports/draft", form, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    // Gemma 3 (MedGemma's family): llama-server's Jinja rendering of the GGUF's template and our built-in one write the same
    // prompt, so the drafts equal our local mmproj path's. LLaVA's Vicuna template does not: Jinja ends the user turn with
    // a space where llama.cpp's built-in formatter (ours, and llama-server --no-jinja, which also puts a newline after the
    // image) writes a newline; the drafts then equal llama-server's own answer only.
    [Theory]
    [InlineData("gemma3", "tiny-gemma3.gguf", "tiny-gemma3-mmproj.gguf", 112, "tiny-gemma3-vlm")]
    [InlineData("llava", "tiny-llava-llama.gguf", "tiny-llava-mmproj-128.gguf", 56, null)]
    public async Task Draft_through_llama_server_with_an_mmproj_writes_what_llama_server_and_the_local_mmproj_path_write(string family, string llm, string mmproj, int side, string? localSet)
    {
        var png = await File.ReadAllBytesAsync(SharedData.Data("images", "00000001_000.png"), Ct);
        var dicom = await File.ReadAllBytesAsync(SharedData.Data("images", "siim-cxr-sample.dcm"), Ct);
        await using var llama = await LlamaServerProcess.StartAsync(Fixture(llm), context: 1024, mmproj: Fixture(mmproj));
        await using var factory = Remote(llama.Url, family, new Dictionary<string, string?> { ["ReportGen:Llm:RemoteVisionImageSize"] = side.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var client = factory.CreateAuthorizedClient();
        await LlmApiTests.WaitReady(client);

        var remotePng = await Draft(client, Study(png, "f.png", 24));
        var remoteDicom = await Draft(client, Study(dicom, "f.dcm", 24));
        var provenance = remotePng.GetProperty("provenance");
        provenance.GetProperty("model_set").GetString().ShouldBe("remote:" + family);
        provenance.GetProperty("prompt").GetProperty("name").GetString().ShouldBe("draft-findings-" + family);
        var model = provenance.GetProperty("models").EnumerateArray().ShouldHaveSingleItem();
        model.GetProperty("sha256").GetString().ShouldBe("remote:" + llama.Url);
        remotePng.GetProperty("text").GetString().ShouldNotBeNullOrEmpty();
        remoteDicom.GetProperty("text").GetString().ShouldNotBe(remotePng.GetProperty("text").GetString());   // the image reaches the model

        // Streamed (SSE from llama-server through ours): the result event carries the same text.
        var stream = await client.PostAsync("/v1/reports/draft/stream", Study(png, "f.png", 24), Ct);
        stream.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = (await stream.Content.ReadAsStringAsync(Ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^1].Split('\n');
        result.ShouldContain("event: result");
        JsonDocument.Parse(result.Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..]).RootElement
            .GetProperty("text").GetString().ShouldBe(remotePng.GetProperty("text").GetString());

        // llama-server asked directly, at temperature 0, with the PNG file itself (not our re-encoding) and the same prompt.
        var prompts = factory.Services.GetRequiredService<PromptLibrary>();
        var rendered = new DraftingService(new NoChat(), prompts, promptName: "draft-findings-" + family)
            .Build(new DraftRequest { Frontal = new StudyImage(png, "image/png") }).Messages;
        using var direct = new HttpClient();
        var answer = await direct.PostAsJsonAsync(llama.Url + "/v1/chat/completions", new
        {
            messages = rendered.Select(m => m.Role == ChatRole.User
                ? (object)new { role = "user", content = new object[] { new { type = "image_url", image_url = new { url = "data:image/png;base64," + Convert.ToBase64String(png) } }, new { type = "text", text = m.Text } } }
                : new { role = m.Role.Value, content = m.Text }).ToArray(),
            temperature = 0, max_tokens = 24,
        }, Ct);
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        var directText = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        remotePng.GetProperty("text").GetString().ShouldBe(directText);

        // Our local mmproj path on the same GGUFs, the same files and the same prompt writes the same text.
        if (localSet is null) return;
        LlamaLibrary.EnsureInitialised();
        if (LlamaLibrary.MtmdPath is null) Assert.Skip($"libmtmd is not provisioned in {LlamaLibrary.Directory}: the remote drafts matched llama-server; the local comparison needs build/native/provision.sh mtmd");
        await using var local = new ApiFactory(new Dictionary<string, string?>
        {
            ["ReportGen:Llm:ModelSet"] = localSet, ["ReportGen:Llm:ContextSize"] = "1024", ["ReportGen:Llm:Threads"] = "1", ["ReportGen:Llm:Sequences"] = "1",
        })
        { ModelFolders = [RepoFiles.Path("tests", "fixtures", "gguf"), SharedData.Require("models")] };
        using var localClient = local.CreateAuthorizedClient();
        await LlmApiTests.WaitReady(localClient);
        var localPng = await Draft(localClient, Study(png, "f.png", 24));
        localPng.GetProperty("text").GetString().ShouldBe(remotePng.GetProperty("text").GetString());
        localPng.GetProperty("provenance").GetProperty("prompt_tokens").GetInt32().ShouldBe(remotePng.GetProperty("provenance").GetProperty("prompt_tokens").GetInt32());
        (await Draft(localClient, Study(dicom, "f.dcm", 24))).GetProperty("text").GetString().ShouldBe(remoteDicom.GetProperty("text").GetString());
    }

    // A CT series on a remote engine: the 2-D slices a local encoder set samples by default (8, evenly spaced, the lung,
    // mediastinum and bone windows as RGB), each as a PNG image_url, with the modality-neutral drafting prompt.
    [Fact]
    public async Task A_ct_series_goes_to_llama_server_as_its_sampled_windowed_slices_and_comes_back_grouped_by_organ_system()
    {
        await using var llama = await LlamaServerProcess.StartAsync(Fixture("tiny-llava-llama.gguf"), context: 2048, mmproj: Fixture("tiny-llava-mmproj-128.gguf"));
        await using var factory = Remote(llama.Url, "llava");
        using var client = factory.CreateAuthorizedClient();
        await LlmApiTests.WaitReady(client);
        var plain = SyntheticDicom.Zip(SyntheticDicom.CreateCtSeries());
        var nodule = SyntheticDicom.Zip(SyntheticDicom.CreateCtSeries(noduleRadius: 0.15));
        MultipartFormDataContent Series(byte[] zip) => new()
        {
            { new ByteArrayContent(zip), "frontal", "series.zip" }, { new StringContent("ct"), "modality" }, { new StringContent("24"), "max_tokens" },
        };

        var first = await Draft(client, Series(plain));
        first.GetProperty("modality").GetString().ShouldBe("ct");
        first.GetProperty("organ_systems").EnumerateObject().Sum(o => o.Value.GetArrayLength()).ShouldBe(first.GetProperty("findings").GetArrayLength());
        var provenance = first.GetProperty("provenance");
        provenance.GetProperty("model_set").GetString().ShouldBe("remote:llava");
        provenance.GetProperty("prompt").GetProperty("name").GetString().ShouldBe("draft-findings");   // the family's prompt asks about a chest X-ray
        (await Draft(client, Series(plain))).GetProperty("text").GetString().ShouldBe(first.GetProperty("text").GetString());
        (await Draft(client, Series(nodule))).GetProperty("text").GetString().ShouldNotBe(first.GetProperty("text").GetString());   // the slices reach the model

        // llama-server asked directly with the slices made here (8 evenly spaced, three windows as RGB) and the same prompt.
        var volume = CtSeriesReader.ReadZip(plain);
        var slices = volume.SampleSlices(8, [CtWindow.ByName("lung"), CtWindow.ByName("mediastinum"), CtWindow.ByName("bone")])
            .Select(slice => PngEncoder.EncodeRgb(RgbImageDecoder.ToRgb(slice))).ToList();
        var rendered = new DraftingService(new NoChat(), factory.Services.GetRequiredService<PromptLibrary>(), attachImages: false)
            .Build(new DraftRequest { Frontal = new StudyImage(plain, "application/zip"), Modality = "ct" }).Messages;
        using var direct = new HttpClient();
        var answer = await direct.PostAsJsonAsync(llama.Url + "/v1/chat/completions", new
        {
            messages = rendered.Select(m => m.Role == ChatRole.User
                ? (object)new
                {
                    role = "user",
                    content = slices.SelectMany((png, i) => (object[])[new { type = "text", text = $"CT slice {i + 1} of 8:" },
                            new { type = "image_url", image_url = new { url = "data:image/png;base64," + Convert.ToBase64String(png) } }])
                        .Append(new { type = "text", text = m.Text }).ToArray(),
                }
                : new { role = m.Role.Value, content = m.Text }).ToArray(),
            temperature = 0, max_tokens = 24,
        }, Ct);
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Ct)).RootElement;
        first.GetProperty("text").GetString().ShouldBe(body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        // The same tokens went in: the same eight images and text.
        body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().ShouldBe(provenance.GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Llama_server_without_an_mmproj_is_422_naming_image_and_without_a_family_503_names_the_setting()
    {
        await using var llama = await LlamaServerProcess.StartAsync(Fixture("tiny-llava-llama.gguf"), context: 1024);
        await Refused(Remote(llama.Url), HttpStatusCode.UnprocessableEntity, "image", "--mmproj");
        await Refused(Remote(llama.Url, family: null), HttpStatusCode.ServiceUnavailable, "model", "ReportGen:Llm:RemoteVisionFamily");
    }

    // A draft the service refuses: the status, the field at fault and what the detail says.
    private static async Task Refused(ApiFactory service, HttpStatusCode status, string field, string detail, bool waitReady = true)
    {
        await using var factory = service;
        using var client = factory.CreateAuthorizedClient();
        if (waitReady) await LlmApiTests.WaitReady(client);
        var response = await client.PostAsync("/v1/reports/draft", Study(Multipart.Png(), "f.png", 8), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(status, text);
        var problem = JsonDocument.Parse(text).RootElement;
        problem.GetProperty("field").GetString().ShouldBe(field, text);
        problem.GetProperty("detail").GetString()!.ShouldContain(detail);
    }

    [Fact]
    public async Task A_dicom_goes_as_a_lossless_png_and_grounded_boxes_map_back_through_the_gemma3_letterbox()
    {
        const string Answer = "<obj>Small left effusion.<box><x10><y60><x40><y90></box></obj>";
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            if (context.Request.Path != "/v1/chat/completions") { context.Response.StatusCode = 404; return; }
            await context.Response.WriteAsJsonAsync(new
            {
                id = "chatcmpl-fake", @object = "chat.completion", created = 1, model = "medgemma",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = Answer }, finish_reason = "stop" } },
            });
        });
        await using var factory = Remote(upstream.Url, "gemma3", new Dictionary<string, string?> { ["ReportGen:Llm:RemoteVisionImageSize"] = null });
        using var client = factory.CreateAuthorizedClient();
        await LlmApiTests.WaitReady(client);
        var dicom = await File.ReadAllBytesAsync(SharedData.Data("images", "siim-cxr-sample.dcm"), Ct);
        var body = await Draft(client, Study(dicom, "f.dcm", 64, grounded: true));

        // What went upstream: one image_url part, a PNG of the pixels our local path hands llama.cpp, then MedGemma's prompt.
        using var sent = JsonDocument.Parse(upstream.ChatBodies.Single());
        var parts = sent.RootElement.GetProperty("messages").EnumerateArray().Last().GetProperty("content");
        var url = parts[0].GetProperty("image_url").GetProperty("url").GetString()!;
        url.ShouldStartWith("data:image/png;base64,");
        var decoded = ReportGen.Imaging.ImageDecoder.Decode(Convert.FromBase64String(url["data:image/png;base64,".Length..]));
        var expected = ReportGen.Imaging.RgbImageDecoder.ToRgb(ReportGen.Imaging.ImageDecoder.Decode(dicom));
        ReportGen.Imaging.RgbImageDecoder.ToRgb(decoded).Pixels.ShouldBe(expected.Pixels);
        body.GetProperty("provenance").GetProperty("prompt").GetProperty("name").GetString().ShouldBe("draft-findings-gemma3");

        // A wide image: the box is in the 896-pixel square the engine letterboxed it into, mapped back as the local path maps it.
        var wide = await Draft(client, Study(Multipart.NoisePng(300, 150), "w.png", 64, grounded: true));
        var box = wide.GetProperty("findings")[0].GetProperty("boxes")[0];
        var view = DraftingService.Parse(Answer, null).Findings[0].Boxes[0].Normalized;   // bins as fractions of the model's square
        var pixels = CropGeometry.For(ReportGen.Llama.MultimodalProjector.LetterboxView(896), 300, 150).ToPixels(view);
        box.GetProperty("pixels").GetProperty("x_min").GetDouble().ShouldBe(pixels.XMin, 0.2);
        box.GetProperty("pixels").GetProperty("y_max").GetDouble().ShouldBe(pixels.YMax, 0.2);
        Math.Abs(pixels.YMax - CropGeometry.Whole(300, 150).ToPixels(view).YMax).ShouldBeGreaterThan(1.0);   // the letterbox's bands are undone
    }

    [Fact]
    public async Task An_unknown_family_fails_the_start_naming_the_setting()
    {
        await using var upstream = await FakeUpstream.StartAsync(context => { context.Response.StatusCode = 404; return Task.CompletedTask; });
        await Refused(Remote(upstream.Url, "llava-next"), HttpStatusCode.ServiceUnavailable, "model", "RemoteVisionFamily 'llava-next' is not one of llava, gemma3, qwen2vl, other", waitReady: false);
    }

    // The drafting service only renders here.
    private sealed class NoChat : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
