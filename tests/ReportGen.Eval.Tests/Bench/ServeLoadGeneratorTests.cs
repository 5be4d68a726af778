using System.Text.Json;
using ReportGen.Eval.Bench;
using Shouldly;
using Xunit;

namespace ReportGen.Eval.Tests.Bench;

public sealed class ServeLoadGeneratorTests
{
    [Fact]
    public void The_request_is_a_streamed_greedy_fixed_length_chat_completion()
    {
        var body = JsonDocument.Parse(ServeLoadGenerator.Body(new ServeLoadSettings(1, 1, 32, ["p"], CachePrompt: false), "hello")).RootElement;
        body.GetProperty("stream").GetBoolean().ShouldBeTrue();
        body.GetProperty("ignore_eos").GetBoolean().ShouldBeTrue();
        body.GetProperty("temperature").GetDouble().ShouldBe(0);
        body.GetProperty("max_tokens").GetInt32().ShouldBe(32);
        body.GetProperty("cache_prompt").GetBoolean().ShouldBeFalse();
        body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean().ShouldBeTrue();
        body.GetProperty("messages")[0].GetProperty("content").GetString().ShouldBe("hello");
        JsonDocument.Parse(ServeLoadGenerator.Body(new ServeLoadSettings(1, 1, 32, ["p"]), "x")).RootElement.TryGetProperty("cache_prompt", out _).ShouldBeFalse();
    }

    [Fact]
    public void Every_prompt_shares_the_prefix_and_has_report_length()
    {
        ServeBenchmark.Prompts.Count.ShouldBe(8);
        ServeBenchmark.Prompts.ShouldAllBe(p => p.StartsWith(ServeBenchmark.SharedPrefix, StringComparison.Ordinal) && p.Length > 500);
        ServeBenchmark.Prompts.Distinct().Count().ShouldBe(8);
    }

    [Fact]
    public async Task A_server_that_refuses_is_an_error_per_request_not_an_exception()
    {
        // A port nobody listens on: every request fails, the level still completes and counts them.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{BenchServerProcess.FreePort()}/") };
        var result = await ServeLoadGenerator.RunAsync(http, new ServeLoadSettings(2, 3, 4, ["a", "b"]), TestContext.Current.CancellationToken);
        result.Errors.ShouldBe(3);
        result.Tokens.ShouldBe(0);
        result.FirstError.ShouldNotBeNull().ShouldContain("HttpRequestException");
    }
}
