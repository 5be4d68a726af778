using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ReportGen.Core.Hosting;

namespace ReportGen.Eval.Bench;

/// <summary>How a serving benchmark configures both servers: the same threads, context per sequence and parallel sequences.</summary>
/// <param name="Threads">CPU threads for decoding (llama-server <c>-t</c>/<c>-tb</c>; our <c>ReportGen:Llm:Threads</c>).</param>
/// <param name="ContextPerSequence">KV tokens per sequence (llama-server <c>-c</c> is this × sequences; so is our ContextSize).</param>
/// <param name="Sequences">Parallel sequences (llama-server <c>--parallel</c>; our <c>ReportGen:Llm:Sequences</c>).</param>
/// <param name="GpuLayers">Layers offloaded to the GPU (llama-server <c>-ngl</c>; our <c>ReportGen:Llm:GpuLayers</c>); 0 = CPU.</param>
/// <param name="UnifiedKv">Both servers' KV layout: one cache all sequences share (true), a stream per sequence (false), or
/// each server's default (null: ours unified, llama-server a stream per slot).</param>
public sealed record ServeShape(int Threads, int ContextPerSequence, int Sequences, int GpuLayers = 0, bool? UnifiedKv = null)
{
    /// <summary>The whole KV cache in tokens.</summary>
    public int ContextSize => ContextPerSequence * Sequences;
}

/// <summary>
/// llama.cpp's own <c>llama-server</c> as a benchmark and test peer: found through <c>build/native/provision.sh
/// llama-tools</c> (built once from the pinned source, cached; never part of the normal build) and started on a free
/// loopback port. One small class so tests and benchmarks start it the same way.
/// </summary>
public static class LlamaServer
{
    /// <summary>Environment variable naming a llama-server binary to use instead of the provisioned one.</summary>
    public const string BinaryVariable = "REPORTGEN_LLAMA_SERVER";

    /// <summary>
    /// The llama-server binary: <c>REPORTGEN_LLAMA_SERVER</c>; else <c>provision.sh llama-tools</c> of this checkout (seconds
    /// when cached, a full llama.cpp build otherwise); else, outside a checkout, a cached <c>llama-tools_*</c> build.
    /// </summary>
    /// <exception cref="InvalidOperationException">None could be found or built; the message says why and what to do.</exception>
    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable(BinaryVariable) is { Length: > 0 } env)
            return File.Exists(env) ? env : throw new InvalidOperationException($"{BinaryVariable}={env} does not exist");
        var script = Workspace.RepoRoot is { } root ? Path.Combine(root, "build", "native", "provision.sh") : null;
        if (script is not null && File.Exists(script))
        {
            var (rc, stdout, stderr) = LlmReferenceDecoder.RunTool("bash", [script, "llama-tools"], TimeSpan.FromHours(2));
            var bin = Path.Combine(stdout.Trim(), "bin", "llama-server");
            if (rc == 0 && File.Exists(bin)) return bin;
            throw new InvalidOperationException($"could not provision llama-server: {stderr.Trim().Split('\n')[^1]}");
        }
        return FindBuilt() ?? throw new InvalidOperationException(
            $"no llama-server: run build/native/provision.sh llama-tools from a checkout (cache {LlmReferenceDecoder.NativeCache}) or set {BinaryVariable}");
    }

    /// <summary>
    /// A llama-server that needs no build: <c>REPORTGEN_LLAMA_SERVER</c>, else one already built into the native cache
    /// (<c>llama-tools_*/bin</c>, checked by provision.sh when it was made); null when there is none.
    /// </summary>
    public static string? FindBuilt() => FindBuiltTool("llama-server", BinaryVariable);

    /// <summary>
    /// A llama.cpp tool that needs no build: the file named by <paramref name="variable"/>, else <paramref name="tool"/>
    /// already built into the native cache (<c>FOLDERS/BIN</c>, by default <c>llama-tools_*/bin</c>, checked by provision.sh
    /// when it was made); null when none.
    /// </summary>
    public static string? FindBuiltTool(string tool, string variable, string folders = "llama-tools_*", string bin = "bin")
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } env) return File.Exists(env) ? env : null;
        var cache = LlmReferenceDecoder.NativeCache;
        return Directory.Exists(cache)
            ? Directory.GetDirectories(cache, folders).Where(d => File.Exists(Path.Combine(d, ".verified")))
                .Select(d => Path.Combine(d, bin, tool)).Where(File.Exists).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
    }

    /// <summary>The cmake flags the binary was built with (its <c>build.json</c> beside <c>bin/</c>), or null when unknown.</summary>
    public static string? BuildFlags(string binary)
    {
        var json = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(binary)!)!, "build.json");
        if (!File.Exists(json)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        return doc.RootElement.TryGetProperty("cmakeFlags", out var f) ? f.GetString() : null;
    }

    /// <summary>
    /// The chat template llama-server gets for a model that has none: the messages' text joined by newlines, which is what
    /// our service does for such a model (<c>LlamaModel.ApplyChatTemplate</c>). llama-server's own default is ChatML,
    /// whose markers a base model's vocabulary spells out in ~30 extra tokens per prompt, so the two servers would not be
    /// given the same tokens.
    /// </summary>
    public const string PlainChatTemplate = "{% for message in messages %}{% if not loop.first %}{{ \"\\n\" }}{% endif %}{{ message.content }}{% endfor %}";

    /// <summary>
    /// Starts llama-server on a free loopback port with <paramref name="model"/> and the <paramref name="shape"/> (continuous
    /// batching and its other defaults left as a user gets them), ready when <c>/health</c> answers 200. A model without a
    /// chat template gets <see cref="PlainChatTemplate"/>, so chat requests become the same tokens as in our service.
    /// </summary>
    public static Task<BenchServerProcess> StartAsync(string binary, string model, ServeShape shape, string apiKey, CancellationToken cancellationToken,
        IEnumerable<string>? extraArguments = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var port = BenchServerProcess.FreePort();
        var start = new ProcessStartInfo(binary);
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        foreach (var a in (string[])["-m", model, "--host", "127.0.0.1", "--port", I(port), "-t", I(shape.Threads), "-tb", I(shape.Threads),
                     "-c", I(shape.ContextSize), "--parallel", I(shape.Sequences), "-ngl", I(shape.GpuLayers), "--api-key", apiKey, "--no-webui"])
            start.ArgumentList.Add(a);
        if (shape.UnifiedKv is { } unified) start.ArgumentList.Add(unified ? "--kv-unified" : "--no-kv-unified");
        if (!GgufKv.HasKey(model, "tokenizer.chat_template"))
            foreach (var a in (string[])["--chat-template", PlainChatTemplate]) start.ArgumentList.Add(a);
        foreach (var a in extraArguments ?? []) start.ArgumentList.Add(a);
        return BenchServerProcess.StartAsync("llama-server", start, port, "health", TimeSpan.FromMinutes(5), cancellationToken);
    }

    /// <summary>The CPU features ggml reports at start-up (its <c>system_info</c> line), or null when it has not printed one.</summary>
    public static string? SystemInfo(BenchServerProcess server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var line = server.RecentOutput.FirstOrDefault(l => l.Contains("system_info", StringComparison.Ordinal));
        if (line is null) return null;
        var at = line.IndexOf("system_info", StringComparison.Ordinal);
        return line[at..].Trim();
    }
}
