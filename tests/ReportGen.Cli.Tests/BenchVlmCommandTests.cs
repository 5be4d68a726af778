using System.Globalization;
using ReportGen.Cli.Commands;
using ReportGen.Eval.Bench;
using ReportGen.Llama.Native;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>
/// <c>reportgen bench vlm</c> on the tiny LLaVA fixture: both in-process sides with their stages, then llama.cpp's own
/// llama-mtmd-cli (the static reference build and the build on our libraries) timed from its log.
/// </summary>
public class BenchVlmCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static string Fixtures => RepoFiles.Path("tests", "fixtures", "gguf");

    [Fact]
    public async Task Bench_vlm_times_each_stage_of_ours_the_in_process_helper_and_llama_mtmd_cli_or_says_why_not()
    {
        var resolver = MmprojDraftTests.Resolver(); // skips without libmtmd
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        (await BenchVlmCommand.RunAsync("tiny-llava-vlm", SharedData.Data("images", "00000001_000.png"), 2, 1, stdout, stderr, Ct, resolver)).ShouldBe(0, stderr.ToString());
        var lines = stdout.ToString().Split('\n');
        Ratio(lines, "ratio (llama.cpp / ours)").ShouldBeGreaterThan(0);
        // ours and the helper have a median for the stages they run; a stage a side does not have is "-"
        var encode = Cells(lines, "encode (vision tower + projector)");
        Median(encode[0]).ShouldBeGreaterThan(0);
        encode[1].ShouldBe("-");
        Median(Cells(lines, "mtmd_tokenize (with preprocessing)")[1]).ShouldBeGreaterThan(0);
        Median(Cells(lines, "wait for the scheduler")[0]).ShouldBeGreaterThanOrEqualTo(0);
        Median(Cells(lines, "decodes + first token sampled")[0]).ShouldBeGreaterThan(0);
        var cpu = Cells(lines, "CPU time, with the bitmap");
        Median(cpu[0]).ShouldBeGreaterThan(0);
        Median(cpu[1]).ShouldBeGreaterThan(0);

        if (LlamaMtmdCli.FindBuilt() is null)
            lines.ShouldContain(l => l.StartsWith("llama-mtmd-cli (same span, own log): skipped, not built", StringComparison.Ordinal));
        else
        {
            Ratio(lines, "ratio (llama-mtmd-cli / ours)").ShouldBeGreaterThan(0); // a turn it could not time skips it with the reason instead
            Median(encode[2]).ShouldBeGreaterThan(0);
            Median(Cells(lines, "image decoded")[2]).ShouldBeGreaterThan(0);
        }
        lines.ShouldContain($"our libraries: {LlamaLibrary.Directory} (llama.cpp {LlamaBuild.Read(LlamaLibrary.Directory)})");
        if (LlamaMtmdCli.FindBuiltOnLibraries(LlamaLibrary.Directory) is (null, var whyNot))
            lines.ShouldContain($"llama-mtmd-cli on our libraries (same span, own log): skipped, {whyNot}");
        else
        {
            lines.ShouldContain(l => l.StartsWith("cli, our libs: ", StringComparison.Ordinal));
            Ratio(lines, "ratio (llama-mtmd-cli on our libraries / ours)").ShouldBeGreaterThan(0);
        }
    }

    [Fact]
    public async Task Llama_mtmd_cli_turns_are_split_into_stages_that_add_up_to_the_turn()
    {
        if (LlamaMtmdCli.FindBuilt() is not { } binary) { Assert.Skip("llama-mtmd-cli is not built (build/native/provision.sh llama-tools)"); return; }
        var turns = await LlamaMtmdCli.TimeTurnsAsync(binary, Path.Combine(Fixtures, "tiny-llava-llama.gguf"), Path.Combine(Fixtures, "tiny-llava-mmproj-128.gguf"),
            SharedData.Data("images", "00000001_000.png"), "Describe.", 1, 2, Ct);
        turns.Count.ShouldBe(2);
        foreach (var t in turns)
        {
            double[] stages = [t.TokenizeMs, t.TextBeforeMs, t.EncodeMs, t.ImageDecodeMs, t.TextAfterMs, t.SampleMs];
            stages.ShouldAllBe(ms => double.IsFinite(ms) && ms >= 0); // NaN: a log line the parser expects is missing
            t.EncodeMs.ShouldBeGreaterThan(0);
            t.ImageDecodeMs.ShouldBeGreaterThan(0);
            stages.Sum().ShouldBe(t.TotalMs, 1e-6); // consecutive log lines: the stages partition the turn
            t.CpuMs.ShouldBeGreaterThan(t.EncodeMs / 4); // its main thread's CPU over the turn, read from /proc while it waits for input
        }
    }

    [Fact]
    public async Task Llama_mtmd_cli_refusing_a_model_fails_with_its_last_log_line_instead_of_hanging()
    {
        if (LlamaMtmdCli.FindBuilt() is not { } binary) { Assert.Skip("llama-mtmd-cli is not built (build/native/provision.sh llama-tools)"); return; }
        // An mmproj whose embedding size does not fit the LLM: libmtmd refuses it at load.
        var e = await Should.ThrowAsync<InvalidOperationException>(() => LlamaMtmdCli.TimeTurnsAsync(binary, Path.Combine(Fixtures, "tiny-gemma3.gguf"),
            Path.Combine(Fixtures, "tiny-llava-mmproj-128.gguf"), SharedData.Data("images", "00000001_000.png"), "Describe.", 1, 2, Ct));
        e.Message.ShouldContain("timed 0/1 turns");
    }

    private static double Ratio(string[] lines, string label) =>
        double.Parse(lines.Single(l => l.StartsWith(label, StringComparison.Ordinal))[label.Length..].Trim(), CultureInfo.InvariantCulture);

    // The row's cells after its 38-character label, each "median (p25-p75)" or "-": ours, helper, then each llama-mtmd-cli build.
    private static string[] Cells(string[] lines, string label) =>
        lines.Single(l => l.StartsWith(label, StringComparison.Ordinal))[38..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(c => !c.StartsWith('(')).ToArray();

    private static double Median(string cell) => double.Parse(cell, CultureInfo.InvariantCulture);
}
