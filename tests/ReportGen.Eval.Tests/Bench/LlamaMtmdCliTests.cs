using ReportGen.Eval.Bench;
using ReportGen.TestSupport;
using Shouldly;
using Xunit;

namespace ReportGen.Eval.Tests.Bench;

/// <summary>Which llama-mtmd-cli runs "on our libraries" in <c>bench vlm</c>: one linked against the folder our process loads.</summary>
public sealed class LlamaMtmdCliTests
{
    [Fact, Fast]
    public void A_source_build_folder_runs_the_cli_built_beside_its_libraries()
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "libllama.so"), "");
        LlamaMtmdCli.FindBuiltOnLibraries(dir.Path).Binary.ShouldBeNull();
        LlamaMtmdCli.FindBuiltOnLibraries(dir.Path).WhyNot!.ShouldContain("provision.sh llama-native again");

        var cli = Path.Combine(dir.Path, "llama-mtmd-cli");
        File.WriteAllText(cli, "");
        LlamaMtmdCli.FindBuiltOnLibraries(dir.Path).ShouldBe((cli, null));
    }

    [Fact, Fast]
    public void The_npm_build_of_the_cli_is_taken_only_for_a_folder_holding_the_very_libllama_it_links()
    {
        if (LlamaServer.FindBuiltTool("llama-mtmd-cli", LlamaMtmdCli.NpmBinaryVariable, "mtmd-cli-npm_*", "") is not { } npm)
        {
            Assert.Skip("llama-mtmd-cli on the npm libraries is not built (build/native/provision.sh mtmd-cli-npm BIN_DIR)");
            return;
        }
        var linked = Directory.GetFiles(Path.GetDirectoryName(npm)!, "libllama.*.so").Single();
        using var dir = new TempDir();
        var ours = Path.Combine(dir.Path, Path.GetFileName(linked));
        File.Copy(linked, ours);
        LlamaMtmdCli.FindBuiltOnLibraries(dir.Path).ShouldBe((npm, null));

        // Another build under the same name: one byte differs.
        var bytes = File.ReadAllBytes(ours);
        bytes[^1] ^= 1;
        File.WriteAllBytes(ours, bytes);
        var (binary, whyNot) = LlamaMtmdCli.FindBuiltOnLibraries(dir.Path);
        binary.ShouldBeNull();
        whyNot.ShouldBe($"{npm} links another {Path.GetFileName(linked)} than the one in {dir.Path}");

        File.Delete(ours);
        LlamaMtmdCli.FindBuiltOnLibraries(dir.Path).WhyNot.ShouldBe($"{npm} links no libllama of {dir.Path}");
    }
}
