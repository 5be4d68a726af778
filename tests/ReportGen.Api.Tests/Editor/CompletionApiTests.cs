using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ReportGen.Api.Tests.Editor;

public sealed class CompletionApiTests(CompletionCorpusFixture corpus) : IClassFixture<CompletionCorpusFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Complete_returns_suggestions_that_continue_the_prefix()
    {
        await using var factory = new ApiFactory(corpus.Settings);
        using var client = factory.CreateAuthorizedClient();
        var response = await client.PostAsJsonAsync("/v1/reports/complete", new { context = "The heart is normal in size.", prefix = "The lu", k = 2 }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var suggestions = body.GetProperty("suggestions").EnumerateArray().ToList();
        suggestions.ShouldNotBeEmpty();
        suggestions[0].GetProperty("text").GetString().ShouldBe("The lungs are clear.");
        suggestions[0].GetProperty("source").GetString()!.ShouldStartWith("site:");
        suggestions[0].GetProperty("count").GetInt32().ShouldBe(4);
        body.GetProperty("corpus").GetString().ShouldBe("site");
    }

    [Fact]
    public async Task Contradicting_sentences_are_not_suggested_over_http()
    {
        await using var factory = new ApiFactory(corpus.Settings);
        using var client = factory.CreateAuthorizedClient();
        var response = await client.PostAsJsonAsync("/v1/reports/complete", new { context = "The heart is enlarged. Small left pleural effusion.", prefix = "No", k = 5 }, Ct);
        var texts = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("suggestions").EnumerateArray().Select(s => s.GetProperty("text").GetString()).ToList();
        texts.ShouldNotBeEmpty();
        texts.ShouldNotContain("No pleural effusion.");
        texts.ShouldNotContain("No pleural effusion or pneumothorax.");
    }

    [Fact]
    public async Task The_section_field_chooses_impression_or_findings_sentences()
    {
        await using var factory = new ApiFactory(corpus.Settings);
        using var client = factory.CreateAuthorizedClient();
        async Task<string?> Top(string section)
        {
            var response = await client.PostAsJsonAsync("/v1/reports/complete", new { context = "The heart is normal in size. The lungs are clear.", prefix = "No", k = 1, section }, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
            return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("suggestions")[0].GetProperty("text").GetString();
        }
        (await Top("Impression")).ShouldBe("No acute cardiopulmonary disease.");
        (await Top("findings")).ShouldNotBe("No acute cardiopulmonary disease.");
    }

    [Theory]
    [InlineData("{\"context\": \"\", \"section\": \"conclusion\"}", "section")]
    [InlineData("{\"context\": \"\", \"section\": 3}", "section")]
    [InlineData("{\"context\": \"\", \"k\": 0}", "k")]
    [InlineData("{\"context\": \"\", \"k\": 99}", "k")]
    [InlineData("{\"prefix\": \"The\"}", "context")]
    [InlineData("{\"context\": \"\", \"corpus\": \"elsewhere\"}", "corpus")]
    [InlineData("{\"context\": 5}", "context")]
    public async Task Bad_input_is_a_problem_naming_the_field(string json, string field)
    {
        await using var factory = new ApiFactory(corpus.Settings);
        using var client = factory.CreateAuthorizedClient();
        foreach (var path in new[] { "/v1/reports/complete", "/v1/reports/complete/stream" })
        {
            var response = await client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, path);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue($"{path}: {problem}");
        }
    }

    [Fact]
    public async Task Stream_sends_suggestion_events_then_done()
    {
        await using var factory = new ApiFactory(corpus.Settings);
        using var client = factory.CreateAuthorizedClient();
        var response = await client.PostAsJsonAsync("/v1/reports/complete/stream", new { context = "The heart is normal in size. The lungs are clear.", prefix = "" }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var text = await response.Content.ReadAsStringAsync(Ct);
        text.ShouldContain("event: suggestions");
        text.ShouldContain("event: done");
        var data = text.Split('\n').First(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..];
        JsonDocument.Parse(data).RootElement.GetProperty("suggestions")[0].GetProperty("text").GetString()!.ShouldStartWith("No ");
    }

    [Fact]
    public async Task Completion_needs_the_api_key()
    {
        await using var factory = new ApiFactory(corpus.Settings);
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/v1/reports/complete", new { context = "" }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Editor_page_and_plugin_are_served_without_a_key()
    {
        await using var factory = new ApiFactory(corpus.Settings);
        using var client = factory.CreateClient();
        var page = await client.GetAsync("/editor/", Ct);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await page.Content.ReadAsStringAsync(Ct)).ShouldContain("/editor/demo.js");
        var module = await client.GetAsync("/editor/reportgen-complete.js", Ct);
        module.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript");
        (await module.Content.ReadAsStringAsync(Ct)).ShouldContain("export function attachCompletion");
        (await client.GetAsync("/editor/nothing.js", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
