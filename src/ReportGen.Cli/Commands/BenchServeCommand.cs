using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ReportGen.Eval.Bench;
using ReportGen.Eval.Reporting;
using ReportGen.Llama.Native;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen bench serve [--model ID|FILE|1gb] [--threads N] [--sequences N] [--context-per-sequence N] [--max-tokens N]
/// [--requests-per-client N] [--concurrency LIST] [--rounds N] [--kv-layout default|streams|unified] [--prompt-cache-check] [--gpu-layers N] [--remote-replicas LIST] [--json FILE]</c>: our service
/// against llama.cpp's llama-server on loopback, same GGUF and shape, one streaming load generator, a table of ratios per concurrency.
/// With <c>--remote-replicas 1,2</c> our service runs no model itself but proxies to that many llama-servers
/// (<c>ReportGen:Llm:RemoteUrl</c>): what our proxying costs per token, and what a second replica adds.
/// </summary>
internal static class BenchServeCommand
{
    private const string Verb = "reportgen bench serve";

    /// <summary>Options of one run.</summary>
    internal sealed record Settings(string Model, int Threads, int Sequences, int ContextPerSequence, int MaxTokens, int RequestsPerClient,
        IReadOnlyList<int> Concurrencies, bool PromptCacheCheck, string? JsonFile, int GpuLayers = 0, IReadOnlyList<int>? RemoteReplicas = null, int Rounds = 1,
        string KvLayout = "default");

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "LLM id from models.json, a GGUF path, or 1gb (the generated ~1 GB Q8_0 model of bench llm)", DefaultValueFactory = _ => "iu-xray-tiny-llama" };
        var threads = new Option<int>("--threads") { Description = "decode threads of both servers (default: all physical cores)" };
        var sequences = new Option<int>("--sequences") { Description = "parallel sequences: our Sequences = llama-server --parallel", DefaultValueFactory = _ => 8 };
        var context = new Option<int>("--context-per-sequence") { Description = "KV tokens per sequence (both servers get this x sequences)", DefaultValueFactory = _ => 1024 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "generated tokens per request (ignore_eos)", DefaultValueFactory = _ => 64 };
        var perClient = new Option<int>("--requests-per-client") { Description = "requests each client sends per level", DefaultValueFactory = _ => 4 };
        var concurrency = new Option<string>("--concurrency") { Description = "comma list of client counts", DefaultValueFactory = _ => "1,4,8,16" };
        var rounds = new Option<int>("--rounds")
        {
            Description = "runs of each level per server, alternating; with more than one the table adds each ratio's median and spread over the rounds",
            DefaultValueFactory = _ => 1,
        };
        var kvLayout = new Option<string>("--kv-layout")
        {
            Description = "KV layout of both servers: default (each its own: ours one unified cache, llama-server a stream per slot), streams (both a stream per sequence), unified (both one shared cache)",
            DefaultValueFactory = _ => "default",
        };
        var cacheCheck = new Option<bool>("--prompt-cache-check") { Description = "also run llama-server with cache_prompt off: what reusing the shared prompt prefix is worth" };
        var gpuLayers = new Option<int>("--gpu-layers") { Description = "layers both servers offload to the GPU (-1 = all; needs CUDA builds of both); 0 = CPU (default)" };
        var replicas = new Option<string?>("--remote-replicas")
        {
            Description = "comma list of llama-server replica counts (e.g. 1,2): our service proxies to them (RemoteUrl) and is measured against one of them called directly; --threads is per replica",
        };
        var json = new Option<FileInfo?>("--json") { Description = "also write the figures as JSON to this file" };
        var command = new Command("serve", "Benchmark our service against llama.cpp's llama-server: tok/s, TTFT, inter-token latency")
        {
            model, threads, sequences, context, maxTokens, perClient, concurrency, rounds, kvLayout, cacheCheck, gpuLayers, replicas, json,
        };
        command.SetAction((parse, ct) =>
        {
            return RunAsync(new Settings(parse.GetValue(model)!, parse.GetValue(threads), parse.GetValue(sequences), parse.GetValue(context), parse.GetValue(maxTokens),
                parse.GetValue(perClient), Numbers(parse.GetValue(concurrency)!), parse.GetValue(cacheCheck), parse.GetValue(json)?.FullName, parse.GetValue(gpuLayers),
                parse.GetValue(replicas) is { } r ? Numbers(r) : null, parse.GetValue(rounds), parse.GetValue(kvLayout)!), Console.Out, Console.Error, ct);
        });
        return command;
    }

    // A comma list of numbers; an entry that is not one becomes -1, refused by the option checks.
    private static List<int> Numbers(string list) =>
        [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1)];

    internal static async Task<int> RunAsync(Settings s, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (s.Threads < 0 || s.Sequences < 1 || s.ContextPerSequence < 64 || s.MaxTokens < 1 || s.RequestsPerClient < 1 || s.Concurrencies.Count == 0 || s.Concurrencies.Any(c => c < 1) || s.GpuLayers < -1
            || s.Rounds < 1)
        {
            await stderr.WriteLineAsync($"{Verb}: --threads must be >= 0, --sequences >= 1, --context-per-sequence >= 64, --max-tokens, --requests-per-client and --rounds >= 1, --concurrency a comma list of numbers >= 1, --gpu-layers >= -1");
            return 2;
        }
        if (s.KvLayout is not ("default" or "streams" or "unified"))
        {
            await stderr.WriteLineAsync($"{Verb}: --kv-layout must be default, streams or unified, not '{s.KvLayout}'");
            return 2;
        }
        if (s.RemoteReplicas is { } counts && (counts.Count == 0 || counts.Any(n => n is < 1 or > MaxReplicas) || counts.Distinct().Count() != counts.Count || s.PromptCacheCheck))
        {
            await stderr.WriteLineAsync($"{Verb}: --remote-replicas must be a comma list of distinct replica counts from 1 to {MaxReplicas}, without --prompt-cache-check");
            return 2;
        }
        // Remote mode: the replicas share the machine, so by default each gets its share of the cores.
        var threads = s.Threads > 0 ? s.Threads : Math.Max(1, LlmBenchmark.PhysicalCores() / (s.RemoteReplicas?.Max() ?? 1));
        var shape = new ServeShape(threads, s.ContextPerSequence, s.Sequences, s.GpuLayers, s.KvLayout switch { "streams" => false, "unified" => true, _ => null });
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
            ["maxTokens"] = s.MaxTokens, ["requestsPerClient"] = s.RequestsPerClient, ["rounds"] = s.Rounds, ["kvLayout"] = s.KvLayout, ["cores"] = Environment.ProcessorCount,
            ["physicalCores"] = LlmBenchmark.PhysicalCores(), ["cpu"] = LlmBenchmark.CpuModel(), ["loadAverageAtStart"] = MachineLoad.Averages(), ["startedUtc"] = DateTime.UtcNow,
            ["llamaServer"] = binary, ["llamaServerBuildFlags"] = LlamaServer.BuildFlags(binary),
            ["commandLine"] = string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
        };
        if (s.RemoteReplicas is { } replicaCounts)
            return await RunRemoteAsync(s, replicaCounts, shape, modelPath, binary, key, figures, stdout, stderr, ct);
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
            rows = await ServeBenchmark.RunAsync(oursHttp, theirsHttp, new ServeBenchSettings(s.Concurrencies, s.RequestsPerClient, s.MaxTokens, s.PromptCacheCheck, s.Rounds), progress, ct);
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
            concurrency = r.Concurrency, round = r.Round + 1, loadAverage = r.LoadAverage, throughputRatio = r.ThroughputRatio, firstTokenP95Ratio = r.FirstTokenP95Ratio, firstTokenPairedRequests = r.PairedFirstToken.Ours.Count,
            interTokenP95Ratio = r.InterTokenP95Ratio, ours = Json(r.Ours), llamaServer = Json(r.Theirs), llamaServerNoPromptCache = r.TheirsNoCache is { } n ? Json(n) : null,
        });
        figures["summary"] = ServeBenchSummary.Of(rows).Select(m => new
        {
            concurrency = m.Concurrency, rounds = m.Rounds, throughputRatio = Json(m.Throughput), firstTokenP95Ratio = Json(m.FirstTokenP95),
        });
        await stdout.WriteLineAsync($"bench serve: {Path.GetFileName(modelPath)}, {shape.Threads} threads, {shape.Sequences} sequences x {shape.ContextPerSequence} tokens, KV {Layout(shape)}, "
            + $"{s.MaxTokens} tokens per request (ignore_eos), {s.RequestsPerClient} requests per client{Rounds(s.Rounds)}; {LlmBenchmark.CpuModel()}; load average {figures["loadAverageAtStart"] ?? "n/a"} at the start, {figures["loadAverageAtEnd"] ?? "n/a"} at the end");
        await stdout.WriteLineAsync($"llama-server: {binary}{(systemInfo is null ? "" : "\n  " + systemInfo)}");
        await stdout.WriteLineAsync(Table(rows));
        await WriteJsonAsync(s.JsonFile, figures, ct);
        return rows.Any(r => r.Ours.Errors > 0 || r.Theirs.Errors > 0) ? 1 : 0;
    }

    private const int MaxReplicas = 8;

    // Remote mode: max(counts) llama-servers, one of our services per count proxying to the first n of them, and the first
    // replica called directly; all driven at every level in rotating order, then one table with the ratios.
    private static async Task<int> RunRemoteAsync(Settings s, IReadOnlyList<int> counts, ServeShape shape, string modelPath, string binary, string key,
        Dictionary<string, object?> figures, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var servers = new List<BenchServerProcess>();
        var clients = new List<HttpClient>();
        IReadOnlyList<ServeLevel> levels;
        List<ServeTarget> targets;
        try
        {
            for (var i = 0; i < counts.Max(); i++) servers.Add(await LlamaServer.StartAsync(binary, modelPath, shape, key, ct));
            targets = [new("llama-server (direct)", Client(servers[0], key))];
            foreach (var n in counts)
            {
                var urls = string.Join(',', servers.Take(n).Select(r => r.BaseAddress.ToString().TrimEnd('/')));
                var ours = await StartOursAsync(new Dictionary<string, string> { ["ReportGen__Llm__RemoteUrl"] = urls, ["ReportGen__Llm__RemoteApiKey"] = key,
                    ["ReportGen__Llm__RemoteTimeoutSeconds"] = "600" }, key, Math.Max(64, s.Concurrencies.Max() * 2), ct);
                servers.Add(ours);
                targets.Add(new($"ours -> {n} replica{(n == 1 ? "" : "s")}", Client(ours, key)));
            }
            clients.AddRange(targets.Select(t => t.Http));
            var progress = new Progress<string>(m => stderr.WriteLine($"{Verb}: {m} (load {MachineLoad.OneMinute() ?? "n/a"})"));
            levels = await ServeBenchmark.RunInterleavedAsync(targets, new ServeBenchSettings(s.Concurrencies, s.RequestsPerClient, s.MaxTokens, Rounds: s.Rounds), progress, ct);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
        {
            await stderr.WriteLineAsync($"{Verb}: {e.Message.Split('\n')[0]}");
            return 1;
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
            foreach (var server in servers) await server.DisposeAsync();
        }
        figures["replicas"] = counts;
        figures["loadAverageAtEnd"] = MachineLoad.Averages();
        figures["rows"] = levels.Select(l => new
        {
            concurrency = l.Concurrency, round = l.Round + 1, loadAverage = l.LoadAverage,
            direct = Json(l.Results[0]),
            ours = counts.Select((n, i) => new { replicas = n, throughputRatioToDirect = l.Results[i + 1].TokensPerSecond / l.Results[0].TokensPerSecond, result = Json(l.Results[i + 1]) }),
        });
        await stdout.WriteLineAsync($"bench serve --remote-replicas {string.Join(',', counts)}: {Path.GetFileName(modelPath)}, each replica {shape.Threads} threads, {shape.Sequences} sequences x "
            + $"{shape.ContextPerSequence} tokens, {s.MaxTokens} tokens per request (ignore_eos), {s.RequestsPerClient} requests per client{Rounds(s.Rounds)}; "
            + $"load average {figures["loadAverageAtStart"] ?? "n/a"} at the start, {figures["loadAverageAtEnd"] ?? "n/a"} at the end");
        await stdout.WriteLineAsync(RemoteTable(levels, targets, counts));
        await WriteJsonAsync(s.JsonFile, figures, ct);
        return levels.Any(l => l.Results.Any(r => r.Errors > 0)) ? 1 : 0;
    }

    // Per level: each target's row, then ours / direct per replica count (proxy overhead at 1 replica) and n / 1 replica.
    internal static string RemoteTable(IReadOnlyList<ServeLevel> levels, IReadOnlyList<ServeTarget> targets, IReadOnlyList<int> counts)
    {
        var table = new List<string[]>();
        foreach (var l in levels)
        {
            var clients = Clients(l.Concurrency, l.Round, levels.Count(o => o.Concurrency == l.Concurrency));
            void Row(string name, ServeLoadResult x) => table.Add([clients, name, F(x.TokensPerSecond, "0.0"), Ms(x.FirstToken, s => s.P50Ms, "0"), Ms(x.FirstToken, s => s.P95Ms, "0"),
                Ms(x.TimePerToken, s => s.P50Ms, "0.0"), I(x.Errors), I(x.Reconnects), l.LoadAverage ?? "n/a"]);
            void Versus(string name, ServeLoadResult a, ServeLoadResult b) => table.Add([clients, name, F(a.TokensPerSecond / b.TokensPerSecond, "0.00"),
                Ratio(a.FirstToken, b.FirstToken, s => s.P50Ms), Ratio(a.FirstToken, b.FirstToken, s => s.P95Ms), Ratio(a.TimePerToken, b.TimePerToken, s => s.P50Ms), "", "", ""]);
            for (var i = 0; i < targets.Count; i++) Row(targets[i].Name, l.Results[i]);
            var one = counts.ToList().IndexOf(1);
            for (var i = 0; i < counts.Count; i++)
            {
                Versus($"ours {counts[i]} / direct", l.Results[i + 1], l.Results[0]);
                if (one >= 0 && i != one) Versus($"ours {counts[i]} / ours 1", l.Results[i + 1], l.Results[one + 1]);
            }
        }
        return BenchLlmCommand.Table(["clients", "server", "gen tok/s", "TTFT p50 ms", "TTFT p95 ms", "TPOT p50 ms", "errors", "reconnects", "load"], table);
    }

    private static Task WriteJsonAsync(string? file, Dictionary<string, object?> figures, CancellationToken ct) =>
        file is null ? Task.CompletedTask : File.WriteAllTextAsync(file, JsonSerializer.Serialize(figures, BenchJson.Options), ct);

    // Our service with a local model: the same shape as llama-server.
    private static Task<BenchServerProcess> StartOursAsync(string model, ServeShape shape, string key, int queue, CancellationToken ct)
    {
        var llm = new Dictionary<string, string>
        {
            ["ReportGen__Llm__Model"] = model, ["ReportGen__Llm__Threads"] = I(shape.Threads), ["ReportGen__Llm__Sequences"] = I(shape.Sequences),
            ["ReportGen__Llm__ContextSize"] = I(shape.ContextSize), ["ReportGen__Llm__GpuLayers"] = I(shape.GpuLayers), ["REPORTGEN_LLM_THREADS"] = I(shape.Threads),
        };
        if (shape.UnifiedKv is { } unified) llm["ReportGen__Llm__UnifiedKvCache"] = unified ? "true" : "false";
        return StartOursAsync(llm, key, queue, ct);
    }

    private static string Layout(ServeShape shape) => shape.UnifiedKv switch
    {
        true => "unified in both",
        false => "a stream per sequence in both",
        null => "each server's default (ours unified, llama-server a stream per slot)",
    };

    // Our service as `reportgen serve` in a child process (as llama-server is one): same executable, configuration by
    // environment (the LLM settings given, plus key, rate limit, data directory); the request deadline is llama-server's
    // default read timeout (600 s), not our 120 s.
    private static Task<BenchServerProcess> StartOursAsync(Dictionary<string, string> llm, string key, int queue, CancellationToken ct)
    {
        var port = BenchServerProcess.FreePort();
        // This CLI's own apphost beside its assembly, else `dotnet ReportGen.Cli.dll` (under `dotnet reportgen.dll` or a test host).
        var assembly = typeof(BenchServeCommand).Assembly.Location;
        var apphost = Path.Combine(Path.GetDirectoryName(assembly)!, "reportgen");
        var start = new ProcessStartInfo(File.Exists(apphost) ? apphost : "dotnet");
        if (!File.Exists(apphost)) start.ArgumentList.Add(assembly);
        foreach (var a in (string[])["serve", "--urls", $"http://127.0.0.1:{port}"]) start.ArgumentList.Add(a);
        var data = Directory.CreateTempSubdirectory("reportgen-bench-serve-").FullName;
        var env = new Dictionary<string, string>(llm)
        {
            ["ReportGen__Llm__QueueCapacity"] = I(queue),
            ["ReportGen__ApiKeys__0__Name"] = "bench", ["ReportGen__ApiKeys__0__Key"] = key, ["ReportGen__RateLimitPerMinute"] = "1000000",
            ["ReportGen__DataDirectory"] = data, ["ReportGen__RequestTimeoutSeconds"] = "600", ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (k, v) in env) start.Environment[k] = v;
        return BenchServerProcess.StartAsync("reportgen serve", start, port, "health/ready", TimeSpan.FromMinutes(5), ct);
    }

    private static HttpClient Client(BenchServerProcess server, string key)
    {
        // Idle pooled connections are dropped before llama-server's 5 s keep-alive closes them. (That server also closes
        // every connection after a streamed answer; the load generator sends such a request again and counts it.)
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2) };
        var http = new HttpClient(handler) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static object Json(ServeLoadResult r) => new
    {
        requests = r.Requests, errors = r.Errors, firstError = r.FirstError, tokens = r.Tokens, seconds = r.Seconds, tokensPerSecond = r.TokensPerSecond,
        reconnects = r.Reconnects, firstReconnectCause = r.FirstReconnectCause, meanPromptTokens = double.IsFinite(r.MeanPromptTokens) ? r.MeanPromptTokens : (double?)null,
        firstTokenMs = Stats(r.FirstToken), interTokenMs = Stats(r.InterToken), timePerTokenMs = r.TimePerToken is { } t ? Stats(t) : null,
    };

    // Null when nothing was timeable (e.g. no request's tokens each came in a chunk of their own).
    private static object? Stats(LatencyStats s) => s.Count == 0 ? null : new { p50 = s.P50Ms, p95 = s.P95Ms, mean = s.MeanMs, count = s.Count };

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    internal static string Table(IReadOnlyList<ServeBenchRow> rows)
    {
        var table = new List<string[]>();
        var summaries = ServeBenchSummary.Of(rows).ToDictionary(m => m.Concurrency);
        foreach (var r in rows)
        {
            var summary = summaries[r.Concurrency];
            var clients = Clients(r.Concurrency, r.Round, summary.Rounds);
            void Side(string name, ServeLoadResult x) => table.Add([clients, name, F(x.TokensPerSecond, "0.0"), Ms(x.FirstToken, s => s.P50Ms, "0"), Ms(x.FirstToken, s => s.P95Ms, "0"),
                Ms(x.InterToken, s => s.P95Ms, "0.0"), Ms(x.TimePerToken, s => s.P50Ms, "0.0"), F(x.MeanPromptTokens, "0"), I(x.Errors), I(x.Reconnects), r.LoadAverage ?? "n/a"]);
            Side("ours", r.Ours);
            Side("llama-server", r.Theirs);
            if (r.TheirsNoCache is { } n) Side("llama-server, cache_prompt off", n);
            // TTFT ratios over the requests both servers timed; "(n of N)" when llama-server could not time them all.
            var (ours, theirs) = r.PairedFirstToken;
            var paired = ours.Count < r.Ours.Requests ? $" ({I(ours.Count)} of {I(r.Ours.Requests)})" : "";
            table.Add([clients, "ours / llama-server", F(r.ThroughputRatio, "0.00"), Ratio(ours, theirs, s => s.P50Ms) + paired,
                Ratio(ours, theirs, s => s.P95Ms) + paired, Ratio(r.Ours.InterToken, r.Theirs.InterToken, s => s.P95Ms),
                Ratio(r.Ours.TimePerToken, r.Theirs.TimePerToken, s => s.P50Ms), "", "", "", ""]);
            // After a level's last round: each target ratio's median over the rounds, and the lowest and highest round.
            if (summary.Rounds > 1 && r.Round == summary.Rounds - 1)
                table.Add([$"x{r.Concurrency}", $"median of {I(summary.Rounds)} (min-max)", Spread(summary.Throughput), "", Spread(summary.FirstTokenP95), "", "", "", "", "", ""]);
        }
        return BenchLlmCommand.Table(["clients", "server", "gen tok/s", "TTFT p50 ms", "TTFT p95 ms", "ITL p95 ms", "TPOT p50 ms", "prompt tok", "errors", "reconnects", "load"], table);
    }

    private static string F(double v, string format) => BenchLlmCommand.F(v, format);

    // "x4", or "x4 #2" for the second of several rounds.
    private static string Clients(int concurrency, int round, int rounds) => rounds > 1 ? $"x{I(concurrency)} #{I(round + 1)}" : $"x{I(concurrency)}";

    private static string Rounds(int rounds) => rounds > 1 ? $", {I(rounds)} rounds per level" : "";

    private static string Spread(RatioSpread s) => $"{F(s.Median, "0.00")} ({F(s.Min, "0.00")}-{F(s.Max, "0.00")})";

    private static object Json(RatioSpread s) => new { median = Finite(s.Median), min = Finite(s.Min), max = Finite(s.Max) };

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    // A latency figure, or n/a when nothing was timeable.
    private static string Ms(LatencyStats? s, Func<LatencyStats, double> pick, string format) => s is { Count: > 0 } ? F(pick(s), format) : "n/a";

    private static string Ratio(LatencyStats? a, LatencyStats? b, Func<LatencyStats, double> pick) =>
        a is { Count: > 0 } && b is { Count: > 0 } ? F(pick(a) / pick(b), "0.00") : "n/a";
}
