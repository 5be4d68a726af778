using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

public class PlatformTests
{
    [Fact]
    public async Task A_request_target_over_8_KiB_is_a_414_problem_through_kestrel()
    {
        using var data = new TempDir();
        await using var server = await ServerProcess.StartAsync(data.Path);
        using var client = server.CreateClient();
        var response = await client.GetAsync("/v1/jobs/0123456789abcdef?q=" + new string('a', 20_000), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestUriTooLong, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        JsonDocument.Parse(text).RootElement.GetProperty("field").GetString().ShouldBe("query");
    }

    [Fact]
    public async Task Health_probes_answer_without_a_key()
    {
        await using var factory = new ApiFactory();
        using var client = factory.CreateClient();
        (await client.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        ready.StatusCode.ShouldBe(HttpStatusCode.OK, await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key-0123456789")]
    [InlineData("test-key-0123456789abcdeX")]
    public async Task V1_needs_a_valid_key_and_says_which_header(string? key)
    {
        await using var factory = new ApiFactory();
        using var client = factory.CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        var response = await client.GetAsync("/v1/jobs/0123456789abcdef", TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        problem.GetProperty("field").GetString().ShouldBe("X-Api-Key");
        response.Headers.WwwAuthenticate.ShouldHaveSingleItem().Scheme.ShouldBe("Bearer");

        // The OpenAI-compatible routes say the same in OpenAI's error shape.
        var models = await client.GetAsync("/v1/models", TestContext.Current.CancellationToken);
        models.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        models.Headers.WwwAuthenticate.ShouldHaveSingleItem().Scheme.ShouldBe("Bearer");
        var error = (await models.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error");
        error.GetProperty("type").GetString().ShouldBe("authentication_error");
        error.GetProperty("param").GetString().ShouldBe("X-Api-Key");
    }

    [Fact]
    public async Task Bearer_tokens_are_accepted_too()
    {
        await using var factory = new ApiFactory();
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", ApiFactory.Key);
        (await client.GetAsync("/v1/models", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Models_lists_the_manifest_with_file_status()
    {
        SharedData.Require("models");
        await using var factory = new ApiFactory();
        using var client = factory.CreateAuthorizedClient();
        var list = await client.GetFromJsonAsync<JsonElement>("/v1/models", TestContext.Current.CancellationToken);
        var models = list.GetProperty("data").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetString()!, m => m);
        models["stories260k"].GetProperty("status").GetString().ShouldBe("available");
        models["mobilenetv2-int8"].GetProperty("role").GetString().ShouldBe("vision-encoder");
        // OpenAI's model object: id, object, created, owned_by.
        foreach (var model in models.Values)
        {
            model.GetProperty("object").GetString().ShouldBe("model");
            model.GetProperty("owned_by").GetString().ShouldBe("reportgen");
            model.GetProperty("created").GetInt64().ShouldBeGreaterThanOrEqualTo(0);
        }
        models["stories260k"].GetProperty("created").GetInt64().ShouldBeGreaterThan(0);

        var one = await client.GetFromJsonAsync<JsonElement>("/v1/models/stories260k", TestContext.Current.CancellationToken);
        one.ToString().ShouldBe(models["stories260k"].ToString());
    }

    [Fact]
    public async Task Responses_carry_security_headers()
    {
        await using var factory = new ApiFactory();
        using var client = factory.CreateAuthorizedClient();
        var response = await client.GetAsync("/v1/models", TestContext.Current.CancellationToken);
        response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
        response.Headers.GetValues("X-Frame-Options").ShouldBe(["DENY"]);
        response.Headers.CacheControl!.NoStore.ShouldBeTrue();
    }

    [Fact]
    public async Task Rate_limit_per_key_answers_429_with_retry_after()
    {
        await using var factory = new ApiFactory(new Dictionary<string, string?> { ["ReportGen:RateLimitPerMinute"] = "3" });
        using var client = factory.CreateAuthorizedClient();
        for (var i = 0; i < 3; i++)
            (await client.GetAsync("/v1/models", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var limited = await client.GetAsync("/v1/models", TestContext.Current.CancellationToken);
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        limited.Headers.RetryAfter.ShouldNotBeNull();
        // Health stays reachable for orchestrators.
        (await client.GetAsync("/health/live", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Metrics_are_exported_in_prometheus_text()
    {
        await using var factory = new ApiFactory();
        using var client = factory.CreateAuthorizedClient();
        await client.GetAsync("/v1/models", TestContext.Current.CancellationToken);
        var text = await client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        text.ShouldContain("# TYPE reportgen_requests counter");
        text.ShouldContain("reportgen_requests{route=\"/v1/models\",status=\"200\"} 1");
        text.ShouldContain("reportgen_request_seconds_bucket{route=\"/v1/models\",le=\"+Inf\"} 1");
        text.ShouldContain("reportgen_queue_depth");
    }

    [Fact]
    public void Outside_development_the_service_refuses_to_start_without_keys()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["ReportGen:ApiKeys:0:Key"] = "" }, environment: "Production");
        var error = Should.Throw<OptionsValidationException>(() => factory.CreateClient());
        error.Message.ShouldContain("ReportGen:ApiKeys");
    }

    [Fact]
    public async Task Cors_allows_configured_editor_origins_only()
    {
        await using var factory = new ApiFactory(new Dictionary<string, string?> { ["ReportGen:CorsOrigins:0"] = "https://ris.example.org" });
        using var client = factory.CreateClient();
        async Task<HttpResponseMessage> Preflight(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/v1/models");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "x-api-key,content-type");
            return await client.SendAsync(request, TestContext.Current.CancellationToken);
        }
        var allowed = await Preflight("https://ris.example.org");
        allowed.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe(["https://ris.example.org"]);
        allowed.Headers.Vary.ShouldContain("Origin");
        (await Preflight("https://evil.example.com")).Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();

        // The actual request's answer varies by origin too, so no shared cache hands it to another origin.
        var get = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        get.Headers.Add("Origin", "https://ris.example.org");
        get.Headers.Add("X-Api-Key", ApiFactory.Key);
        var response = await client.SendAsync(get, TestContext.Current.CancellationToken);
        response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe(["https://ris.example.org"]);
        response.Headers.Vary.ShouldBe(["Origin"]);
    }
}
