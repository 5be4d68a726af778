using System.CommandLine;
using System.Diagnostics;
using ReportGen.Core.Completion;
using ReportGen.Eval.Bench;
using ReportGen.Eval.Completion;
using ReportGen.Pipelines.Completion;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen bench complete [--data FILE.jsonl] [--corpus NAME|PATH] [--model ID|none] [--requests N]</c>:
/// index load time and per-request latency (retrieval-only, and model re-ranked when a model is given),
/// measured in one run on the CLARA protocol's requests.
/// </summary>
internal static class BenchCompleteCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Reports whose sentences become requests (default: ../shared/data/iu-xray/val.jsonl)" };
        var corpus = new Option<string?>("--corpus") { Description = "Corpus name or path (default: iu-xray)" };
        var model = new Option<string?>("--model") { Description = "Model id for the re-ranked column, or none", DefaultValueFactory = _ => "none" };
        var requests = new Option<int>("--requests") { Description = "Requests per configuration", DefaultValueFactory = _ => 500 };
        var command = new Command("complete", "Benchmark auto-completion: index load time, retrieval-only vs re-ranked latency")
        {
            data, corpus, model, requests,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(data), parse.GetValue(corpus), parse.GetValue(model),
            parse.GetValue(requests), Console.Out, Console.Error, ct));
        return command;
    }

    internal static async Task<int> RunAsync(string? data, string? corpus, string? model, int requests, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        data ??= ReportGen.Core.Hosting.Workspace.Shared("data", "iu-xray", "val.jsonl");
        if (data is null || !File.Exists(data))
        {
            await stderr.WriteLineAsync("reportgen bench complete: --data: no request source (give --data FILE.jsonl)");
            return 2;
        }
        try
        {
            var (registry, corpusName) = CompletionCli.Registry(corpus);
            var index = registry.Get(corpusName);
            // Load time of the saved binary index (the registry built or loaded it just now).
            var definitionPath = Path.Combine(registry.CacheFolder, index.Name + ".rgsi");
            double? loadMs = null;
            double loadCpuMs = 0;
            if (File.Exists(definitionPath))
            {
                SentenceIndex.Load(definitionPath);
                // Wall time suffers when the machine is shared; CPU time of the process says what loading costs.
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                const int loads = 5;
                for (var i = 0; i < loads; i++) SentenceIndex.Load(definitionPath);
                loadMs = sw.Elapsed.TotalMilliseconds / loads;
                loadCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / loads;
            }
            var cases = CompletionEvaluation.ReadReports(data)
                .SelectMany(r => r.Sentences.Select((_, i) => CompletionEvaluation.RequestFor(r, i, index.Name, 3, withSection: true)))
                .Take(requests).ToList();
            var rows = new List<(string Name, double[] Ms)>
            {
                ("retrieval-only", await MeasureAsync(new CompletionEngine(registry), cases, cancellationToken)),
            };
            if (!string.IsNullOrWhiteSpace(model) && !model.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                // One session per engine: each row starts from a cold KV cache.
                rows.Add(("re-ranked+generate", await MeasureAsync(CompletionCli.Engine(registry, model), cases, cancellationToken)));
                rows.Add(("re-ranked only", await MeasureAsync(CompletionCli.Engine(registry, model, engineOptions: new CompletionEngineOptions { Generate = false }), cases, cancellationToken)));
            }
            await stdout.WriteLineAsync($"corpus {index.Name}: {index.Reports.Count} reports, {index.Sentences.Count} distinct sentences; " +
                (loadMs is { } l ? $"index load {l:F1} ms wall, {loadCpuMs:F1} ms CPU ({new FileInfo(definitionPath).Length / 1024.0:F0} KiB)" : "index not saved"));
            await stdout.WriteLineAsync($"load average {MachineLoad.Averages() ?? "n/a"} (wall-clock latencies include waiting for a shared CPU)");
            await stdout.WriteLineAsync($"{cases.Count} requests each (CLARA protocol requests from {Path.GetFileName(data)}, k=3), {Environment.ProcessorCount} cores");
            await stdout.WriteLineAsync($"{"configuration",-20} {"mean ms",9} {"p50 ms",9} {"p95 ms",9} {"p99 ms",9} {"max ms",9}");
            foreach (var (name, ms) in rows)
            {
                var sorted = ms.Order().ToArray();
                await stdout.WriteLineAsync($"{name,-20} {ms.Average(),9:F2} {CompletionEvaluation.Percentile(sorted, 0.5),9:F2} {CompletionEvaluation.Percentile(sorted, 0.95),9:F2} {CompletionEvaluation.Percentile(sorted, 0.99),9:F2} {sorted[^1],9:F2}");
            }
            foreach (var (name, ms) in rows.Skip(1))
            {
                await stdout.WriteLineAsync($"{name} / retrieval-only mean latency: {ms.Average() / rows[0].Ms.Average():F1}x");
            }
            return 0;
        }
        catch (CompletionInputException ex)
        {
            await stderr.WriteLineAsync($"reportgen bench complete: {ex.Field}: {ex.Message.Split(" (Parameter")[0]}");
            return 2;
        }
    }


    private static async Task<double[]> MeasureAsync(ICompletionEngine engine, List<CompletionRequest> cases, CancellationToken cancellationToken)
    {
        // Warm up the JIT on a few requests, then time each one.
        foreach (var c in cases.Take(20)) await engine.CompleteAsync(c, cancellationToken);
        var ms = new double[cases.Count];
        for (var i = 0; i < cases.Count; i++)
        {
            var sw = Stopwatch.StartNew();
            await engine.CompleteAsync(cases[i], cancellationToken);
            ms[i] = sw.Elapsed.TotalMilliseconds;
        }
        return ms;
    }
}
