using System.Diagnostics;
using System.Globalization;
using ReportGen.Core.Hosting;

namespace ReportGen.Eval.Bench;

/// <summary>
/// The C reference decoder (tools/llama-decode-bench/main.c, embedded in this assembly), compiled with gcc on
/// first use into a cache folder against the pinned llama.h and linked to the provisioned libllama.
/// Why compile against the real header rather than declare structs here: the context/model params layouts
/// change between llama.cpp releases; taking them from the pinned source keeps the reference exact. The header
/// is not vendored: it comes from the llama.cpp source of the provisioned build, REPORTGEN_LLAMA_SRC when set,
/// else the headers `build/native/provision.sh llama-headers` extracts on demand from node-llama-cpp's
/// <c>llama/gitRelease.bundle</c> into the native cache (see <see cref="LocateSource"/>).
/// </summary>
public sealed class LlmReferenceDecoder
{
    private LlmReferenceDecoder(string executable, string libraryDirectory)
    {
        Executable = executable;
        LibraryDirectory = libraryDirectory;
    }

    /// <summary>The compiled program.</summary>
    public string Executable { get; }

    /// <summary>The folder holding libllama/libggml (and the CPU backends it loads).</summary>
    public string LibraryDirectory { get; }

    /// <summary>
    /// The folder holding include/llama.h and ggml/include of the pinned llama.cpp: REPORTGEN_LLAMA_SRC when set;
    /// else <c>build/native/provision.sh llama-headers</c> of this checkout (fast when cached; fetches
    /// node-llama-cpp with npm and extracts the headers from its git bundle otherwise); else, outside a checkout,
    /// an already extracted <c>llama-headers_*</c> folder in the native cache.
    /// </summary>
    /// <exception cref="InvalidOperationException">No headers could be found or provisioned; the message says why and what to do.</exception>
    public static string LocateSource()
    {
        if (Environment.GetEnvironmentVariable("REPORTGEN_LLAMA_SRC") is { Length: > 0 } env)
            return File.Exists(Path.Combine(env, "include", "llama.h")) ? env
                : throw new InvalidOperationException($"REPORTGEN_LLAMA_SRC={env} has no include/llama.h");
        var script = Workspace.RepoRoot is { } root ? Path.Combine(root, "build", "native", "provision.sh") : null;
        if (script is not null && File.Exists(script))
        {
            var (rc, stdout, stderr) = RunTool("bash", [script, "llama-headers"], TimeSpan.FromMinutes(5));
            if (rc == 0 && stdout.Trim() is { Length: > 0 } dir && File.Exists(Path.Combine(dir, "include", "llama.h"))) return dir;
            throw new InvalidOperationException($"could not provision the pinned llama.h: {stderr.Trim().Split('\n')[^1]}");
        }
        var cached = Directory.Exists(NativeCache)
            ? Directory.GetDirectories(NativeCache, "llama-headers_*").Where(d => File.Exists(Path.Combine(d, ".verified")) && File.Exists(Path.Combine(d, "include", "llama.h")))
                .Order(StringComparer.Ordinal).LastOrDefault()
            : null;
        return cached ?? throw new InvalidOperationException(
            $"no pinned llama.h: run build/native/provision.sh llama-headers from a checkout (cache {NativeCache}) or set REPORTGEN_LLAMA_SRC");
    }

    /// <summary>The native package cache, as build/NativeRuntimes.props computes it.</summary>
    public static string NativeCache =>
        Environment.GetEnvironmentVariable("REPORTGEN_NATIVE_CACHE") is { Length: > 0 } c ? c
        : Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? Path.Combine(x, "reportgen", "native")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "reportgen", "native");

    /// <summary>The C compiler: CC when set, else cc.</summary>
    public static string DefaultCompiler => Environment.GetEnvironmentVariable("CC") is { Length: > 0 } cc ? cc : "cc";

    /// <summary>Compiles the reference (or reuses the cached binary for the same source and libraries).</summary>
    /// <exception cref="InvalidOperationException">The compiler, the header or the libraries are missing, or compilation failed.</exception>
    public static LlmReferenceDecoder Build(string libraryDirectory, string sourceDirectory, string cacheDirectory, string? compiler = null)
    {
        compiler ??= DefaultCompiler;
        var include = Path.Combine(sourceDirectory, "include");
        var ggmlInclude = Path.Combine(sourceDirectory, "ggml", "include");
        if (!File.Exists(Path.Combine(include, "llama.h")))
            throw new InvalidOperationException($"llama.h not found under {include}; set REPORTGEN_LLAMA_SRC to the llama.cpp source of the provisioned build");
        var llama = Directory.GetFiles(libraryDirectory, "libllama*.so").Where(f => !f.Contains("common", StringComparison.Ordinal)).OrderBy(f => f.Length).FirstOrDefault()
            ?? throw new InvalidOperationException($"libllama not found in {libraryDirectory}");
        var ggml = Directory.GetFiles(libraryDirectory, "libggml.*so").OrderBy(f => f.Length).FirstOrDefault()
            ?? throw new InvalidOperationException($"libggml not found in {libraryDirectory}");
        using var src = typeof(LlmReferenceDecoder).Assembly.GetManifestResourceStream("llama-decode-bench.c")
            ?? throw new InvalidOperationException("embedded llama-decode-bench.c missing");
        var source = new StreamReader(src).ReadToEnd();
        var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(source + "|" + llama + "|" + File.GetLastWriteTimeUtc(llama).Ticks + "|" + include + "|" + compiler)))[..16];
        Directory.CreateDirectory(cacheDirectory);
        var exe = Path.Combine(cacheDirectory, $"llama-decode-bench-{key}");
        if (!File.Exists(exe))
        {
            var c = Path.Combine(cacheDirectory, $"llama-decode-bench-{key}.c");
            File.WriteAllText(c, source);
            var tmp = exe + "." + Environment.ProcessId + ".tmp";
            var (rc, _, err) = RunTool(compiler, ["-O2", "-o", tmp, c, "-I", include, "-I", ggmlInclude, "-L", libraryDirectory,
                "-l:" + Path.GetFileName(llama), "-l:" + Path.GetFileName(ggml), "-l:libggml-base.so", "-Wl,-rpath," + libraryDirectory], TimeSpan.FromMinutes(2));
            if (rc != 0) throw new InvalidOperationException($"{compiler} failed ({rc}): {err.Trim()}");
            File.Move(tmp, exe, overwrite: true);
        }
        return new LlmReferenceDecoder(exe, libraryDirectory);
    }

    /// <summary>Runs one decode: generated tokens per second of the timed loop, the token count, and the process CPU seconds per token.</summary>
    public LlmDecodeRun Decode(string model, int threads, int tokens, int contextSize, string prompt, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (rc, output, err) = RunTool(Executable, [LibraryDirectory, model, threads.ToString(CultureInfo.InvariantCulture),
            tokens.ToString(CultureInfo.InvariantCulture), contextSize.ToString(CultureInfo.InvariantCulture), prompt], TimeSpan.FromMinutes(10));
        if (rc != 0) throw new InvalidOperationException($"reference decoder failed ({rc}): {err.Trim()}");
        var fields = output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=')).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        var n = int.Parse(fields["tokens"], CultureInfo.InvariantCulture);
        var seconds = double.Parse(fields["seconds"], CultureInfo.InvariantCulture);
        var cpu = double.Parse(fields["cpu_seconds"], CultureInfo.InvariantCulture);
        return new LlmDecodeRun(n / seconds, n, cpu / n, cpu / n);
    }

    /// <summary>Runs a tool to completion (stdout and stderr captured), killing it after <paramref name="timeout"/>.</summary>
    internal static (int ExitCode, string Stdout, string Stderr) RunTool(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process? started;
        try { started = Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run {file} ({e.Message}); install it (for the C reference: a C compiler, apt-get install -y gcc, or set CC)", e);
        }
        using var p = started ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} did not finish in {timeout}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
