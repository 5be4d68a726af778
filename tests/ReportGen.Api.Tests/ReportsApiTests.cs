using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ReportGen.Api.Tests;

public class ReportsApiTests : IClassFixture<ReportsApiTests.Host>
{
    public sealed class Host : IAsyncLifetime
    {
        public ApiFactory Factory { get; } = new();
        public ValueTask InitializeAsync() => ValueTask.CompletedTask;
        public ValueTask DisposeAsync() => Factory.DisposeAsync();
    }

    private const string Report = "FINDINGS: Small left pleural effusion. No pneumothorax. Heart size is normal.\nIMPRESSION: Small left pleural effusion.";
    private readonly ApiFactory _factory;

    public ReportsApiTests(Host host) => _factory = host.Factory;

    [Fact]
    public async Task Structure_returns_radgraph_sections_and_provenance()
    {
        using var client = _factory.CreateAuthorizedClient();
        var response = await client.PostAsJsonAsync("/v1/reports/structure", new { text = Report }, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        body.GetProperty("sections").EnumerateArray().Select(s => s.GetProperty("kind").GetString()).ShouldBe(["findings", "impression"]);
        var entities = body.GetProperty("radgraph").GetProperty("entities").EnumerateObject().Select(e => e.Value).ToList();
        entities.ShouldContain(e => e.GetProperty("tokens").GetString() == "pneumothorax" && e.GetProperty("label").GetString() == "OBS-DA");
        entities.ShouldContain(e => e.GetProperty("tokens").GetString() == "effusion" && e.GetProperty("label").GetString() == "OBS-DP");
        var provenance = body.GetProperty("provenance");
        provenance.GetProperty("engine").GetString().ShouldBe("rules");
        provenance.GetProperty("pipeline").GetString().ShouldBe("structure");
        provenance.GetProperty("models").GetArrayLength().ShouldBe(0);
        provenance.GetProperty("elapsed_ms").GetDouble().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Structure_answers_fhir_diagnostic_reports_when_asked()
    {
        using var client = _factory.CreateAuthorizedClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports/structure") { Content = JsonContent.Create(new { text = Report }) };
        request.Headers.Accept.ParseAdd("application/fhir+json");
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/fhir+json");
        var report = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        report.GetProperty("resourceType").GetString().ShouldBe("DiagnosticReport");
        report.GetProperty("status").GetString().ShouldBe("preliminary");
        report.GetProperty("conclusion").GetString().ShouldBe("Small left pleural effusion.");
        var observations = report.GetProperty("contained").EnumerateArray().ToList();
        observations.ShouldAllBe(o => o.GetProperty("resourceType").GetString() == "Observation");
        report.GetProperty("result").GetArrayLength().ShouldBe(observations.Count);
        var pneumothorax = observations.Single(o => o.GetProperty("code").GetProperty("text").GetString()!.Contains("pneumothorax"));
        pneumothorax.GetProperty("valueCodeableConcept").GetProperty("coding")[0].GetProperty("code").GetString().ShouldBe("absent");
        report.GetProperty("text").GetProperty("status").GetString().ShouldBe("generated");
        report.GetProperty("text").GetProperty("div").GetString()!.ShouldStartWith("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
    }

    [Fact]
    public async Task Fhir_keeps_laterality_in_the_body_site_merges_repeated_findings_and_leaves_out_empty_arrays()
    {
        using var client = _factory.CreateAuthorizedClient();
        async Task<JsonElement> Fhir(string text)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports/structure") { Content = JsonContent.Create(new { text }) };
            request.Headers.Accept.ParseAdd("application/fhir+json");
            var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        }
        var report = await Fhir("FINDINGS: Small left pleural effusion. No pneumothorax.\nIMPRESSION: Small left pleural effusion.");
        var effusions = report.GetProperty("contained").EnumerateArray().Where(o => o.GetProperty("code").GetProperty("text").GetString()!.Contains("effusion")).ToList();
        effusions.ShouldHaveSingleItem().GetProperty("bodySite").GetProperty("text").GetString().ShouldBe("left pleural");
        report.GetProperty("result").GetArrayLength().ShouldBe(report.GetProperty("contained").GetArrayLength());

        var empty = await Fhir("Comparison: none.");
        empty.TryGetProperty("contained", out _).ShouldBeFalse(empty.ToString());
        empty.TryGetProperty("result", out _).ShouldBeFalse(empty.ToString());
        empty.GetProperty("text").GetProperty("div").GetString()!.ShouldContain("Comparison");
    }

    [Fact]
    public async Task Classify_with_a_taxonomy_id_labels_or_an_inline_taxonomy()
    {
        using var client = _factory.CreateAuthorizedClient();
        var byId = await client.PostAsJsonAsync("/v1/reports/classify", new { text = Report, taxonomy = "chexpert14" }, TestContext.Current.CancellationToken);
        byId.StatusCode.ShouldBe(HttpStatusCode.OK, await byId.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var body = await byId.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        body.GetProperty("language").GetString().ShouldBe("en");
        body.GetProperty("labels").GetProperty("Pleural Effusion").GetString().ShouldBe("positive");
        body.GetProperty("labels").GetProperty("Pneumothorax").GetString().ShouldBe("negative");
        body.GetProperty("provenance").GetProperty("pipeline").GetString().ShouldBe("classify");

        var byLabels = await client.PostAsJsonAsync("/v1/reports/classify", new { text = "Hallazgos: Derrame pleural izquierdo. Sin neumotórax.", labels = new[] { "Pleural Effusion", "Pneumothorax" } }, TestContext.Current.CancellationToken);
        byLabels.StatusCode.ShouldBe(HttpStatusCode.OK, await byLabels.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var spanish = await client.PostAsJsonAsync("/v1/reports/structure", new { text = "Hallazgos: Derrame pleural izquierdo. Sin neumotórax." }, TestContext.Current.CancellationToken);
        var structured = await spanish.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        structured.GetProperty("language").GetString().ShouldBe("es");
        structured.GetProperty("warnings")[0].GetString()!.ShouldStartWith("language_not_english: the report reads as 'es'");
        var labelled = await byLabels.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        labelled.GetProperty("language").GetString().ShouldBe("es");
        // Labels chexpert14 defines are read with its Spanish phrases (they used to be looked for in English and missed).
        labelled.GetProperty("labels").GetProperty("Pleural Effusion").GetString().ShouldBe("positive");
        labelled.GetProperty("labels").GetProperty("Pneumothorax").GetString().ShouldBe("negative");
        labelled.GetProperty("warnings").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Streaming_variants_send_server_sent_events()
    {
        using var client = _factory.CreateAuthorizedClient();
        var response = await client.PostAsJsonAsync("/v1/reports/structure/stream", new { text = Report }, TestContext.Current.CancellationToken);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        text.ShouldContain("event: sentence");
        text.ShouldContain("event: result");
    }

    [Fact]
    public async Task Jobs_run_structure_and_classify_operations()
    {
        using var client = _factory.CreateAuthorizedClient();
        var lines = new[] { JsonSerializer.Serialize(new { id = "a", text = Report }) };
        var structure = await client.PostAsync("/v1/jobs?operation=structure", JobsApiTests.Jsonl(lines), TestContext.Current.CancellationToken);
        structure.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await JobsApiTests.WaitForCompletion(client, structure.Headers.Location!.ToString(), TimeSpan.FromSeconds(30));
        var result = await client.GetStringAsync(structure.Headers.Location + "/results", TestContext.Current.CancellationToken);
        JsonDocument.Parse(result).RootElement.GetProperty("result").GetProperty("0").GetProperty("entities").EnumerateObject().Count().ShouldBeGreaterThan(2);
        JsonDocument.Parse(result).RootElement.GetProperty("result").GetProperty("provenance").GetProperty("ruleset").GetString().ShouldStartWith("radgraph-rules");

        var classify = await client.PostAsync("/v1/jobs?operation=classify&taxonomy=chexpert14", JobsApiTests.Jsonl(lines), TestContext.Current.CancellationToken);
        classify.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await JobsApiTests.WaitForCompletion(client, classify.Headers.Location!.ToString(), TimeSpan.FromSeconds(30));
        var labels = await client.GetStringAsync(classify.Headers.Location + "/results", TestContext.Current.CancellationToken);
        JsonDocument.Parse(labels).RootElement.GetProperty("result").GetProperty("labels").GetProperty("Pleural Effusion").GetString().ShouldBe("positive");

        JsonDocument.Parse(labels).RootElement.GetProperty("result").GetProperty("warnings").GetArrayLength().ShouldBe(0);

        // A Spanish record: both batch results carry the warnings the synchronous answers give.
        var spanish = new[] { JsonSerializer.Serialize(new { id = "es", text = "Hallazgos: Derrame pleural izquierdo. Sin neumotórax. Costillas normales." }) };
        var esStructure = await client.PostAsync("/v1/jobs?operation=structure", JobsApiTests.Jsonl(spanish), TestContext.Current.CancellationToken);
        await JobsApiTests.WaitForCompletion(client, esStructure.Headers.Location!.ToString(), TimeSpan.FromSeconds(30));
        var esStructured = JsonDocument.Parse(await client.GetStringAsync(esStructure.Headers.Location + "/results", TestContext.Current.CancellationToken)).RootElement.GetProperty("result");
        esStructured.GetProperty("warnings")[0].GetString()!.ShouldStartWith("language_not_english");
        var esClassify = await client.PostAsync("/v1/jobs?operation=classify&labels=Pleural%20Effusion,Rib%20fracture", JobsApiTests.Jsonl(spanish), TestContext.Current.CancellationToken);
        await JobsApiTests.WaitForCompletion(client, esClassify.Headers.Location!.ToString(), TimeSpan.FromSeconds(30));
        var esLabelled = JsonDocument.Parse(await client.GetStringAsync(esClassify.Headers.Location + "/results", TestContext.Current.CancellationToken)).RootElement.GetProperty("result");
        esLabelled.GetProperty("labels").GetProperty("Pleural Effusion").GetString().ShouldBe("positive");
        esLabelled.GetProperty("warnings")[0].GetString()!.ShouldStartWith("rules_name_only: no 'es' phrases for 'Rib fracture'");

        var unknown = await client.PostAsync("/v1/jobs?operation=classify&taxonomy=nope", JobsApiTests.Jsonl(lines), TestContext.Current.CancellationToken);
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task No_report_text_or_image_bytes_reach_the_logs()
    {
        using var client = _factory.CreateAuthorizedClient();
        const string secret = "Zebrafinch-Quokka pleural effusion of Mr Testpatient";
        await client.PostAsJsonAsync("/v1/reports/structure", new { text = "FINDINGS: " + secret }, TestContext.Current.CancellationToken);
        await client.PostAsJsonAsync("/v1/reports/classify", new { text = secret, taxonomy = "chexpert14" }, TestContext.Current.CancellationToken);
        await client.PostAsJsonAsync("/v1/reports/classify", new { text = secret, taxonomy = "nope" }, TestContext.Current.CancellationToken);
        await client.PostAsync("/v1/reports/structure", new StringContent("{\"text\": \"" + secret + "\"", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await client.PostAsync("/v1/jobs?operation=structure", JobsApiTests.Jsonl([JsonSerializer.Serialize(new { text = secret })]), TestContext.Current.CancellationToken);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        _factory.Logs.Lines.Count.ShouldBeGreaterThan(0);
        _factory.Logs.Lines.ShouldNotContain(l => l.Contains("Zebrafinch", StringComparison.OrdinalIgnoreCase) || l.Contains("Testpatient", StringComparison.Ordinal));
    }
}

/// <summary>A judge whose model call fails answers "failed", and the failure leaves a trace: a log line without the report text, and a count at /metrics.</summary>
public class JudgeFailureTraceTests
{
    [Fact]
    public async Task A_failed_judge_call_is_logged_without_report_text_and_counted_in_metrics()
    {
        // A chat server that is not there: every model call fails (connection refused).
        await using var factory = new ApiFactory(new Dictionary<string, string?> { ["ReportGen:Llm:RemoteUrl"] = "http://127.0.0.1:9/v1/", ["ReportGen:Llm:Model"] = "absent" });
        using var client = factory.CreateAuthorizedClient();
        const string secret = "Zebrafinch-Quokka pleural effusion of Mr Testpatient";
        var ct = TestContext.Current.CancellationToken;
        foreach (var method in new[] { "green", "chexprompt", "radfact" })
            await client.PostAsJsonAsync("/v1/reports/judge", new { candidate = secret, reference = "No pleural effusion.", method }, ct);
        await Task.Delay(200, ct);
        var lines = factory.Logs.Lines.ToList();
        lines.ShouldContain(l => l.Contains("judge-green failed", StringComparison.Ordinal));
        lines.ShouldContain(l => l.Contains("judge-radfact failed", StringComparison.Ordinal));
        lines.ShouldNotContain(l => l.Contains("Zebrafinch", StringComparison.OrdinalIgnoreCase) || l.Contains("Testpatient", StringComparison.Ordinal));
        var metrics = await client.GetStringAsync("/metrics", ct);
        metrics.ShouldContain("reportgen_pipeline_failures");
        metrics.ShouldContain("stage=\"judge-green\"");
    }
}
