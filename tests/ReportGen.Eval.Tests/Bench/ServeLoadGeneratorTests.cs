using System.Text.Json;
using ReportGen.Eval.Bench;
using ReportGen.Eval.Reporting;
using ReportGen.Pipelines.Remote;
using ReportGen.TestSupport;
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
        result.Reconnects.ShouldBe(0); // a refused connection is an error, not a closed kept-alive one
    }

    [Fact]
    public async Task A_request_sent_on_a_connection_the_server_then_closes_goes_again_on_a_new_one_and_is_counted()
    {
        // Like llama-server: the stream advertises keep-alive, then the next request on that connection is dropped unanswered.
        // Exact counts, because the generator reads each stream to its end and so always reuses the connection it has.
        await using var server = ClosingStreamServer.Start(ClosingStreamServer.Chat(4));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var result = await ServeLoadGenerator.RunAsync(http, new ServeLoadSettings(1, 3, 4, ["a"]), TestContext.Current.CancellationToken);
        result.Errors.ShouldBe(0, result.FirstError);
        result.Tokens.ShouldBe(12);
        result.Reconnects.ShouldBe(2);
        server.Dropped.ShouldBe(2);
        server.Accepted.ShouldBe(3);
        server.Answered.ShouldBe(3);
        result.FirstReconnectCause.ShouldNotBeNull().ShouldContain("ResponseEnded");
    }

    [Fact]
    public async Task A_server_that_drops_every_request_is_an_error_naming_the_cause_after_the_reconnects()
    {
        await using var server = ClosingStreamServer.Start(ClosingStreamServer.Chat(4), answersPerConnection: 0);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var result = await ServeLoadGenerator.RunAsync(http, new ServeLoadSettings(1, 2, 4, ["a"]), TestContext.Current.CancellationToken);
        result.Errors.ShouldBe(2);
        result.Reconnects.ShouldBe(2 * ClosedConnections.MaxResends);
        result.FirstError.ShouldNotBeNull().ShouldContain("HttpRequestException(ResponseEnded)");
        result.FirstError.ShouldContain("The response ended prematurely");
    }

    [Fact]
    public async Task Tokens_sent_one_per_chunk_time_every_gap_and_the_time_per_token()
    {
        await using var server = ClosingStreamServer.Start(ClosingStreamServer.Chat(5, delayMs: 30), answersPerConnection: 10);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var r = await ServeLoadGenerator.SendAsync(http, ServeLoadGenerator.Body(new ServeLoadSettings(1, 1, 5, ["a"]), "a"), 5, TestContext.Current.CancellationToken);
        r.Error.ShouldBeNull();
        r.FirstTokenMs.ShouldBeGreaterThanOrEqualTo(25);
        r.GapsMs.Count.ShouldBe(4);
        // The gaps as received: one late chunk shortens the next gap, so the bound is on their sum (120 ms as sent).
        r.GapsMs.ShouldAllBe(g => g >= 0);
        r.GapsMs.Sum().ShouldBeGreaterThanOrEqualTo(80);
        r.TimePerTokenMs.ShouldBeGreaterThanOrEqualTo(20);
    }

    [Fact]
    public async Task Tokens_held_back_and_sent_together_still_time_the_first_token_and_the_time_per_token()
    {
        // llama-server on a generated model: the role chunk with the first token, then nothing while the text ends in
        // incomplete UTF-8, then the finish chunk. No per-token gaps exist; TTFT and time per token still do.
        var events = new List<(string, int)>
        {
            ("""{"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":null}}]}""", 20),
            ("""{"choices":[{"finish_reason":"length","index":0,"delta":{}}]}""", 200),
            ("""{"choices":[],"usage":{"completion_tokens":5,"prompt_tokens":3,"total_tokens":8}}""", 0),
            ("[DONE]", 0),
        };
        await using var server = ClosingStreamServer.Start(events, answersPerConnection: 10);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var r = await ServeLoadGenerator.SendAsync(http, ServeLoadGenerator.Body(new ServeLoadSettings(1, 1, 5, ["a"]), "a"), 5, TestContext.Current.CancellationToken);
        r.Error.ShouldBeNull();
        r.Tokens.ShouldBe(5);
        r.FirstTokenMs.ShouldBeGreaterThanOrEqualTo(15);
        r.GapsMs.ShouldBeEmpty();
        r.TimePerTokenMs.ShouldBeInRange(30, 150); // 200 ms over the 4 tokens after the first: 50 as sent, 200 if over one token
    }

    [Fact]
    public async Task A_first_chunk_held_back_is_placed_by_the_final_chunks_timings()
    {
        // llama-server when its first tokens end in incomplete UTF-8: nothing at all until the text is whole (here 300 ms
        // after the request, at its last token), then the finish chunk, whose timings say it generated for 300 ms after
        // its first token. The first token was therefore ~20 ms after the request, not at the first chunk.
        var events = new List<(string, int)>
        {
            ("""{"choices":[{"finish_reason":null,"index":0,"delta":{"role":"assistant","content":"\ufffd\ufffd"}}]}""", 300),
            ("""{"choices":[{"finish_reason":"length","index":0,"delta":{}}]}""", 20),
            ("""{"choices":[],"usage":{"completion_tokens":5,"prompt_tokens":3,"total_tokens":8},"timings":{"prompt_n":3,"prompt_ms":9.5,"predicted_n":5,"predicted_ms":300.0}}""", 0),
            ("[DONE]", 0),
        };
        await using var server = ClosingStreamServer.Start(events, answersPerConnection: 10);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var r = await ServeLoadGenerator.SendAsync(http, ServeLoadGenerator.Body(new ServeLoadSettings(1, 1, 5, ["a"]), "a"), 5, TestContext.Current.CancellationToken);
        r.Error.ShouldBeNull();
        r.FirstTokenMs.ShouldBeLessThan(200, "timed at the held-back first chunk (~300 ms), not placed by the timings");
        r.TimePerTokenMs.ShouldBeInRange(60, 120); // 300 ms over the 4 tokens after the first

        // Timings for another number of tokens than the stream's say nothing about this request's first token.
        events[2] = ("""{"choices":[],"usage":{"completion_tokens":5,"prompt_tokens":3,"total_tokens":8},"timings":{"predicted_n":4,"predicted_ms":300.0}}""", 0);
        await using var other = ClosingStreamServer.Start(events, answersPerConnection: 10);
        using var otherHttp = new HttpClient { BaseAddress = other.BaseAddress };
        (await ServeLoadGenerator.SendAsync(otherHttp, ServeLoadGenerator.Body(new ServeLoadSettings(1, 1, 5, ["a"]), "a"), 5, TestContext.Current.CancellationToken))
            .FirstTokenMs.ShouldBeGreaterThanOrEqualTo(280);
    }
}

public sealed class ServeBenchRowTests
{
    private static ServeLoadResult Level(params double[] firstTokenMs) =>
        new(1, firstTokenMs.Length, 0, 16 * firstTokenMs.Length, 1, LatencyStats.From(firstTokenMs), LatencyStats.From(Array.Empty<double>()), null, 450) { FirstTokenByRequest = firstTokenMs };

    [Fact]
    public void Time_to_first_token_is_compared_on_the_requests_both_servers_timed()
    {
        // llama-server timed only request 0 (its prompt cached); ours timed all three. Unpaired p95s would compare our
        // full prefills with its cache hit.
        var row = new ServeBenchRow(1, Level(120, 2500, 2900), Level(100, double.NaN, double.NaN), null, null);
        row.PairedFirstToken.Ours.Count.ShouldBe(1);
        row.FirstTokenP95Ratio.ShouldBe(1.2, 1e-9);
        (row.Ours.FirstToken.P95Ms / row.Theirs.FirstToken.P95Ms).ShouldBeGreaterThan(25); // what the unpaired ratio said

        new ServeBenchRow(1, Level(120, double.NaN), Level(double.NaN, 80), null, null).FirstTokenP95Ratio.ShouldBe(double.NaN);
    }

    [Fact]
    public void A_ratio_over_rounds_is_their_median_and_spread_and_a_round_with_no_figure_is_left_out()
    {
        RatioSpread.Of([1.1, 0.9, double.NaN, 1.0]).ShouldBe(new RatioSpread(1.0, 0.9, 1.1));
        RatioSpread.Of([1.2, 0.8, 1.0, 0.9]).Median.ShouldBe(0.95, 1e-12);
        RatioSpread.Of([double.NaN]).Median.ShouldBe(double.NaN);

        // Three rounds at one client, one at four; tok/s ratios 1.2, 0.8, 1.0 at one client.
        ServeBenchRow Row(int clients, double oursTokens, int round) =>
            new(clients, Level(100) with { Tokens = (int)oursTokens }, Level(100) with { Tokens = 100 }, null, null, round);
        var summary = ServeBenchSummary.Of([Row(1, 120, 0), Row(1, 80, 1), Row(1, 100, 2), Row(4, 150, 0)]);
        summary.Count.ShouldBe(2);
        summary[0].ShouldSatisfyAllConditions(
            s => s.Concurrency.ShouldBe(1), s => s.Rounds.ShouldBe(3),
            s => s.Throughput.ShouldBe(new RatioSpread(1.0, 0.8, 1.2)), s => s.FirstTokenP95.ShouldBe(new RatioSpread(1.0, 1.0, 1.0)));
        summary[1].Throughput.Median.ShouldBe(1.5, 1e-12);
    }
}
