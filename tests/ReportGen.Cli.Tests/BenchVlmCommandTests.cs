using System.Globalization;
using ReportGen.Cli.Commands;
using ReportGen.Eval.Bench;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary><c>reportgen bench vlm</c> on the tiny LLaVA fixture: both in-process sides, then llama.cpp's own llama-mtmd-cli.</summary>
public class BenchVlmCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Bench_vlm_times_ours_the_in_process_helper_and_llama_mtmd_cli_or_says_why_not()
    {
        var resolver = MmprojDraftTests.Resolver(); // skips without libmtmd
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        (await BenchVlmCommand.RunAsync("tiny-llava-vlm", SharedData.Data("images", "00000001_000.png"), 1, 1, stdout, stderr, Ct, resolver)).ShouldBe(0, stderr.ToString());
        var lines = stdout.ToString().Split('\n');
        Ratio(lines, "ratio (llama.cpp / ours)").ShouldBeGreaterThan(0);
        if (LlamaMtmdCli.FindBuilt() is null)
            lines.ShouldContain(l => l.StartsWith("llama-mtmd-cli (same span, own log): skipped, not built", StringComparison.Ordinal));
        else
            Ratio(lines, "ratio (llama-mtmd-cli / ours)").ShouldBeGreaterThan(0); // a turn it could not time fails the run instead
    }

    [Fact]
    public async Task Llama_mtmd_cli_refusing_a_model_fails_with_its_last_log_line_instead_of_hanging()
    {
        if (LlamaMtmdCli.FindBuilt() is not { } binary) { Assert.Skip("llama-mtmd-cli is not built (build/native/provision.sh llama-tools)"); return; }
        var fixtures = RepoFiles.Path("tests", "fixtures", "gguf");
        // An mmproj whose embedding size does not fit the LLM: libmtmd refuses it at load.
        var e = await Should.ThrowAsync<InvalidOperationException>(() => LlamaMtmdCli.TimeTurnsAsync(binary, Path.Combine(fixtures, "tiny-gemma3.gguf"),
            Path.Combine(fixtures, "tiny-llava-mmproj-128.gguf"), SharedData.Data("images", "00000001_000.png"), "Describe.", 1, 2, Ct));
        e.Message.ShouldContain("timed 0/1 turns");
    }

    private static double Ratio(string[] lines, string label) =>
        double.Parse(lines.Single(l => l.StartsWith(label, StringComparison.Ordinal))[label.Length..].Trim(), CultureInfo.InvariantCulture);
}
