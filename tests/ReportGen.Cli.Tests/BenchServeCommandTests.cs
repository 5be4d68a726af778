using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.Eval.Bench;
using ReportGen.Eval.Reporting;
using ReportGen.TestSupport;
using Shouldly;
using Xunit;

namespace ReportGen.Cli.Tests;

public sealed class BenchServeCommandTests
{
    private static BenchServeCommand.Settings Settings(string model = "stories260k", int maxTokens = 4, IReadOnlyList<int>? levels = null, string? json = null,
        IReadOnlyList<int>? replicas = null, bool cacheCheck = false, int rounds = 1) =>
        new(model, 1, 2, 512, maxTokens, 1, levels ?? [1, 2], cacheCheck, json, RemoteReplicas: replicas, Rounds: rounds);

    [Theory]
    [InlineData(0, new[] { 1 }, 1, "--max-tokens")]
    [InlineData(4, new[] { 0 }, 1, "--concurrency")]
    [InlineData(4, new[] { 1 }, 0, "--rounds")]
    public async Task Bad_options_exit_2(int maxTokens, int[] levels, int rounds, string named)
    {
        var stderr = new StringWriter();
        var exit = await BenchServeCommand.RunAsync(Settings(maxTokens: maxTokens, levels: levels, rounds: rounds), new StringWriter(), stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(2);
        stderr.ToString().ShouldContain(named);
    }

    [Fact]
    public void With_several_rounds_the_table_numbers_them_and_adds_the_median_and_spread_of_each_ratio()
    {
        static ServeLoadResult Level(int tokens, double firstTokenMs) =>
            new(1, 1, 0, tokens, 1, LatencyStats.From([firstTokenMs]), LatencyStats.From(Array.Empty<double>()), null, 450) { FirstTokenByRequest = [firstTokenMs] };
        var table = BenchServeCommand.Table(
        [
            new(1, Level(110, 90), Level(100, 100), null, null, 0),
            new(1, Level(90, 120), Level(100, 100), null, null, 1),
            new(1, Level(100, 100), Level(100, 100), null, null, 2),
        ]);
        table.ShouldContain("x1 #3");
        table.ShouldContain("median of 3 (min-max)");
        table.ShouldContain("1.00 (0.90-1.10)"); // tok/s
        table.ShouldContain("1.00 (0.90-1.20)"); // TTFT p95

        var single = BenchServeCommand.Table([new(1, Level(110, 90), Level(100, 100), null, null)]);
        single.ShouldNotContain("#1");
        single.ShouldNotContain("median");
    }

    [Fact]
    public async Task An_unknown_kv_layout_exits_2_naming_the_option()
    {
        var stderr = new StringWriter();
        var exit = await BenchServeCommand.RunAsync(Settings() with { KvLayout = "split" }, new StringWriter(), stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(2);
        stderr.ToString().ShouldContain("--kv-layout");
    }

    [Fact]
    public async Task Unknown_model_exits_2_naming_it()
    {
        var stderr = new StringWriter();
        var exit = await BenchServeCommand.RunAsync(Settings(model: "no-such-model"), new StringWriter(), stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(2);
        stderr.ToString().ShouldContain("no-such-model");
    }

    [Theory]
    [InlineData("default")]
    [InlineData("streams")] // llama-server with --no-kv-unified, ours with UnifiedKvCache=false
    public async Task Both_servers_answer_the_same_load_and_the_table_has_ratios(string kvLayout)
    {
        SharedData.Model("stories260K.gguf");
        // The real llama-server, only where it is already built (building it takes tens of minutes).
        if (LlamaServer.FindBuilt() is null) Assert.Skip("llama-server is not built: run build/native/provision.sh llama-tools (or set REPORTGEN_LLAMA_SERVER)");
        using var dir = new TempDir();
        var json = Path.Combine(dir.Path, "serve.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await BenchServeCommand.RunAsync(Settings(json: json) with { KvLayout = kvLayout }, stdout, stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(0, stderr.ToString() + stdout);
        stdout.ToString().ShouldContain("ours / llama-server");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        doc.RootElement.GetProperty("kvLayout").GetString().ShouldBe(kvLayout);
        doc.RootElement.GetProperty("cpu").GetString().ShouldBe(LlmBenchmark.CpuModel());
        stdout.ToString().ShouldContain($"; {LlmBenchmark.CpuModel()}; load average");
        var rows = doc.RootElement.GetProperty("rows");
        rows.GetArrayLength().ShouldBe(2);
        foreach (var row in rows.EnumerateArray())
        {
            foreach (var side in new[] { "ours", "llamaServer" })
            {
                var r = row.GetProperty(side);
                r.GetProperty("errors").GetInt32().ShouldBe(0);
                // ignore_eos honoured by both: every request generated exactly max_tokens.
                r.GetProperty("tokens").GetInt32().ShouldBe(r.GetProperty("requests").GetInt32() * 4);
                r.GetProperty("firstTokenMs").GetProperty("p95").GetDouble().ShouldBeGreaterThan(0);
            }
            row.GetProperty("throughputRatio").GetDouble().ShouldBeGreaterThan(0);
            // The same chat becomes the same prompt tokens in both (llama-server gets our template for a model without one).
            row.GetProperty("ours").GetProperty("meanPromptTokens").GetDouble().ShouldBe(row.GetProperty("llamaServer").GetProperty("meanPromptTokens").GetDouble());
        }
    }

    [Theory]
    [InlineData(new[] { 0 }, false)]
    [InlineData(new[] { 1, 1 }, false)]
    [InlineData(new[] { 9 }, false)]
    [InlineData(new int[0], false)]
    [InlineData(new[] { 1 }, true)]
    public async Task Bad_replica_counts_exit_2(int[] replicas, bool cacheCheck)
    {
        var stderr = new StringWriter();
        var exit = await BenchServeCommand.RunAsync(Settings(replicas: replicas, cacheCheck: cacheCheck), new StringWriter(), stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(2);
        stderr.ToString().ShouldContain("--remote-replicas");
    }

    [Fact]
    public async Task Our_service_in_front_of_one_and_two_replicas_answers_the_same_load_as_llama_server_direct()
    {
        SharedData.Model("stories260K.gguf");
        if (LlamaServer.FindBuilt() is null) Assert.Skip("llama-server is not built: run build/native/provision.sh llama-tools (or set REPORTGEN_LLAMA_SERVER)");
        using var dir = new TempDir();
        var json = Path.Combine(dir.Path, "remote.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await BenchServeCommand.RunAsync(Settings(json: json, replicas: [1, 2]), stdout, stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(0, stderr.ToString() + stdout);
        stdout.ToString().ShouldContain("ours -> 2 replicas");
        stdout.ToString().ShouldContain("ours 1 / direct");
        stdout.ToString().ShouldContain("ours 2 / ours 1");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        var rows = doc.RootElement.GetProperty("rows");
        rows.GetArrayLength().ShouldBe(2);
        foreach (var row in rows.EnumerateArray())
        {
            var results = row.GetProperty("ours").EnumerateArray().Select(o => o.GetProperty("result")).Prepend(row.GetProperty("direct")).ToList();
            results.Count.ShouldBe(3);
            foreach (var r in results)
            {
                r.GetProperty("errors").GetInt32().ShouldBe(0);
                // ignore_eos went through our proxy too: every request generated exactly max_tokens.
                r.GetProperty("tokens").GetInt32().ShouldBe(r.GetProperty("requests").GetInt32() * 4);
                r.GetProperty("firstTokenMs").GetProperty("p95").GetDouble().ShouldBeGreaterThan(0);
            }
            row.GetProperty("ours").EnumerateArray().ShouldAllBe(o => o.GetProperty("throughputRatioToDirect").GetDouble() > 0);
        }
    }
}
