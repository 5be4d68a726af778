using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>POST /v1/reports/judge: the rules judge without a model, the LLM judges on the hosted model.</summary>
public class JudgeApiTests : IClassFixture<ReportsApiTests.Host>
{
    private const string Reference = "FINDINGS: Small left pleural effusion. No pneumothorax.\nIMPRESSION: Small left pleural effusion.";
    private const string Candidate = "FINDINGS: Large right pleural effusion. Right pneumothorax.\nIMPRESSION: Large right pleural effusion.";
    private readonly ApiFactory _factory;

    public JudgeApiTests(ReportsApiTests.Host host) => _factory = host.Factory;

    [Fact]
    public async Task The_rules_judge_scores_without_a_model_and_says_how()
    {
        using var client = _factory.CreateAuthorizedClient();
        var ct = TestContext.Current.CancellationToken;
        var same = await client.PostAsJsonAsync("/v1/reports/judge", new { candidate = Reference, reference = Reference, method = "rules" }, ct);
        same.StatusCode.ShouldBe(HttpStatusCode.OK, await same.Content.ReadAsStringAsync(ct));
        var body = await same.Content.ReadFromJsonAsync<JsonElement>(ct);
        body.GetProperty("method").GetString().ShouldBe("rules");
        body.GetProperty("score").GetDouble().ShouldBe(1.0);
        body.GetProperty("status").GetString().ShouldBe("parsed");
        body.GetProperty("false_findings").GetInt32().ShouldBe(0);
        var provenance = body.GetProperty("provenance");
        provenance.GetProperty("pipeline").GetString().ShouldBe("judge");
        provenance.GetProperty("engine").GetString().ShouldBe("rules");
        provenance.GetProperty("models").GetArrayLength().ShouldBe(0);
        provenance.GetProperty("ruleset").GetString()!.ShouldContain("radgraph-rules");

        // Method defaults to rules; a wrong side and size are errors, a new pneumothorax a false finding.
        var different = await client.PostAsJsonAsync("/v1/reports/judge", new { candidate = Candidate, reference = Reference }, ct);
        var result = await different.Content.ReadFromJsonAsync<JsonElement>(ct);   // one flat record, as `reportgen judge` prints it
        result.GetProperty("score").GetDouble().ShouldBeLessThan(1.0);
        (result.GetProperty("false_findings").GetInt32() + result.GetProperty("location_mismatches").GetInt32() + result.GetProperty("severity_mismatches").GetInt32()).ShouldBeGreaterThan(0);
        result.GetProperty("false_labels").EnumerateArray().Select(l => l.GetString()).ShouldContain("Pneumothorax");
    }

    [Theory]
    [InlineData("green")]
    [InlineData("radfact")]
    [InlineData("chexprompt")]
    public async Task Llm_methods_without_a_model_are_503_with_retry_after(string method)
    {
        using var client = _factory.CreateAuthorizedClient();
        var response = await client.PostAsJsonAsync("/v1/reports/judge", new { candidate = Candidate, reference = Reference, method }, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, text);
        response.Headers.RetryAfter.ShouldNotBeNull();
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        JsonDocument.Parse(text).RootElement.GetProperty("field").GetString().ShouldBe("method");
    }

    [Fact]
    public async Task Llm_judges_run_on_the_hosted_model_and_name_model_and_prompt()
    {
        await using var factory = LlmApiTests.Factory(contextSize: 4096);
        using var client = factory.CreateAuthorizedClient();
        await LlmApiTests.WaitReady(client);
        var ct = TestContext.Current.CancellationToken;
        foreach (var (method, prompt) in new[] { ("green", "judge-green"), ("chexprompt", "judge-chexprompt"), ("radfact", "judge-radfact-entailment") })
        {
            var response = await client.PostAsJsonAsync("/v1/reports/judge", new { candidate = Candidate, reference = Reference, method, max_tokens = 48 }, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            var body = JsonDocument.Parse(text).RootElement;
            body.GetProperty("method").GetString().ShouldBe(method);
            body.TryGetProperty("result", out _).ShouldBeFalse();   // the judge's fields sit beside method/score/status
            var provenance = body.GetProperty("provenance");
            provenance.GetProperty("engine").GetString().ShouldBe("llm");
            provenance.GetProperty("models")[0].GetProperty("id").GetString().ShouldBe("stories260k");
            provenance.GetProperty("prompt").GetProperty("name").GetString().ShouldBe(prompt);
            var fileHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(RepoFiles.Path("prompts", prompt + ".yaml"), ct)));
            provenance.GetProperty("prompt").GetProperty("sha256").GetString().ShouldBe(fileHash);
        }
    }

    // Drafting output objects: two findings on the candidate side (one boxed, one not), one boxed finding on the reference side.
    private static readonly object GroundedCandidate = new
    {
        findings = new object[]
        {
            new { text = "Left pleural effusion.", boxes = new[] { new { x_min = 0.55, y_min = 0.60, x_max = 0.90, y_max = 0.85 } } },
            new { text = "No pneumothorax.", boxes = (object[]?)null },
        },
    };
    private static readonly object GroundedReference = new
    {
        findings = new object[] { new { text = "Small left pleural effusion.", boxes = new[] { new { x_min = 0.50, y_min = 0.55, x_max = 0.95, y_max = 0.90 } } } },
    };

    [Fact]
    public async Task The_rules_judge_reads_grounded_findings_as_their_text_and_reports_score_and_status_at_the_top()
    {
        using var client = _factory.CreateAuthorizedClient();
        var ct = TestContext.Current.CancellationToken;
        var response = await client.PostAsJsonAsync("/v1/reports/judge", new { candidate = GroundedCandidate, reference = "FINDINGS: Left pleural effusion. No pneumothorax.", method = "rules" }, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var body = JsonDocument.Parse(text).RootElement;
        body.GetProperty("score").GetDouble().ShouldBe(1.0, "the grounded findings' text says what the reference says");
        body.GetProperty("status").GetString().ShouldBe("parsed");
    }

    [Fact]
    public async Task Radfact_on_grounded_inputs_scores_grounding_and_spatial_precision_recall_on_the_hosted_model()
    {
        await using var factory = LlmApiTests.Factory(contextSize: 4096);
        using var client = factory.CreateAuthorizedClient();
        await LlmApiTests.WaitReady(client);
        var ct = TestContext.Current.CancellationToken;

        // Room for the constrained {status, evidence} verdicts to finish on stories260K: they parse, whatever they say.
        var response = await client.PostAsJsonAsync("/v1/reports/judge", new { candidate = GroundedCandidate, reference = GroundedReference, method = "radfact", max_tokens = 1100 }, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var body = JsonDocument.Parse(text).RootElement;
        var result = body;
        body.GetProperty("status").GetString().ShouldBe("parsed", text);
        result.GetProperty("failures").GetInt32().ShouldBe(0);
        body.GetProperty("score").GetDouble().ShouldBe(result.GetProperty("logical_f1").GetDouble());
        result.GetProperty("candidate_grounded").GetBoolean().ShouldBeTrue();
        result.GetProperty("reference_grounded").GetBoolean().ShouldBeTrue();

        // The findings are the phrases, as given, with their boxes; only boxed phrases get a spatial verdict.
        var candidate = result.GetProperty("candidate_verdicts");
        candidate.GetArrayLength().ShouldBe(2);
        candidate[0].GetProperty("phrase").GetString().ShouldBe("Left pleural effusion.");
        candidate[0].GetProperty("boxes")[0].GetProperty("x_min").GetDouble().ShouldBe(0.55);
        candidate[1].GetProperty("boxes").ValueKind.ShouldBe(JsonValueKind.Null);
        candidate[1].GetProperty("spatially_entailed").ValueKind.ShouldBe(JsonValueKind.Null);
        result.GetProperty("candidate_phrases_with_boxes").GetInt32().ShouldBe(1);
        result.GetProperty("reference_phrases_with_boxes").GetInt32().ShouldBe(1);

        // One boxed phrase per side: spatial P (R) is that phrase's spatial verdict; grounding P (R) is the same, or
        // undefined (null) when the phrase is not entailed; spatial entailment implies entailment.
        AssertBoxScores(candidate[0], result.GetProperty("spatial_precision"), result.GetProperty("grounding_precision"));
        AssertBoxScores(result.GetProperty("reference_verdicts")[0], result.GetProperty("spatial_recall"), result.GetProperty("grounding_recall"));

        // A plain-text reference: no boxes on that side, so recall-side box scores are undefined, not 0.
        response = await client.PostAsJsonAsync("/v1/reports/judge", new { candidate = GroundedCandidate, reference = "Small left pleural effusion.", method = "radfact", max_tokens = 1100 }, ct);
        text = await response.Content.ReadAsStringAsync(ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        result = JsonDocument.Parse(text).RootElement;
        result.GetProperty("reference_grounded").GetBoolean().ShouldBeFalse();
        result.GetProperty("reference_phrases_with_boxes").GetInt32().ShouldBe(0);
        result.GetProperty("spatial_recall").ValueKind.ShouldBe(JsonValueKind.Null);
        result.GetProperty("spatial_precision").ValueKind.ShouldBe(JsonValueKind.Number);
    }

    private static void AssertBoxScores(JsonElement verdict, JsonElement spatial, JsonElement grounding)
    {
        var spatiallyEntailed = verdict.GetProperty("spatially_entailed").GetBoolean();
        spatial.GetDouble().ShouldBe(spatiallyEntailed ? 1.0 : 0.0);
        if (verdict.GetProperty("status").GetString() == "entailment") grounding.GetDouble().ShouldBe(spatial.GetDouble());
        else
        {
            spatiallyEntailed.ShouldBeFalse();
            grounding.ValueKind.ShouldBe(JsonValueKind.Null);
        }
    }

    [Fact]
    public async Task Green_format_native_selects_the_native_prompt()
    {
        await using var factory = LlmApiTests.Factory(contextSize: 4096);
        using var client = factory.CreateAuthorizedClient();
        await LlmApiTests.WaitReady(client);
        var ct = TestContext.Current.CancellationToken;
        var response = await client.PostAsJsonAsync("/v1/reports/judge", new { candidate = GroundedCandidate, reference = Reference, method = "green", green_format = "native", max_tokens = 48 }, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var body = JsonDocument.Parse(text).RootElement;
        body.GetProperty("provenance").GetProperty("prompt").GetProperty("name").GetString().ShouldBe("judge-green-native");
        // stories260K writes no GREEN sections: unparseable, said so, with no score (never a silent 0).
        body.GetProperty("problem").ValueKind.ShouldBeOneOf(JsonValueKind.String, JsonValueKind.Null);   // GREEN's own field, beside status
        if (body.GetProperty("status").GetString() != "parsed") body.GetProperty("score").ValueKind.ShouldBe(JsonValueKind.Null);
    }
}
