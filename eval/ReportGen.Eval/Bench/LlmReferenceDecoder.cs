using System.Diagnostics;
using System.Globalization;

namespace ReportGen.Eval.Bench;

/// <summary>
/// The C reference decoder (tools/llama-decode-bench/main.c, embedded in this assembly), compiled with gcc on
/// first use into a cache folder against the pinned llama.h and linked to the provisioned libllama.
/// Why compile against the real header rather than declare structs here: the context/model params layouts
/// change between llama.cpp releases; taking them from the pinned source keeps the reference exact. The header
/// is not vendored: it comes from the llama.cpp source of the provisioned build (REPORTGEN_LLAMA_SRC, default
/// /tmp/np/llsrc/llama.cpp).
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

    /// <summary>Default llama.cpp source folder (holding include/llama.h and ggml/include).</summary>
    public static string DefaultSourceDirectory =>
        Environment.GetEnvironmentVariable("REPORTGEN_LLAMA_SRC") is { Length: > 0 } s ? s : "/tmp/np/llsrc/llama.cpp";

    /// <summary>Compiles the reference (or reuses the cached binary for the same source and libraries).</summary>
    /// <exception cref="InvalidOperationException">gcc, the header or the libraries are missing, or compilation failed.</exception>
    public static LlmReferenceDecoder Build(string libraryDirectory, string sourceDirectory, string cacheDirectory)
    {
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
            System.Text.Encoding.UTF8.GetBytes(source + "|" + llama + "|" + File.GetLastWriteTimeUtc(llama).Ticks + "|" + include)))[..16];
        Directory.CreateDirectory(cacheDirectory);
        var exe = Path.Combine(cacheDirectory, $"llama-decode-bench-{key}");
        if (!File.Exists(exe))
        {
            var c = Path.Combine(cacheDirectory, $"llama-decode-bench-{key}.c");
            File.WriteAllText(c, source);
            var tmp = exe + "." + Environment.ProcessId + ".tmp";
            var (rc, _, err) = Run("gcc", ["-O2", "-o", tmp, c, "-I", include, "-I", ggmlInclude, "-L", libraryDirectory,
                "-l:" + Path.GetFileName(llama), "-l:" + Path.GetFileName(ggml), "-l:libggml-base.so", "-Wl,-rpath," + libraryDirectory], TimeSpan.FromMinutes(2));
            if (rc != 0) throw new InvalidOperationException($"gcc failed ({rc}): {err.Trim()}");
            File.Move(tmp, exe, overwrite: true);
        }
        return new LlmReferenceDecoder(exe, libraryDirectory);
    }

    /// <summary>Runs one decode: returns generated tokens per second of the timed loop and the token count.</summary>
    public (double TokensPerSecond, int Tokens) Decode(string model, int threads, int tokens, int contextSize, string prompt, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (rc, output, err) = Run(Executable, [LibraryDirectory, model, threads.ToString(CultureInfo.InvariantCulture),
            tokens.ToString(CultureInfo.InvariantCulture), contextSize.ToString(CultureInfo.InvariantCulture), prompt], TimeSpan.FromMinutes(10));
        if (rc != 0) throw new InvalidOperationException($"reference decoder failed ({rc}): {err.Trim()}");
        var fields = output.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=')).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        var n = int.Parse(fields["tokens"], CultureInfo.InvariantCulture);
        var seconds = double.Parse(fields["seconds"], CultureInfo.InvariantCulture);
        return (n / seconds, n);
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
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
