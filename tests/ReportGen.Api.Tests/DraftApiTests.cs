using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using ReportGen.Core.Models;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>
/// POST /v1/reports/draft for real: the model set stories260k-mobilenet (MobileNetV2 int8 → 64-d projector →
/// stories260K, Threads = 1) hosted by the service, the NIH PNGs and the SIIM DICOM. The text is not medical; the
/// mechanics are checked: images reach the model, findings, FHIR, streaming, provenance.
/// </summary>
public class DraftApiTests(DraftApiTests.Host host) : IClassFixture<DraftApiTests.Host>
{
    public sealed class Host : IAsyncLifetime
    {
        private ApiFactory? _factory;

        public ApiFactory Factory => _factory ?? throw new InvalidOperationException("not initialised");

        public async ValueTask InitializeAsync()
        {
            if (SharedData.Root is null) return;   // each test skips visibly through SharedData
            _factory = new ApiFactory(new Dictionary<string, string?>
            {
                ["ReportGen:Llm:ModelSet"] = "stories260k-mobilenet",
                ["ReportGen:Llm:ContextSize"] = "2048",
                ["ReportGen:Llm:Threads"] = "1",
                ["ReportGen:Llm:Sequences"] = "2",
            })
            { ModelFolders = [RepoFiles.Path("tests", "fixtures", "onnx"), SharedData.Require("models")] };
            using var client = _factory.CreateAuthorizedClient();
            await LlmApiTests.WaitReady(client);
        }

        public async ValueTask DisposeAsync()
        {
            if (_factory is not null) await _factory.DisposeAsync();
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Image(string file) => File.ReadAllBytes(SharedData.Data("images", file));

    private static MultipartFormDataContent Study(string frontal, params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(Image(frontal)), "frontal", frontal } };
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        return form;
    }

    private async Task<JsonElement> Draft(HttpContent content)
    {
        using var client = host.Factory.CreateAuthorizedClient();
        var response = await client.PostAsync("/v1/reports/draft", content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task A_draft_cut_by_its_token_limit_is_marked_truncated_and_returns_no_fragment()
    {
        SharedData.Model("mobilenetv2-12-int8.onnx");
        var body = await Draft(Study("00000001_000.png", ("max_tokens", "3")));
        body.GetProperty("truncated").GetBoolean().ShouldBeTrue(body.ToString());
        // Three tokens of stories260K end mid-sentence: that fragment is not a finding.
        body.GetProperty("findings").GetArrayLength().ShouldBe(0, body.ToString());
    }

    [Fact]
    public async Task A_draft_carries_findings_the_image_size_and_every_model_and_the_prompt_with_hashes()
    {
        SharedData.Model("mobilenetv2-12-int8.onnx");
        var body = await Draft(Study("00000001_000.png", ("indication", "cough"), ("max_tokens", "32")));
        body.GetProperty("findings").ValueKind.ShouldBe(JsonValueKind.Array);
        body.GetProperty("text").GetString().ShouldNotBeNull();
        body.GetProperty("modality").GetString().ShouldBe("cxr");
        var decoded = ReportGen.Imaging.ImageDecoder.Decode(Image("00000001_000.png"));
        body.GetProperty("image").GetProperty("width").GetInt32().ShouldBe(decoded.Width);
        body.GetProperty("image").GetProperty("height").GetInt32().ShouldBe(decoded.Height);
        body.GetProperty("image").GetProperty("format").GetString().ShouldBe(decoded.Metadata.Format);

        var provenance = body.GetProperty("provenance");
        provenance.GetProperty("pipeline").GetString().ShouldBe("draft");
        provenance.GetProperty("engine").GetString().ShouldBe("llm");
        var manifest = ModelManifest.Load(RepoFiles.Path("models", "models.json"));
        var models = provenance.GetProperty("models").EnumerateArray().Select(m => (Id: m.GetProperty("id").GetString()!, Role: m.GetProperty("role").GetString(), Sha: m.GetProperty("sha256").GetString())).ToList();
        models.Select(m => (m.Id, m.Role)).ShouldBe([("stories260k", "llm"), ("mobilenetv2-int8", "vision-encoder"), ("projector-mobilenet-64", "projector")]);
        models.ShouldAllBe(m => m.Sha == manifest.Find(m.Id)!.Sha256);
        provenance.GetProperty("prompt").GetProperty("name").GetString().ShouldBe("draft-findings");
        provenance.GetProperty("prompt").GetProperty("sha256").GetString()
            .ShouldBe(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(RepoFiles.Path("prompts", "draft-findings.yaml"), Ct))));
        provenance.GetProperty("prompt_tokens").GetInt64().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task The_images_reach_the_model_same_image_same_draft_other_image_other_draft()
    {
        SharedData.Model("mobilenetv2-12-int8.onnx");
        var first = await Draft(Study("00000001_000.png", ("max_tokens", "24")));
        var again = await Draft(Study("00000001_000.png", ("max_tokens", "24")));
        var other = await Draft(Study("00027426_000.png", ("max_tokens", "24")));
        var dicom = await Draft(Study("siim-cxr-sample.dcm", ("max_tokens", "24")));
        again.GetProperty("text").GetString().ShouldBe(first.GetProperty("text").GetString());   // temperature 0, same embeddings
        other.GetProperty("text").GetString().ShouldNotBe(first.GetProperty("text").GetString());
        dicom.GetProperty("text").GetString().ShouldNotBe(first.GetProperty("text").GetString());
        // Three images (frontal, lateral, prior) are three more injections: the prompt grows.
        var three = await Draft(new MultipartFormDataContent
        {
            { new ByteArrayContent(Image("00000001_000.png")), "frontal", "f.png" },
            { new ByteArrayContent(Image("00027426_000.png")), "lateral", "l.png" },
            { new ByteArrayContent(Image("siim-cxr-sample.dcm")), "prior", "p.dcm" },
            { new StringContent("Small left effusion."), "prior_report" },
            { new StringContent("true"), "grounded" },
            { new StringContent("24"), "max_tokens" },
        });
        three.GetProperty("grounded").GetBoolean().ShouldBeTrue();
        three.GetProperty("provenance").GetProperty("prompt_tokens").GetInt64().ShouldBeGreaterThan(first.GetProperty("provenance").GetProperty("prompt_tokens").GetInt64());
    }

    [Fact]
    public async Task Accept_fhir_gives_a_diagnostic_report()
    {
        SharedData.Model("mobilenetv2-12-int8.onnx");
        using var client = host.Factory.CreateAuthorizedClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports/draft")
        {
            Content = Study("00000001_000.png", ("max_tokens", "32"), ("subject", "Patient/123"), ("effective", "2024-05-17T09:30:00Z")),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/fhir+json");
        var report = JsonDocument.Parse(text).RootElement;
        report.GetProperty("resourceType").GetString().ShouldBe("DiagnosticReport");
        report.GetProperty("status").GetString().ShouldBe("preliminary");
        report.GetProperty("meta").GetProperty("tag")[0].GetProperty("code").GetString().ShouldBe("llm");
        // FHIR JSON has no empty arrays: both are there with the same count, or neither is.
        (report.TryGetProperty("result", out var result) ? result.GetArrayLength() : 0)
            .ShouldBe(report.TryGetProperty("contained", out var contained) ? contained.GetArrayLength() : 0);
        report.TryGetProperty("result", out var r).ShouldBe(report.TryGetProperty("contained", out _));
        if (r.ValueKind == JsonValueKind.Array) r.GetArrayLength().ShouldBeGreaterThan(0);
        report.GetProperty("subject").GetProperty("reference").GetString().ShouldBe("Patient/123");
        report.GetProperty("effectiveDateTime").GetString().ShouldBe("2024-05-17T09:30:00Z");
        // The drafted report validates against the official FHIR R4 schema, as the structured ones do.
        await FhirSchemaTests.AssertValidAsync([report], Ct);
    }

    [Fact]
    public async Task The_stream_sends_each_finding_then_the_result_with_the_same_findings()
    {
        SharedData.Model("mobilenetv2-12-int8.onnx");
        using var client = host.Factory.CreateAuthorizedClient();
        var response = await client.PostAsync("/v1/reports/draft/stream", Study("00000001_000.png", ("max_tokens", "48")), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var events = (await response.Content.ReadAsStringAsync(Ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('\n'))
            .Select(lines => (Event: lines.First(l => l.StartsWith("event: ", StringComparison.Ordinal))["event: ".Length..],
                Data: JsonDocument.Parse(string.Concat(lines.Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l["data: ".Length..]))).RootElement))
            .ToList();
        events[^1].Event.ShouldBe("result");
        events[..^1].Select(e => e.Event).ShouldAllBe(e => e == "finding");
        var streamed = events[..^1].Select(e => e.Data.GetProperty("text").GetString()).ToList();
        streamed.ShouldNotBeEmpty("48 tokens of stories260K hold at least one sentence");
        events[..^1].Select(e => e.Data.GetProperty("index").GetInt32()).ShouldBe(Enumerable.Range(0, streamed.Count));
        streamed.ShouldBe(events[^1].Data.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("text").GetString()).ToList());
        events[^1].Data.GetProperty("provenance").GetProperty("prompt").GetProperty("name").GetString().ShouldBe("draft-findings");
    }
}

/// <summary>CT drafting over HTTP: a synthetic series zip, sampled per the set (stories260k-mobilenet-ct), findings per organ system.</summary>
public class DraftCtApiTests
{
    [Fact]
    public async Task A_ct_series_is_drafted_with_organ_systems_and_the_modality_must_match_the_set()
    {
        SharedData.Model("mobilenetv2-12-int8.onnx");
        SharedData.Model("stories260K.gguf");
        await using var factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["ReportGen:Llm:ModelSet"] = "stories260k-mobilenet-ct",
            ["ReportGen:Llm:ContextSize"] = "2048",
            ["ReportGen:Llm:Threads"] = "1",
        })
        { ModelFolders = [RepoFiles.Path("tests", "fixtures", "onnx"), SharedData.Require("models")] };
        using var client = factory.CreateAuthorizedClient();
        await LlmApiTests.WaitReady(client);
        var ct = TestContext.Current.CancellationToken;
        var zip = ReportGen.Eval.Bench.SyntheticDicom.Zip(ReportGen.Eval.Bench.SyntheticDicom.CreateCtSeries());

        var response = await client.PostAsync("/v1/reports/draft", new MultipartFormDataContent
        {
            { new ByteArrayContent(zip), "frontal", "series.zip" },
            { new StringContent("ct"), "modality" },
            { new StringContent("30"), "max_tokens" },
        }, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var body = JsonDocument.Parse(text).RootElement;
        body.GetProperty("modality").GetString().ShouldBe("ct");
        body.GetProperty("organ_systems").EnumerateObject().Sum(s => s.Value.GetArrayLength()).ShouldBe(body.GetProperty("findings").GetArrayLength());
        body.GetProperty("provenance").GetProperty("models")[1].GetProperty("role").GetString().ShouldBe("vision-encoder");

        // A chest radiograph for a CT set: the request is valid, the service cannot draft it.
        var cxr = await client.PostAsync("/v1/reports/draft", new MultipartFormDataContent { { new ByteArrayContent(Multipart.Png()), "frontal", "f.png" } }, ct);
        var problem = await cxr.Content.ReadAsStringAsync(ct);
        cxr.StatusCode.ShouldBe(HttpStatusCode.BadRequest, problem);
        JsonDocument.Parse(problem).RootElement.GetProperty("field").GetString().ShouldBe("modality");
    }
}

/// <summary>The draft endpoint without a model set, and its per-image limit.</summary>
public class DraftLimitsTests
{
    [Fact]
    public async Task Without_a_model_set_a_valid_study_is_503_with_retry_after()
    {
        await using var factory = new ApiFactory();
        using var client = factory.CreateAuthorizedClient();
        var (contentType, body) = Multipart.Build(("frontal", "f.png", Multipart.Png()));
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var response = await client.PostAsync("/v1/reports/draft", content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, text);
        response.Headers.RetryAfter.ShouldNotBeNull();
        var problem = JsonDocument.Parse(text).RootElement;
        problem.GetProperty("field").GetString().ShouldBe("model");
        problem.GetProperty("detail").GetString()!.ShouldContain("no vision-language model set configured");
    }

    [Fact]
    public async Task An_image_over_the_per_file_limit_is_413_naming_its_field()
    {
        await using var factory = new ApiFactory(new Dictionary<string, string?> { ["ReportGen:MaxImageBytes"] = "4096" });
        using var client = factory.CreateAuthorizedClient();
        var (contentType, body) = Multipart.Build(("frontal", "f.png", Multipart.Png()), ("lateral", "l.png", Multipart.NoisePng(256, 256)));
        Multipart.NoisePng(256, 256).Length.ShouldBeGreaterThan(4096);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var response = await client.PostAsync("/v1/reports/draft", content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge, text);
        JsonDocument.Parse(text).RootElement.GetProperty("field").GetString().ShouldBe("lateral");
    }
}
