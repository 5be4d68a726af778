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
        body.GetProperty("result").GetProperty("score").GetDouble().ShouldBe(1.0);
        body.GetProperty("result").GetProperty("false_findings").GetInt32().ShouldBe(0);
        var provenance = body.GetProperty("provenance");
        provenance.GetProperty("pipeline").GetString().ShouldBe("judge");
        provenance.GetProperty("engine").GetString().ShouldBe("rules");
        provenance.GetProperty("models").GetArrayLength().ShouldBe(0);
        provenance.GetProperty("ruleset").GetString()!.ShouldContain("radgraph-rules");

        // Method defaults to rules; a wrong side and size are errors, a new pneumothorax a false finding.
        var different = await client.PostAsJsonAsync("/v1/reports/judge", new { candidate = Candidate, reference = Reference }, ct);
        var result = (await different.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("result");
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
            body.GetProperty("result").ValueKind.ShouldBe(JsonValueKind.Object);
            var provenance = body.GetProperty("provenance");
            provenance.GetProperty("engine").GetString().ShouldBe("llm");
            provenance.GetProperty("models")[0].GetProperty("id").GetString().ShouldBe("stories260k");
            provenance.GetProperty("prompt").GetProperty("name").GetString().ShouldBe(prompt);
            var fileHash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(RepoFiles.Path("prompts", prompt + ".yaml"), ct)));
            provenance.GetProperty("prompt").GetProperty("sha256").GetString().ShouldBe(fileHash);
        }
    }
}
