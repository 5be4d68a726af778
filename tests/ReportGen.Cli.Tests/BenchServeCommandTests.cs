using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.Eval.Bench;
using ReportGen.TestSupport;
using Shouldly;
using Xunit;

namespace ReportGen.Cli.Tests;

public sealed class BenchServeCommandTests
{
    private static BenchServeCommand.Settings Settings(string model = "stories260k", int maxTokens = 4, IReadOnlyList<int>? levels = null, string? json = null) =>
        new(model, 1, 2, 512, maxTokens, 1, levels ?? [1, 2], false, json);

    [Theory]
    [InlineData(0, new[] { 1 })]
    [InlineData(4, new[] { 0 })]
    public async Task Bad_options_exit_2(int maxTokens, int[] levels)
    {
        var stderr = new StringWriter();
        var exit = await BenchServeCommand.RunAsync(Settings(maxTokens: maxTokens, levels: levels), new StringWriter(), stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(2);
        stderr.ToString().ShouldContain("--max-tokens");
    }

    [Fact]
    public async Task Unknown_model_exits_2_naming_it()
    {
        var stderr = new StringWriter();
        var exit = await BenchServeCommand.RunAsync(Settings(model: "no-such-model"), new StringWriter(), stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(2);
        stderr.ToString().ShouldContain("no-such-model");
    }

    [Fact]
    public async Task Both_servers_answer_the_same_load_and_the_table_has_ratios()
    {
        SharedData.Model("stories260K.gguf");
        // The real llama-server, only where it is already built (building it takes tens of minutes).
        if (LlamaServer.FindBuilt() is null) Assert.Skip("llama-server is not built: run build/native/provision.sh llama-tools (or set REPORTGEN_LLAMA_SERVER)");
        using var dir = new TempDir();
        var json = Path.Combine(dir.Path, "serve.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await BenchServeCommand.RunAsync(Settings(json: json), stdout, stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(0, stderr.ToString() + stdout);
        stdout.ToString().ShouldContain("ours / llama-server");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
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
        }
    }
}
