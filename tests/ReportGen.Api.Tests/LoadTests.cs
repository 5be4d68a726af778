using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>
/// The real server (separate process, loopback, real llama.cpp with stories260K) driven at twice its capacity for a
/// fixed time: overload is answered with 503 + Retry-After and nothing else fails, memory stays bounded, a client that
/// disconnects frees its sequence, and every job accepted under load is complete, exactly once, after kill -9 and restart.
/// </summary>
public class LoadTests
{
    private const int Sequences = 2;
    private const int QueueCapacity = 2;
    private const int JobRecords = 2;
    private static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(10);

    private static readonly Dictionary<string, string> Environment = new()
    {
        ["ReportGen__Llm__Model"] = "stories260k",
        ["ReportGen__Llm__ContextSize"] = "4096",
        ["ReportGen__Llm__Threads"] = "1",
        ["ReportGen__Llm__Sequences"] = Sequences.ToString(CultureInfo.InvariantCulture),
        ["ReportGen__Llm__QueueCapacity"] = QueueCapacity.ToString(CultureInfo.InvariantCulture),
    };

    private sealed record Outcome(string Route, int Status, bool HasRetryAfter, string Body);

    [Fact]
    public async Task Twice_the_capacity_is_answered_with_503_retry_after_memory_stays_bounded_and_accepted_jobs_survive_kill_9()
    {
        SharedData.Model("stories260K.gguf");
        var log = TestContext.Current.TestOutputHelper;
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDir();
        var outcomes = new ConcurrentBag<Outcome>();
        var acceptedJobs = new ConcurrentBag<(string Location, int Records)>();
        long rssBefore, rssAfter;
        double heapBefore, heapAfter;

        var server = await ServerProcess.StartAsync(data.Path, environment: Environment);
        await using (server)
        {
            using var client = server.CreateClient();
            await LlmApiTests.WaitReady(client);
            // Warm up every route the load uses (JIT, first allocations) before the baseline.
            for (var i = 0; i < 3; i++) outcomes.Add(await Chat(client, ct));
            outcomes.Add(await Judge(client, ct));
            (rssBefore, heapBefore) = (server.ResidentBytes(), await GcHeapBytes(client));

            // Before any batch job runs: the model's only work is this one generation.
            try
            {
                await ADisconnectingClientFreesItsSequence(client, log, ct);
            }
            catch (Exception) when (Dump(server, log))
            {
                throw;
            }

            // Twice the capacity: as many concurrent clients as two times (sequences + queue slots), for a fixed time.
            var concurrency = 2 * (Sequences + QueueCapacity);
            var stopAt = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
            {
                using var own = server.CreateClient();
                for (var n = 0; stopAt.Elapsed < LoadDuration; n++)
                {
                    var outcome = n % 3 == 2 && w % 2 == 0 ? await Judge(own, ct) : await Chat(own, ct);
                    outcomes.Add(outcome);
                    // Impatient clients: a short pause instead of the advised Retry-After keeps the pressure at twice the
                    // capacity without a busy loop that would only measure how fast 503s can be written.
                    if (outcome.Status == 503) await Task.Delay(100, ct);
                }
            }, ct));
            // Batch jobs compete for the same model while the load runs.
            var submitter = Task.Run(async () =>
            {
                using var own = server.CreateClient();
                while (stopAt.Elapsed < LoadDuration - TimeSpan.FromSeconds(2))
                {
                    await SubmitJob(own);
                    await Task.Delay(3000, ct);
                }
            }, ct);
            await Task.WhenAll([.. workers, submitter]);
            log?.WriteLine($"load phase: {stopAt.Elapsed.TotalSeconds:F1} s");


            // Memory after the load: a full collection happens on its own schedule, so give the heap reading a moment.
            await Task.Delay(500, ct);
            (rssAfter, heapAfter) = (server.ResidentBytes(), await GcHeapBytes(client));

            // Forced restart with jobs still running or queued: one more job right before the kill makes sure of it.
            await SubmitJob(client);
            var unfinished = 0;
            foreach (var (location, _) in acceptedJobs)
                if ((await client.GetFromJsonAsync<JsonElement>(location, ct)).GetProperty("status").GetString() != "completed") unfinished++;
            server.KillHard();
            log?.WriteLine($"jobs accepted: {acceptedJobs.Count}, unfinished at kill -9: {unfinished}");
            unfinished.ShouldBeGreaterThan(0, "every job had finished before the kill: the restart proved nothing");
        }

        async Task SubmitJob(HttpClient client)
        {
            var j = acceptedJobs.Count;
            var records = Enumerable.Range(0, JobRecords).Select(i => JsonSerializer.Serialize(new { id = $"j{j}r{i}", text = $"FINDINGS: Small left pleural effusion {i}. No pneumothorax." }));
            var submit = await client.PostAsync("/v1/jobs?operation=classify&engine=llm&labels=Pleural%20Effusion,Pneumothorax", JobsApiTests.Jsonl(records), ct);
            outcomes.Add(new Outcome("/v1/jobs", (int)submit.StatusCode, submit.Headers.RetryAfter is not null, ""));
            if (submit.StatusCode == HttpStatusCode.Accepted) acceptedJobs.Add((submit.Headers.Location!.ToString(), JobRecords));
        }

        var all = outcomes.ToList();
        var byStatus = all.GroupBy(o => o.Status).ToDictionary(g => g.Key, g => g.Count());
        log?.WriteLine($"requests: {all.Count} ({string.Join(", ", byStatus.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}); " +
            $"503 share {byStatus.GetValueOrDefault(503) / (double)all.Count:P1}");
        foreach (var route in all.GroupBy(o => o.Route))
            log?.WriteLine($"  {route.Key}: {string.Join(", ", route.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))}");
        log?.WriteLine($"server RSS before {rssBefore / 1048576.0:F1} MiB, after {rssAfter / 1048576.0:F1} MiB; GC heap before {heapBefore / 1048576.0:F1} MiB, after {heapAfter / 1048576.0:F1} MiB");

        all.ShouldNotContain(o => o.Status >= 500 && o.Status != 503, string.Join("\n", all.Where(o => o.Status >= 500 && o.Status != 503).Take(3).Select(o => $"{o.Route} {o.Status} {o.Body}")));
        all.Where(o => o.Status == 503).ShouldAllBe(o => o.HasRetryAfter);
        all.Where(o => o.Status != 503).ShouldAllBe(o => o.Status == 200 || o.Status == 202, string.Join("\n", all.Where(o => o.Status is not (200 or 202 or 503)).Take(3).Select(o => $"{o.Route} {o.Status} {o.Body}")));
        byStatus.GetValueOrDefault(503).ShouldBeGreaterThan(0, "twice the capacity must overflow the queue: the test proved nothing");
        byStatus.GetValueOrDefault(200).ShouldBeGreaterThan(0);
        // A judge that met a full queue is a 503, never a 200 that scored the failure as "unparseable".
        all.Where(o => o.Route == "/v1/reports/judge" && o.Status == 200).ShouldAllBe(o => !o.Body.Contains("SchedulerFullException"));
        // Generous: the model and runtime are loaded before the baseline; load must not grow the process without bound.
        rssAfter.ShouldBeLessThan(rssBefore + 256L * 1024 * 1024, "resident memory grew by more than 256 MiB under a 10 s load");
        heapAfter.ShouldBeLessThan(Math.Max(heapBefore * 4, 64.0 * 1024 * 1024), "the managed heap kept growing");
        acceptedJobs.ShouldNotBeEmpty();

        // Restart on the same data folder: every accepted job finishes, each record exactly once, none failed for load.
        var restart = Stopwatch.StartNew();
        await using var restarted = await ServerProcess.StartAsync(data.Path, environment: Environment);
        using var after = restarted.CreateClient();
        foreach (var (location, records) in acceptedJobs)
        {
            var results = await JobsApiTests.WaitForExactlyOnceResults(after, location, records, TimeSpan.FromSeconds(60));
            var failed = results.Where(r => !r.TryGetProperty("result", out var _)).ToList();
            failed.ShouldBeEmpty(string.Join("\n", failed));
        }
        log?.WriteLine($"restart and remaining job records: {restart.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>A streaming generation forced to be long; the client reads one chunk and goes away.</summary>
    private static async Task ADisconnectingClientFreesItsSequence(HttpClient client, ITestOutputHelper? log, CancellationToken ct)
    {
        await WaitFor(client, m => Gauge(m, "reportgen_active_sequences") == 0, "the load's generations to finish");
        var decodedBefore = Gauge(await client.GetStringAsync("/metrics", ct), "reportgen_decoded_tokens");
        // 1500 array items cannot be closed before ~3000 tokens: without the disconnect this runs to max_tokens.
        const int maxTokens = 3500;
        var schema = JsonDocument.Parse("""{"type":"array","items":{"type":"integer"},"minItems":1500}""").RootElement;
        using var stream = new CancellationTokenSource();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new
            {
                messages = new[] { new { role = "user", content = "Count" } },
                max_tokens = maxTokens,
                stream = true,
                response_format = new { type = "json_schema", json_schema = new { name = "numbers", schema } },
            }),
        };
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stream.Token))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            // The role chunk, then the first content chunk: the generation is under way.
            for (var chunks = 0; chunks < 2;)
                if ((await reader.ReadLineAsync(ct))!.StartsWith("data:", StringComparison.Ordinal)) chunks++;
            Gauge(await client.GetStringAsync("/metrics", ct), "reportgen_active_sequences").ShouldBe(1);
            await stream.CancelAsync();
        }
        // Disposing the response closes the connection: the server sees the client go.
        await WaitFor(client, m => Gauge(m, "reportgen_active_sequences") == 0, "the disconnected generation to free its sequence");
        var decodedAtFree = Gauge(await client.GetStringAsync("/metrics", ct), "reportgen_decoded_tokens");
        await Task.Delay(300, ct);
        var decodedLater = Gauge(await client.GetStringAsync("/metrics", ct), "reportgen_decoded_tokens");
        log?.WriteLine($"disconnect: {decodedAtFree - decodedBefore} tokens decoded before the sequence was freed (max_tokens {maxTokens})");
        decodedLater.ShouldBe(decodedAtFree, "nothing decodes once the client has gone");
        (decodedAtFree - decodedBefore).ShouldBeLessThan(maxTokens, "the generation was cancelled, not run to its end");
    }

    private static bool Dump(ServerProcess server, ITestOutputHelper? log)
    {
        log?.WriteLine("server output:\n" + server.RecentOutput);
        return false;
    }

    private static async Task<Outcome> Chat(HttpClient client, CancellationToken ct)
    {
        var response = await client.PostAsJsonAsync("/v1/chat/completions",
            new { messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 48, temperature = 0 }, ct);
        return await Read("/v1/chat/completions", response, ct);
    }

    private static async Task<Outcome> Judge(HttpClient client, CancellationToken ct)
    {
        var response = await client.PostAsJsonAsync("/v1/reports/judge",
            new { candidate = "Small left pleural effusion.", reference = "Left pleural effusion. No pneumothorax.", method = "green", max_tokens = 32 }, ct);
        return await Read("/v1/reports/judge", response, ct);
    }

    private static async Task<Outcome> Read(string route, HttpResponseMessage response, CancellationToken ct)
    {
        using (response)
            return new Outcome(route, (int)response.StatusCode, response.Headers.RetryAfter is not null, await response.Content.ReadAsStringAsync(ct));
    }

    private static async Task<double> GcHeapBytes(HttpClient client)
    {
        // The runtime's own meter: heap size after the last collection, summed over generations.
        var metrics = await client.GetStringAsync("/metrics");
        var lines = metrics.Split('\n').Where(l => l.StartsWith("dotnet_gc_last_collection_heap_size{", StringComparison.Ordinal)).ToList();
        lines.ShouldNotBeEmpty("the runtime meter (System.Runtime) is exported");
        return lines.Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    internal static double Gauge(string metrics, string name)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        line.ShouldNotBeNull($"{name} is exported");
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task WaitFor(HttpClient client, Func<string, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition(await client.GetStringAsync("/metrics")))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting for " + what);
            await Task.Delay(20);
        }
    }
}
