using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ReportGen.Eval.Bench;
using ReportGen.Llama.Native;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen bench serve [--model ID|FILE|1gb] [--threads N] [--sequences N] [--context-per-sequence N] [--max-tokens N]
/// [--requests-per-client N] [--concurrency LIST] [--prompt-cache-check] [--gpu-layers N] [--json FILE]</c>: our service against llama.cpp's
/// llama-server on loopback, same GGUF and shape, one streaming load generator, a table of ratios per concurrency.
/// </summary>
internal static class BenchServeCommand
{
    private const string Verb = "reportgen bench serve";

    /// <summary>Options of one run.</summary>
    internal sealed record Settings(string Model, int Threads, int Sequences, int ContextPerSequence, int MaxTokens, int RequestsPerClient,
        IReadOnlyList<int> Concurrencies, bool PromptCacheCheck, string? JsonFile, int GpuLayers = 0);

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "LLM id from models.json, a GGUF path, or 1gb (the generated ~1 GB Q8_0 model of bench llm)", DefaultValueFactory = _ => "iu-xray-tiny-llama" };
        var threads = new Option<int>("--threads") { Description = "decode threads of both servers (default: all physical cores)" };
        var sequences = new Option<int>("--sequences") { Description = "parallel sequences: our Sequences = llama-server --parallel", DefaultValueFactory = _ => 8 };
        var context = new Option<int>("--context-per-sequence") { Description = "KV tokens per sequence (both servers get this x sequences)", DefaultValueFactory = _ => 1024 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "generated tokens per request (ignore_eos)", DefaultValueFactory = _ => 64 };
        var perClient = new Option<int>("--requests-per-client") { Description = "requests each client sends per level", DefaultValueFactory = _ => 4 };
        var concurrency = new Option<string>("--concurrency") { Description = "comma list of client counts", DefaultValueFactory = _ => "1,4,8,16" };
        var cacheCheck = new Option<bool>("--prompt-cache-check") { Description = "also run llama-server with cache_prompt off: what reusing the shared prompt prefix is worth" };
        var gpuLayers = new Option<int>("--gpu-layers") { Description = "layers both servers offload to the GPU (-1 = all; needs CUDA builds of both); 0 = CPU (default)" };
        var json = new Option<FileInfo?>("--json") { Description = "also write the figures as JSON to this file" };
        var command = new Command("serve", "Benchmark our service against llama.cpp's llama-server: tok/s, TTFT, inter-token latency")
        {
            model, threads, sequences, context, maxTokens, perClient, concurrency, cacheCheck, gpuLayers, json,
        };
        command.SetAction((parse, ct) =>
        {
            var levels = new List<int>();
            foreach (var part in parse.GetValue(concurrency)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                levels.Add(int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : -1);
            return RunAsync(new Settings(parse.GetValue(model)!, parse.GetValue(threads), parse.GetValue(sequences), parse.GetValue(context), parse.GetValue(maxTokens),
                parse.GetValue(perClient), levels, parse.GetValue(cacheCheck), parse.GetValue(json)?.FullName, parse.GetValue(gpuLayers)), Console.Out, Console.Error, ct);
        });
        return command;
    }

    internal static async Task<int> RunAsync(Settings s, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (s.Threads < 0 || s.Sequences < 1 || s.ContextPerSequence < 64 || s.MaxTokens < 1 || s.RequestsPerClient < 1 || s.Concurrencies.Count == 0 || s.Concurrencies.Any(c => c < 1) || s.GpuLayers < -1)
        {
            await stderr.WriteLineAsync($"{Verb}: --threads must be >= 0, --sequences >= 1, --context-per-sequence >= 64, --max-tokens and --requests-per-client >= 1, --concurrency a comma list of numbers >= 1, --gpu-layers >= -1");
            return 2;
        }
        var shape = new ServeShape(s.Threads > 0 ? s.Threads : LlmBenchmark.PhysicalCores(), s.ContextPerSequence, s.Sequences, s.GpuLayers);
        string modelPath, binary;
        try
        {
            modelPath = s.Model == "1gb" ? BenchLlmCommand.Generate(BenchLlmCommand.CacheDirectory(), null, null, ct).Path : BenchLlmCommand.ResolveModel(s.Model);
            binary = LlamaServer.Locate();
        }
        catch (Exception e) when (e is ArgumentException or KeyNotFoundException or FileNotFoundException)
        {
            await stderr.WriteLineAsync($"{Verb}: --model: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or InvalidDataException or TimeoutException)
        {
            await stderr.WriteLineAsync($"{Verb}: {e.Message.Split('\n')[0]}");
            return 1;
        }
        var key = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var figures = new Dictionary<string, object?>
        {
            ["model"] = modelPath, ["threads"] = shape.Threads, ["sequences"] = shape.Sequences, ["contextPerSequence"] = shape.ContextPerSequence,
            ["maxTokens"] = s.MaxTokens, ["requestsPerClient"] = s.RequestsPerClient, ["cores"] = Environment.ProcessorCount,
            ["physicalCores"] = LlmBenchmark.PhysicalCores(), ["loadAverageAtStart"] = MachineLoad.Averages(), ["startedUtc"] = DateTime.UtcNow,
            ["llamaServer"] = binary, ["llamaServerBuildFlags"] = LlamaServer.BuildFlags(binary),
            ["commandLine"] = string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
        };
        IReadOnlyList<ServeBenchRow> rows;
        string? systemInfo;
        try
        {
            await using var ours = await StartOursAsync(modelPath, shape, key, Math.Max(64, s.Concurrencies.Max() * 2), ct);
            await using var theirs = await LlamaServer.StartAsync(binary, modelPath, shape, key, ct);
            systemInfo = LlamaServer.SystemInfo(theirs);
            using var oursHttp = Client(ours, key);
            using var theirsHttp = Client(theirs, key);
            var progress = new Progress<string>(m => stderr.WriteLine($"{Verb}: {m} (load {MachineLoad.OneMinute() ?? "n/a"})"));
            rows = await ServeBenchmark.RunAsync(oursHttp, theirsHttp, new ServeBenchSettings(s.Concurrencies, s.RequestsPerClient, s.MaxTokens, s.PromptCacheCheck), progress, ct);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
        {
            await stderr.WriteLineAsync($"{Verb}: {e.Message.Split('\n')[0]}");
            return 1;
        }
        figures["llamaServerSystemInfo"] = systemInfo;
        figures["loadAverageAtEnd"] = MachineLoad.Averages();
        figures["rows"] = rows.Select(r => new
        {
            concurrency = r.Concurrency, loadAverage = r.LoadAverage, throughputRatio = r.ThroughputRatio, firstTokenP95Ratio = r.FirstTokenP95Ratio,
            interTokenP95Ratio = r.InterTokenP95Ratio, ours = Json(r.Ours), llamaServer = Json(r.Theirs), llamaServerNoPromptCache = r.TheirsNoCache is { } n ? Json(n) : null,
        });
        await stdout.WriteLineAsync($"bench serve: {Path.GetFileName(modelPath)}, {shape.Threads} threads, {shape.Sequences} sequences x {shape.ContextPerSequence} tokens, "
            + $"{s.MaxTokens} tokens per request (ignore_eos), {s.RequestsPerClient} requests per client; load average {figures["loadAverageAtStart"] ?? "n/a"} at the start, {figures["loadAverageAtEnd"] ?? "n/a"} at the end");
        await stdout.WriteLineAsync($"llama-server: {binary}{(systemInfo is null ? "" : "\n  " + systemInfo)}");
        await stdout.WriteLineAsync(Table(rows));
        if (s.JsonFile is { } file)
            await File.WriteAllTextAsync(file, JsonSerializer.Serialize(figures, BenchJson.Options), ct);
        return rows.Any(r => r.Ours.Errors > 0 || r.Theirs.Errors > 0) ? 1 : 0;
    }

    // Our service as `reportgen serve` in a child process (as llama-server is one): same executable, configuration by
    // environment; the request deadline is llama-server's default read timeout (600 s), not our 120 s.
    private static Task<BenchServerProcess> StartOursAsync(string model, ServeShape shape, string key, int queue, CancellationToken ct)
    {
        var port = BenchServerProcess.FreePort();
        // This CLI's own apphost beside its assembly, else `dotnet ReportGen.Cli.dll` (under `dotnet reportgen.dll` or a test host).
        var assembly = typeof(BenchServeCommand).Assembly.Location;
        var apphost = Path.Combine(Path.GetDirectoryName(assembly)!, "reportgen");
        var start = new ProcessStartInfo(File.Exists(apphost) ? apphost : "dotnet");
        if (!File.Exists(apphost)) start.ArgumentList.Add(assembly);
        foreach (var a in (string[])["serve", "--urls", $"http://127.0.0.1:{port}"]) start.ArgumentList.Add(a);
        var data = Directory.CreateTempSubdirectory("reportgen-bench-serve-").FullName;
        var env = new Dictionary<string, string>
        {
            ["ReportGen__Llm__Model"] = model, ["ReportGen__Llm__Threads"] = I(shape.Threads), ["ReportGen__Llm__Sequences"] = I(shape.Sequences),
            ["ReportGen__Llm__ContextSize"] = I(shape.ContextSize), ["ReportGen__Llm__GpuLayers"] = I(shape.GpuLayers), ["ReportGen__Llm__QueueCapacity"] = I(queue),
            ["ReportGen__ApiKeys__0__Name"] = "bench", ["ReportGen__ApiKeys__0__Key"] = key, ["ReportGen__RateLimitPerMinute"] = "1000000",
            ["ReportGen__DataDirectory"] = data, ["ReportGen__RequestTimeoutSeconds"] = "600", ["Logging__LogLevel__Default"] = "Warning", ["REPORTGEN_LLM_THREADS"] = I(shape.Threads),
        };
        foreach (var (k, v) in env) start.Environment[k] = v;
        return BenchServerProcess.StartAsync("reportgen serve", start, port, "health/ready", TimeSpan.FromMinutes(5), ct);
    }

    private static HttpClient Client(BenchServerProcess server, string key)
    {
        // Idle pooled connections are dropped before llama-server's 5 s keep-alive closes them, so a request is never
        // sent on a connection the server has just closed (seen as "error while sending the request" under load).
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2) };
        var http = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static object Json(ServeLoadResult r) => new
    {
        requests = r.Requests, errors = r.Errors, firstError = r.FirstError, tokens = r.Tokens, seconds = r.Seconds, tokensPerSecond = r.TokensPerSecond,
        meanPromptTokens = double.IsFinite(r.MeanPromptTokens) ? r.MeanPromptTokens : (double?)null,
        firstTokenMs = new { p50 = r.FirstToken.P50Ms, p95 = r.FirstToken.P95Ms, mean = r.FirstToken.MeanMs },
        interTokenMs = new { p50 = r.InterToken.P50Ms, p95 = r.InterToken.P95Ms, mean = r.InterToken.MeanMs },
    };

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    internal static string Table(IReadOnlyList<ServeBenchRow> rows)
    {
        var table = new List<string[]>();
        foreach (var r in rows)
        {
            void Side(string name, ServeLoadResult x) => table.Add([$"x{r.Concurrency}", name, F(x.TokensPerSecond, "0.0"), F(x.FirstToken.P50Ms, "0"), F(x.FirstToken.P95Ms, "0"),
                F(x.InterToken.P95Ms, "0.0"), I(x.Errors), r.LoadAverage ?? "n/a"]);
            Side("ours", r.Ours);
            Side("llama-server", r.Theirs);
            if (r.TheirsNoCache is { } n) Side("llama-server, cache_prompt off", n);
            table.Add([$"x{r.Concurrency}", "ours / llama-server", F(r.ThroughputRatio, "0.00"), F(r.Ours.FirstToken.P50Ms / r.Theirs.FirstToken.P50Ms, "0.00"),
                F(r.FirstTokenP95Ratio, "0.00"), F(r.InterTokenP95Ratio, "0.00"), "", ""]);
        }
        return BenchLlmCommand.Table(["clients", "server", "gen tok/s", "TTFT p50 ms", "TTFT p95 ms", "ITL p95 ms", "errors", "load"], table);
    }

    private static string F(double v, string format) => BenchLlmCommand.F(v, format);
}
