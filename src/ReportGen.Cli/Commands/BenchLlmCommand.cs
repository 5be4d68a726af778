using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ReportGen.Core.Models;
using ReportGen.Eval.Bench;
using ReportGen.Llama;
using ReportGen.Llama.Native;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen bench llm [--model ID_OR_FILE] [--threads N] [--tokens N] [--repeats N] [--sections LIST] [--json FILE]</c>:
/// decode overhead versus a minimal C program on the same libllama, roofline on a generated ~1 GB random LLaMA,
/// and batching throughput at 1/4/8/16 sequences, printed as a table.
/// </summary>
internal static class BenchLlmCommand
{
    private const string Verb = "reportgen bench llm";

    /// <summary>Options of one run.</summary>
    internal sealed record Settings(string? Model, int Threads, int Tokens, int Repeats, IReadOnlySet<string> Sections, string? JsonFile,
        string? RooflineShape = null, string? CacheDirectory = null);

    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "LLM id from models.json or a GGUF path for overhead and batching (default: stories260k, which greedy-decodes the full --tokens without an end token)" };
        var threads = new Option<int>("--threads") { Description = "llama.cpp threads, same for every run (default: all cores)" };
        var tokens = new Option<int>("--tokens") { Description = "generated tokens per run", DefaultValueFactory = _ => 64 };
        var repeats = new Option<int>("--repeats") { Description = "alternating stack/reference pairs for the overhead median", DefaultValueFactory = _ => 5 };
        var sections = new Option<string>("--sections") { Description = "comma list of overhead, roofline, batching", DefaultValueFactory = _ => "overhead,roofline,batching" };
        var roofline = new Option<string?>("--roofline-model") { Description = "roofline model size: 1gb (default) or tiny" };
        var json = new Option<FileInfo?>("--json") { Description = "also write the figures as JSON to this file" };
        var command = new Command("llm", "Benchmark the LLM runtime: overhead vs C, roofline, batching") { model, threads, tokens, repeats, sections, roofline, json };
        command.SetAction((parse, ct) => RunAsync(new Settings(parse.GetValue(model), parse.GetValue(threads), parse.GetValue(tokens), parse.GetValue(repeats),
            parse.GetValue(sections)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase),
            parse.GetValue(json)?.FullName, parse.GetValue(roofline)), Console.Out, Console.Error, ct));
        return command;
    }

    internal static async Task<int> RunAsync(Settings s, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        string[] known = ["overhead", "roofline", "batching"];
        if (s.Tokens < 2 || s.Threads < 0 || s.Repeats < 1 || s.Sections.Count == 0 || s.Sections.Any(x => !known.Contains(x, StringComparer.OrdinalIgnoreCase))
            || s.RooflineShape is not (null or "1gb" or "tiny"))
        {
            await stderr.WriteLineAsync($"{Verb}: --tokens must be >= 2, --threads >= 0, --repeats >= 1, --sections from {string.Join(",", known)}, --roofline-model 1gb|tiny");
            return 2;
        }
        var threads = s.Threads > 0 ? s.Threads : Environment.ProcessorCount;
        var cache = s.CacheDirectory ?? CacheDirectory();
        var rows = new List<string[]>();
        var figures = new Dictionary<string, object?>
        {
            ["threads"] = threads, ["tokens"] = s.Tokens, ["cores"] = Environment.ProcessorCount,
            ["loadAverage"] = LoadAverage(),
        };
        try
        {
            LlamaLibrary.EnsureInitialised();
            var modelPath = ResolveModel(s.Model);
            figures["model"] = modelPath;
            if (s.Sections.Contains("overhead"))
            {
                using var model = LlamaModel.Load(modelPath);
                var reference = LlmReferenceDecoder.Build(LlamaLibrary.Directory, LlmReferenceDecoder.DefaultSourceDirectory, Path.Combine(cache, "bin"));
                var pairs = await LlmBenchmark.OverheadAsync(model, reference, threads, s.Tokens, s.Repeats, ct);
                var median = LlmBenchmark.Median(pairs.Select(p => p.Ratio));
                figures["overhead"] = new { ratioMedian = median, pairs = pairs.Select(p => new { stack = p.StackTokensPerSecond, reference = p.ReferenceTokensPerSecond, ratio = p.Ratio }) };
                rows.Add(["overhead", $"stack/C decode tok/s, median of {pairs.Count}", F(median, "0.000"), ">= 0.97",
                    $"stack {F(LlmBenchmark.Median(pairs.Select(p => p.StackTokensPerSecond)), "0.0")} vs C {F(LlmBenchmark.Median(pairs.Select(p => p.ReferenceTokensPerSecond)), "0.0")} tok/s on {Path.GetFileName(modelPath)}"]);
            }
            if (s.Sections.Contains("roofline"))
            {
                var shape = s.RooflineShape == "tiny" ? LlmSyntheticShape.Tiny : LlmSyntheticShape.OneGigabyte;
                var donor = ResolveModel("stories260k");
                var generated = LlmGgufWriter.GetOrCreate(Path.Combine(cache, "models"), shape, donor, ct);
                var bandwidth = LlmMemoryBandwidth.Measure(1L << 30, threads, 10, ct);
                using var model = LlamaModel.Load(generated.Path);
                var rate = await LlmBenchmark.DecodeRateAsync(model, threads, s.Tokens, Math.Min(s.Repeats, 3), ct);
                var roof = new LlmRoofline(generated.Path, generated.WeightBytesPerToken, rate, bandwidth);
                figures["roofline"] = new { model = roof.Model, weightBytesPerToken = roof.WeightBytesPerToken, tokensPerSecond = rate, bandwidthBytesPerSecond = bandwidth, fraction = roof.Fraction };
                rows.Add(["roofline", "tok/s x bytes/token / memory bandwidth", F(roof.Fraction, "0.000"), ">= 0.6",
                    $"{F(rate, "0.00")} tok/s x {roof.WeightBytesPerToken / 1e6:0.0} MB / {bandwidth / 1e9:0.00} GB/s"]);
            }
            if (s.Sections.Contains("batching"))
            {
                using var model = LlamaModel.Load(modelPath);
                var batch = await LlmBenchmark.BatchingAsync(model, threads, s.Tokens, [1, 4, 8, 16], ct);
                var single = batch[0].TokensPerSecond;
                figures["batching"] = batch.Select(b => new { concurrency = b.Concurrency, tokens = b.Tokens, seconds = b.Seconds, tokensPerSecond = b.TokensPerSecond, speedup = b.TokensPerSecond / single });
                foreach (var b in batch)
                    rows.Add([$"batching x{b.Concurrency}", "aggregate tok/s / single stream", F(b.TokensPerSecond / single, "0.00"), b.Concurrency == 8 ? ">= 4" : "",
                        $"{F(b.TokensPerSecond, "0.0")} tok/s ({b.Tokens} tokens in {b.Seconds:0.00} s)"]);
            }
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException)
        {
            await stderr.WriteLineAsync($"{Verb}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or InvalidOperationException or LlamaException or DllNotFoundException or TimeoutException or IOException)
        {
            await stderr.WriteLineAsync($"{Verb}: {e.Message.Split('\n')[0]}");
            return 1;
        }
        await stdout.WriteLineAsync($"bench llm: {threads} threads, {s.Tokens} tokens per run, {Environment.ProcessorCount} cores, load average {LoadAverage() ?? "n/a"} at the end");
        await stdout.WriteLineAsync(Table(rows));
        if (s.JsonFile is { } file)
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true }), ct);
        return 0;
    }

    private static string ResolveModel(string? idOrFile)
    {
        if (idOrFile is not null && (idOrFile.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) || File.Exists(idOrFile)))
            return File.Exists(idOrFile) ? Path.GetFullPath(idOrFile) : throw new FileNotFoundException($"--model file not found: {idOrFile}");
        var manifestPath = ModelManifest.DefaultPath() ?? throw new FileNotFoundException("no models/models.json found (set REPORTGEN_MANIFEST)");
        var manifest = ModelManifest.Load(manifestPath);
        var id = idOrFile ?? "stories260k";
        var entry = manifest.Find(id) ?? throw new ArgumentException($"unknown model id '{id}'");
        if (entry.Role != ModelRole.Llm) throw new ArgumentException($"model '{id}' is not an llm");
        return ModelResolver.CreateDefault(manifest).RequirePath(entry.Id);
    }

    private static string CacheDirectory()
    {
        var home = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(home, "reportgen", "bench-llm");
    }

    private static string? LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    internal static string Table(IReadOnlyList<string[]> rows)
    {
        var header = new[] { "benchmark", "measure", "value", "target", "detail" };
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var sb = new System.Text.StringBuilder();
        void Line(string[] cells) => sb.AppendLine(string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        Line(header);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var r in rows) Line(r);
        return sb.ToString().TrimEnd();
    }
}
