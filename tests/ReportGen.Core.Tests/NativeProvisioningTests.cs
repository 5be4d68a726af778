using ReportGen.TestSupport;

namespace ReportGen.Core.Tests;

/// <summary>build/native/provision.sh: the build's only way to native runtimes, so its failure modes are tested for real.</summary>
public class NativeProvisioningTests
{
    private const string Integrity = "sha512-5uCCDNqWCNfaAm8aR/Uzxbo4HBpKgNF91kCHPepKhgMgV2OAmatoefbOlMihsqCiH2Od35E/eUHQCFbfRBJuOg==";

    [Fact]
    public void A_verified_cache_is_used_without_npm_so_a_second_build_works_offline()
    {
        using var cache = new TempDir();
        var unpacked = Path.Combine(cache.Path, "node-llama-cpp_linux-x64_3.22.1");
        Directory.CreateDirectory(Path.Combine(unpacked, "package"));
        File.WriteAllText(Path.Combine(unpacked, ".verified"), Integrity + "\n");

        var (exit, stdout, _) = Provision("@node-llama-cpp/linux-x64@3.22.1", Integrity, cache.Path, npm: "/nonexistent/npm");
        exit.ShouldBe(0);
        stdout.Trim().ShouldBe(Path.Combine(unpacked, "package"));
    }

    [Fact]
    public void Missing_npm_stops_with_one_line_saying_what_to_do()
    {
        using var cache = new TempDir();
        var (exit, _, stderr) = Provision("@node-llama-cpp/linux-x64@3.22.1", Integrity, cache.Path, npm: "/nonexistent/npm");
        exit.ShouldBe(1);
        stderr.Trim().ShouldStartWith("error: npm is not on PATH");
        stderr.Trim().Split('\n').Length.ShouldBe(1);
    }

    [Fact]
    public void A_hash_mismatch_stops_and_leaves_nothing_in_the_cache()
    {
        if (!File.Exists("/usr/bin/npm") && !File.Exists("/usr/local/bin/npm")) Assert.Skip("npm is not installed");
        using var cache = new TempDir();
        // A tiny real package with a wrong pinned hash.
        var (exit, _, stderr) = Provision("is-number@7.0.0", "sha512-AAAA", cache.Path);
        if (stderr.Contains("npm pack", StringComparison.Ordinal)) Assert.Skip("the npm registry is not reachable: " + stderr.Trim());
        exit.ShouldBe(1);
        stderr.ShouldContain("hash mismatch");
        Directory.EnumerateFileSystemEntries(cache.Path).ShouldBeEmpty();
    }

    [Fact]
    public void Llama_headers_come_from_a_verified_cache_without_npm_or_git()
    {
        using var cache = new TempDir();
        var headers = Path.Combine(cache.Path, "llama-headers_3.22.1");
        Directory.CreateDirectory(Path.Combine(headers, "include"));
        File.WriteAllText(Path.Combine(headers, "include", "llama.h"), "/* pinned */");
        File.WriteAllText(Path.Combine(headers, ".verified"), SourceIntegrity() + "\n");

        var (exit, stdout, stderr) = Provision(["llama-headers", cache.Path], npm: "/nonexistent/npm", git: "/nonexistent/git");
        exit.ShouldBe(0, stderr);
        stdout.Trim().ShouldBe(headers);
    }

    [Fact]
    public void Llama_headers_without_git_stop_with_one_line_saying_what_to_do()
    {
        using var cache = new TempDir();
        var (exit, _, stderr) = Provision(["llama-headers", cache.Path], npm: "/nonexistent/npm", git: "/nonexistent/git");
        exit.ShouldBe(1);
        stderr.Trim().ShouldStartWith("error: git is not on PATH");
        stderr.Trim().Split('\n').Length.ShouldBe(1);
        Directory.EnumerateFileSystemEntries(cache.Path).ShouldBeEmpty();
    }

    [Fact]
    public void Mtmd_without_cmake_stops_with_one_line_saying_what_to_do_and_leaves_the_cache_empty()
    {
        using var cache = new TempDir();
        using var bin = new TempDir();
        foreach (var lib in new[] { "libllama.v0.5.0.so", "libggml.v0.5.0.so", "libggml-base.so" }) File.WriteAllText(Path.Combine(bin.Path, lib), "");
        var (exit, _, stderr) = Provision(["mtmd", bin.Path, cache.Path], npm: "/nonexistent/npm", cmake: "/nonexistent/cmake");
        exit.ShouldBe(1);
        stderr.Trim().ShouldStartWith("error: cmake is not on PATH");
        stderr.Trim().Split('\n').Length.ShouldBe(1);
        Directory.EnumerateFileSystemEntries(cache.Path).ShouldBeEmpty();
    }

    [Fact]
    public void Native_libraries_without_cmake_stop_with_one_line_saying_what_to_do_and_leave_the_cache_empty()
    {
        using var cache = new TempDir();
        var (exit, _, stderr) = Provision(["llama-native", cache.Path], npm: "/nonexistent/npm", cmake: "/nonexistent/cmake");
        exit.ShouldBe(1);
        stderr.Trim().ShouldStartWith("error: cmake is not on PATH");
        stderr.Trim().Split('\n').Length.ShouldBe(1);
        Directory.EnumerateFileSystemEntries(cache.Path).ShouldBeEmpty();
    }

    [Fact]
    public void Mtmd_needs_the_folder_of_the_provisioned_libllama()
    {
        using var cache = new TempDir();
        using var bin = new TempDir();
        var (exit, _, stderr) = Provision(["mtmd", bin.Path, cache.Path], npm: "/nonexistent/npm");
        exit.ShouldBe(1);
        stderr.Trim().ShouldBe($"error: {bin.Path} does not hold the provisioned libllama.v*.so, libggml.v*.so and libggml-base.so");
    }

    [Fact]
    public void Mtmd_cli_on_the_npm_libraries_needs_their_common_library_and_builds_nothing_without_it()
    {
        using var cache = new TempDir();
        using var bin = new TempDir();
        foreach (var lib in new[] { "libllama.v0.5.0.so", "libggml.v0.5.0.so", "libggml-base.so" }) File.WriteAllText(Path.Combine(bin.Path, lib), "");
        var (exit, _, stderr) = Provision(["mtmd-cli-npm", bin.Path, cache.Path], npm: "/nonexistent/npm");
        exit.ShouldBe(1);
        stderr.Trim().ShouldBe($"error: {bin.Path} has no libllama-common.so (llama.cpp's common library, which llama-mtmd-cli needs)");
        Directory.EnumerateFileSystemEntries(cache.Path).ShouldBeEmpty();
    }

    /// <summary>The pinned SRI of node-llama-cpp (the source package), read from build/NativeRuntimes.props as provision.sh reads it.</summary>
    private static string SourceIntegrity()
    {
        var props = File.ReadAllText(RepoFiles.Path("build", "NativeRuntimes.props"));
        var start = props.IndexOf("<LlamaSourceIntegrity>", StringComparison.Ordinal) + "<LlamaSourceIntegrity>".Length;
        return props[start..props.IndexOf("</LlamaSourceIntegrity>", StringComparison.Ordinal)];
    }

    private static (int Exit, string Stdout, string Stderr) Provision(string spec, string integrity, string cache, string? npm = null) =>
        Provision([spec, integrity, cache], npm);

    private static (int Exit, string Stdout, string Stderr) Provision(string[] args, string? npm = null, string? git = null, string? cmake = null)
    {
        var env = new Dictionary<string, string>();
        if (npm is not null) env["REPORTGEN_NPM"] = npm;
        if (git is not null) env["REPORTGEN_GIT"] = git;
        if (cmake is not null) env["REPORTGEN_CMAKE"] = cmake;
        return ScriptRun.Run("/bin/bash", [RepoFiles.Path("build", "native", "provision.sh"), .. args], env);
    }
}
