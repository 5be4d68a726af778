using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.Eval.Bench;
using ReportGen.TestSupport;
using Shouldly;
using Xunit;

namespace ReportGen.Cli.Tests;

public sealed class BenchLlmCommandTests
{
    private static HashSet<string> Sections(params string[] s) => new(s, StringComparer.OrdinalIgnoreCase);

    [Fact]
    public async Task Smoke_run_prints_every_section_and_writes_json()
    {
        SharedData.Model("stories260K.gguf");
        // Without the pinned header (no npm/git/cache) the overhead row is skipped, not failed.
        var sections = Sections("overhead", "roofline", "batching");
        using var dir = new TempDir();
        var json = Path.Combine(dir.Path, "bench.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await BenchLlmCommand.RunAsync(new BenchLlmCommand.Settings("stories260k", 1, 8, 1, sections, json, "tiny", dir.Path),
            stdout, stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(0, stderr.ToString());
        var text = stdout.ToString();
        text.ShouldContain("roofline");
        text.ShouldContain("batching x8");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        doc.RootElement.GetProperty("roofline").GetProperty("fraction").GetDouble().ShouldBeGreaterThan(0);
        doc.RootElement.GetProperty("batching").GetArrayLength().ShouldBe(4);
        var overhead = doc.RootElement.GetProperty("overhead");
        if (!overhead.TryGetProperty("skipped", out _))
        {
            overhead.GetProperty("ratioMedian").GetDouble().ShouldBeGreaterThan(0);
            overhead.GetProperty("ratioMin").GetDouble().ShouldBeLessThanOrEqualTo(overhead.GetProperty("ratioMax").GetDouble());
        }
        doc.RootElement.GetProperty("threads").GetInt32().ShouldBe(1);
        // The figures name the machine they were taken on, in the header and the JSON.
        doc.RootElement.GetProperty("cpu").GetString().ShouldBe(LlmBenchmark.CpuModel());
        text.ShouldContain($"logical, {LlmBenchmark.CpuModel()})");
    }

    [Theory]
    [InlineData(1, "overhead")]
    [InlineData(8, "speed")]
    public async Task Bad_options_exit_2(int tokens, string section)
    {
        var stderr = new StringWriter();
        var exit = await BenchLlmCommand.RunAsync(new BenchLlmCommand.Settings(null, 1, tokens, 1, Sections(section), null),
            new StringWriter(), stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(2);
        stderr.ToString().ShouldContain("--tokens");
    }

    [Fact]
    public async Task Unknown_model_id_exits_2()
    {
        var stderr = new StringWriter();
        var exit = await BenchLlmCommand.RunAsync(new BenchLlmCommand.Settings("no-such-model", 1, 8, 1, Sections("batching"), null),
            new StringWriter(), stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(2);
        stderr.ToString().ShouldContain("no-such-model");
    }

    [Fact]
    public async Task Without_a_model_the_overhead_row_runs_on_the_generated_model()
    {
        SharedData.Model("stories260K.gguf"); // the donor of the generated model's vocabulary
        using var dir = new TempDir();
        var json = Path.Combine(dir.Path, "bench.json");
        var stderr = new StringWriter();
        var exit = await BenchLlmCommand.RunAsync(new BenchLlmCommand.Settings(null, 1, 8, 1, Sections("overhead"), json, "tiny", dir.Path),
            new StringWriter(), stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(0, stderr.ToString());
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json, TestContext.Current.CancellationToken));
        Path.GetFileName(doc.RootElement.GetProperty("overheadModel").GetString()!).ShouldStartWith("random-llama-");
    }
}
