using System.Text.Json;
using ReportGen.Eval.Bench;
using ReportGen.Llama.Native;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>
/// The CLI as a process on the opt-in native build (<c>build/native/provision.sh llama-native</c>, which
/// <c>REPORTGEN_LLAMA_LIB_DIR</c> points at): doctor names its release and commit, and bench vlm runs llama.cpp's CLI
/// on those same libraries. Skipped where that build was not made (it takes minutes; never part of the normal build).
/// </summary>
public class NativeBuildTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The newest verified native build in the cache that has its build record and its CLI.
    private static string NativeBuild()
    {
        var cache = LlmReferenceDecoder.NativeCache;
        var dir = Directory.Exists(cache)
            ? Directory.GetDirectories(cache, "llama-native_*").Where(d => File.Exists(Path.Combine(d, ".verified")) && File.Exists(Path.Combine(d, LlamaBuild.SourceBuildFileName))
                && File.Exists(Path.Combine(d, "llama-mtmd-cli"))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
        if (dir is null) Assert.Skip($"no native llama.cpp build with llama-build.json and llama-mtmd-cli in {cache} (run build/native/provision.sh llama-native)");
        return dir!;
    }

    private static Task<(int Exit, string Out, string Err)> Cli(string libraryDirectory, params string[] args) => ReportGenProcess.RunAsync(new Dictionary<string, string>
    {
        ["REPORTGEN_LLAMA_LIB_DIR"] = libraryDirectory,
        ["REPORTGEN_MANIFEST"] = RepoFiles.Path("models", "models.json"),
        ["REPORTGEN_MODELS"] = RepoFiles.Path("tests", "fixtures", "gguf"),
    }, args, Ct);

    [Fact]
    public async Task Doctor_names_the_release_and_commit_the_native_build_was_made_from()
    {
        var dir = NativeBuild();
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, LlamaBuild.SourceBuildFileName)));
        var commit = record.RootElement.GetProperty("commit").GetString()!;
        commit.Length.ShouldBe(40);
        // The same release as the npm build's metadata: both come from the pinned node-llama-cpp.
        var npmRelease = LlamaRuntimeInfo.Read().Build.Release;

        var (exit, stdout, stderr) = await Cli(dir, "doctor");
        exit.ShouldBe(0, stdout + stderr);
        stdout.ShouldContain($"llama.cpp     release {npmRelease}, commit {commit[..12]} (CPU build from source for this CPU: provision.sh llama-native) from {dir}");
        stdout.ShouldNotContain("release unknown");
        stdout.ShouldContain("CPU variant loaded: native (built for this CPU)");
    }

    [Fact]
    public async Task Bench_vlm_runs_llama_mtmd_cli_on_the_native_libraries_our_process_loads()
    {
        var dir = NativeBuild();
        var (exit, stdout, stderr) = await Cli(dir, "bench", "vlm", "--model", "tiny-llava-vlm", "--image", SharedData.Data("images", "00000001_000.png"), "--repeats", "1");
        exit.ShouldBe(0, stdout + stderr);
        var lines = stdout.Split('\n');
        lines.ShouldContain(l => l.StartsWith($"our libraries: {dir} (llama.cpp release ", StringComparison.Ordinal));
        lines.ShouldContain($"cli, our libs: {Path.Combine(dir, "llama-mtmd-cli")}");
        lines.ShouldContain(l => l.StartsWith("ratio (llama-mtmd-cli on our libraries / ours)", StringComparison.Ordinal));
    }
}
