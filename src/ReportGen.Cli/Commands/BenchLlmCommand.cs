using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ReportGen.Core.Models;
using ReportGen.Eval.Bench;
using ReportGen.Llama;
using ReportGen.Llama.Native;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen bench llm [--model ID_OR_FILE] [--threads N] [--tokens N] [--repeats N] [--sections LIST]
/// [--roofline-model 1gb|tiny] [--weights f16|q8_0] [--gpu-layers N] [--bandwidth-gbs X] [--json FILE]</c>: decode overhead versus a minimal C program on
/// the same libllama (interleaved pairs, median and spread), roofline and batching throughput at 1/4/8/16
/// sequences on a generated ~1 GB random LLaMA, printed as a table with the load average of each section.
/// </summary>
internal static class BenchLlmCommand
{
    private const string Verb = "reportgen bench llm";

    /// <summary>Options of one run.</summary>
    internal sealed record Settings(string? Model, int Threads, int Tokens, int Repeats, IReadOnlySet<string> Sections, string? JsonFile,
        string? RooflineShape = null, string? CacheDirectory = null, string? Weights = null, int GpuLayers = 0, double BandwidthGBs = 0)
    {
        /// <summary>How every model of the run is loaded (--gpu-layers: offload to the GPU with the CUDA build).</summary>
        public LlamaModelOptions ModelOptions => new() { GpuLayers = GpuLayers };
    }

    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "LLM id from models.json or a GGUF path for the overhead row (default: the generated model of --roofline-model, ~1 GB)" };
        var threads = new Option<int>("--threads") { Description = "llama.cpp threads, the same for every run, ours and the C reference (default: all physical cores)" };
        var tokens = new Option<int>("--tokens") { Description = "generated tokens per run (per sequence when batching)", DefaultValueFactory = _ => 64 };
        var repeats = new Option<int>("--repeats") { Description = "interleaved stack/reference pairs for the overhead median", DefaultValueFactory = _ => 7 };
        var sections = new Option<string>("--sections") { Description = "comma list of overhead, roofline, batching", DefaultValueFactory = _ => "overhead,roofline,batching" };
        var roofline = new Option<string?>("--roofline-model") { Description = "generated model of the roofline and batching rows: 1gb (default) or tiny" };
        var weights = new Option<string?>("--weights") { Description = "matrix type of the generated model: q8_0 (default) or f16" };
        var gpuLayers = new Option<int>("--gpu-layers") { Description = "layers offloaded to the GPU (CUDA build; -1 = all); 0 = CPU (default)" };
        var bandwidth = new Option<double>("--bandwidth-gbs") { Description = "memory bandwidth of the roofline in GB/s (a GPU's, from its data sheet); default: measured CPU read bandwidth" };
        var json = new Option<FileInfo?>("--json") { Description = "also write the figures as JSON to this file" };
        var command = new Command("llm", "Benchmark the LLM runtime: overhead vs C, roofline, batching") { model, threads, tokens, repeats, sections, roofline, weights, gpuLayers, bandwidth, json };
        command.SetAction((parse, ct) => RunAsync(new Settings(parse.GetValue(model), parse.GetValue(threads), parse.GetValue(tokens), parse.GetValue(repeats),
            parse.GetValue(sections)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase),
            parse.GetValue(json)?.FullName, parse.GetValue(roofline), Weights: parse.GetValue(weights), GpuLayers: parse.GetValue(gpuLayers),
            BandwidthGBs: parse.GetValue(bandwidth)), Console.Out, Console.Error, ct));
        return command;
    }

    internal static async Task<int> RunAsync(Settings s, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        string[] known = ["overhead", "roofline", "batching"];
        if (s.Tokens < 2 || s.Threads < 0 || s.Repeats < 1 || s.Sections.Count == 0 || s.Sections.Any(x => !known.Contains(x, StringComparer.OrdinalIgnoreCase))
            || s.RooflineShape is not (null or "1gb" or "tiny") || s.Weights is not (null or "f16" or "q8_0") || s.GpuLayers < -1 || s.BandwidthGBs < 0)
        {
            await stderr.WriteLineAsync($"{Verb}: --tokens must be >= 2, --threads >= 0, --repeats >= 1, --sections from {string.Join(",", known)}, --roofline-model 1gb|tiny, --weights f16|q8_0, --gpu-layers >= -1, --bandwidth-gbs >= 0");
            return 2;
        }
        var threads = s.Threads > 0 ? s.Threads : LlmBenchmark.PhysicalCores();
        var cache = s.CacheDirectory ?? CacheDirectory();
        var rows = new List<string[]>();
        var figures = new Dictionary<string, object?>
        {
            ["threads"] = threads, ["tokens"] = s.Tokens, ["repeats"] = s.Repeats, ["cores"] = Environment.ProcessorCount,
            ["physicalCores"] = LlmBenchmark.PhysicalCores(), ["cpu"] = LlmBenchmark.CpuModel(), ["gpuLayers"] = s.GpuLayers, ["loadAverageAtStart"] = MachineLoad.OneMinute(), ["startedUtc"] = DateTime.UtcNow,
            ["commandLine"] = Environment.GetCommandLineArgs().Length > 1 ? string.Join(' ', Environment.GetCommandLineArgs().Skip(1)) : null,
        };
        try
        {
            // --model is checked first, whatever the sections, so a typo fails before minutes of work.
            var modelPath = s.Model is not null ? ResolveModel(s.Model) : null;
            LlamaLibrary.EnsureInitialised();
            LlmGgufWriter.Generated? generated = null;
            // Without --model the overhead row runs on the generated model too: on a model of a few hundred KB the
            // decode is so short that the ratio measures noise, not the binding.
            if (s.Sections.Contains("roofline") || s.Sections.Contains("batching") || (modelPath is null && s.Sections.Contains("overhead")))
            {
                generated = Generate(cache, s.RooflineShape, s.Weights, ct);
                figures["generatedModel"] = new { path = generated.Path, fileBytes = generated.FileBytes, weightBytesPerToken = generated.WeightBytesPerToken, weights = s.Weights ?? "q8_0" };
            }
            figures["overheadModel"] = s.Sections.Contains("overhead") ? modelPath ?? generated!.Path : null;
            if (s.Sections.Contains("overhead")) await OverheadAsync(modelPath ?? generated!.Path, threads, s, cache, rows, figures, stderr, ct);
            if (s.Sections.Contains("roofline")) await RooflineAsync(generated!, threads, s, rows, figures, ct);
            if (s.Sections.Contains("batching")) await BatchingAsync(generated!, threads, s, rows, figures, ct);
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
        figures["loadAverageAtEnd"] = MachineLoad.OneMinute();
        await stdout.WriteLineAsync($"bench llm: {threads} threads, {s.Tokens} tokens per run, {LlmBenchmark.PhysicalCores()} physical cores ({Environment.ProcessorCount} logical, {LlmBenchmark.CpuModel()}), "
            + $"load average {figures["loadAverageAtStart"] ?? "n/a"} at the start, {figures["loadAverageAtEnd"] ?? "n/a"} at the end");
        await stdout.WriteLineAsync(Table(rows));
        if (s.JsonFile is { } file)
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(figures, BenchJson.Options), ct);
        return 0;
    }

    // Single-stream decode through the stack vs the C reference on the same libllama, in interleaved pairs.
    private static async Task OverheadAsync(string modelPath, int threads, Settings s, string cache, List<string[]> rows, Dictionary<string, object?> figures,
        TextWriter stderr, CancellationToken ct)
    {
        LlmReferenceDecoder? reference = null;
        string? skipped = null;
        try { reference = LlmReferenceDecoder.Build(LlamaLibrary.Directory, LlmReferenceDecoder.LocateSource(), Path.Combine(cache, "bin")); }
        catch (InvalidOperationException e) { skipped = e.Message.Split('\n')[0]; }
        if (reference is null)
        {
            // The C reference needs the pinned llama.h (npm + git) and a C compiler; without them the row is skipped, visibly.
            figures["overhead"] = new { skipped };
            rows.Add(["overhead", "stack/C decode tok/s", "skipped", ">= 0.97", skipped!]);
            await stderr.WriteLineAsync($"{Verb}: overhead skipped: {skipped}");
        }
        else
        {
            using var model = LlamaModel.Load(modelPath, s.ModelOptions);
            var pairs = await LlmBenchmark.OverheadAsync(model, reference, threads, s.Tokens, s.Repeats, ct);
            var ratios = pairs.Select(p => p.Ratio).ToArray();
            var median = LlmBenchmark.Median(ratios);
            var cpuMedian = LlmBenchmark.Median(pairs.Select(p => p.CpuRatio));
            var threadCpuMedian = LlmBenchmark.Median(pairs.Select(p => p.DecodeThreadCpuRatio));
            var load = MachineLoad.OneMinute();
            figures["overhead"] = new
            {
                model = modelPath, ratioMedian = median, ratioMin = ratios.Min(), ratioMax = ratios.Max(), cpuRatioMedian = cpuMedian,
                decodeThreadCpuRatioMedian = threadCpuMedian, loadAverage = load,
                pairs = pairs.Select(p => new
                {
                    stack = p.Stack.TokensPerSecond, reference = p.Reference.TokensPerSecond, ratio = p.Ratio,
                    stackCpuMsPerToken = p.Stack.CpuSecondsPerToken * 1e3, stackDecodeThreadCpuMsPerToken = p.Stack.DecodeThreadCpuSecondsPerToken * 1e3,
                    referenceCpuMsPerToken = p.Reference.CpuSecondsPerToken * 1e3, cpuRatio = p.CpuRatio, decodeThreadCpuRatio = p.DecodeThreadCpuRatio,
                }),
            };
            rows.Add(["overhead", $"stack/C decode tok/s, median of {pairs.Count} interleaved pairs", F(median, "0.000"), ">= 0.97",
                $"spread {F(ratios.Min(), "0.000")}-{F(ratios.Max(), "0.000")}; stack {F(LlmBenchmark.Median(pairs.Select(p => p.Stack.TokensPerSecond)), "0.0")} vs C "
                + $"{F(LlmBenchmark.Median(pairs.Select(p => p.Reference.TokensPerSecond)), "0.0")} tok/s on {Path.GetFileName(modelPath)}; CPU-time ratio {F(cpuMedian, "0.000")} (process), {F(threadCpuMedian, "0.000")} (decode threads); load {load ?? "n/a"}"]);
        }
    }

    // Decode rate × weight bytes per token against the measured read bandwidth, on the generated model.
    private static async Task RooflineAsync(LlmGgufWriter.Generated generated, int threads, Settings s, List<string[]> rows, Dictionary<string, object?> figures,
        CancellationToken ct)
    {
        var bandwidth = s.BandwidthGBs > 0 ? s.BandwidthGBs * 1e9 : LlmMemoryBandwidth.Measure(1L << 30, threads, 10, ct);
        using var model = LlamaModel.Load(generated.Path, s.ModelOptions);
        var rate = await LlmBenchmark.DecodeRateAsync(model, threads, s.Tokens, Math.Min(s.Repeats, 3), ct);
        var roof = new LlmRoofline(generated.Path, generated.WeightBytesPerToken, rate, bandwidth);
        var load = MachineLoad.OneMinute();
        figures["roofline"] = new { model = roof.Model, weightBytesPerToken = roof.WeightBytesPerToken, tokensPerSecond = rate, bandwidthBytesPerSecond = bandwidth, fraction = roof.Fraction, loadAverage = load };
        rows.Add(["roofline", "tok/s x bytes/token / read bandwidth", F(roof.Fraction, "0.000"), ">= 0.6",
            $"{F(rate, "0.00")} tok/s x {roof.WeightBytesPerToken / 1e6:0.0} MB / {bandwidth / 1e9:0.00} GB/s ({(s.BandwidthGBs > 0 ? "given" : $"{threads}-thread read of 1 GiB")}); load {load ?? "n/a"}"]);
    }

    // Aggregate tok/s at 1, 4, 8 and 16 concurrent sequences, against a single stream.
    private static async Task BatchingAsync(LlmGgufWriter.Generated generated, int threads, Settings s, List<string[]> rows, Dictionary<string, object?> figures,
        CancellationToken ct)
    {
        using var model = LlamaModel.Load(generated.Path, s.ModelOptions);
        var batch = await LlmBenchmark.BatchingAsync(model, threads, s.Tokens, [1, 4, 8, 16], ct);
        var single = batch[0].TokensPerSecond;
        var singleCpu = batch[0].TokensPerCpuSecond;
        var load = MachineLoad.OneMinute();
        figures["batching"] = batch.Select(b => new
        {
            concurrency = b.Concurrency, tokens = b.Tokens, seconds = b.Seconds, cpuSeconds = b.CpuSeconds, tokensPerSecond = b.TokensPerSecond,
            speedup = b.TokensPerSecond / single, cpuSpeedup = b.TokensPerCpuSecond / singleCpu,
        });
        figures["batchingLoadAverage"] = load;
        foreach (var b in batch)
            rows.Add([$"batching x{b.Concurrency}", "aggregate tok/s / single stream", F(b.TokensPerSecond / single, "0.00"), b.Concurrency == 8 ? ">= 4" : "",
                $"{F(b.TokensPerSecond, "0.0")} tok/s ({b.Tokens} tokens in {b.Seconds:0.00} s); in CPU time {F(b.TokensPerCpuSecond / singleCpu, "0.00")}x "
                + $"({F(b.TokensPerCpuSecond, "0.0")} tok per CPU-s); {Path.GetFileName(generated.Path)}; load {load ?? "n/a"}"]);
    }

    /// <summary>The generated random LLaMA (1gb: TinyLlama-1.1B's shape, Q8_0 unless f16; tiny: a few hundred KB), made once and cached.</summary>
    internal static LlmGgufWriter.Generated Generate(string cache, string? shape, string? weights, CancellationToken ct)
    {
        var q8 = weights is null or "q8_0";
        var s = shape == "tiny" ? LlmSyntheticShape.Tiny with { WeightType = q8 ? LlmWeightType.Q8_0 : LlmWeightType.F16 }
            : q8 ? LlmSyntheticShape.OneGigabyteQ8 : LlmSyntheticShape.OneGigabyte;
        return LlmGgufWriter.GetOrCreate(Path.Combine(cache, "models"), s, ResolveModel("stories260k"), ct);
    }

    internal static string ResolveModel(string? idOrFile)
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

    internal static string CacheDirectory()
    {
        var home = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(home, "reportgen", "bench-llm");
    }

    internal static string F(double v, string format) => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    internal static string Table(IReadOnlyList<string[]> rows) => Table(["benchmark", "measure", "value", "target", "detail"], rows);

    /// <summary>Left-aligned columns two spaces apart under a dashed header line.</summary>
    internal static string Table(string[] header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var sb = new System.Text.StringBuilder();
        void Line(string[] cells) => sb.AppendLine(string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        Line(header);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var r in rows) Line(r);
        return sb.ToString().TrimEnd();
    }
}
