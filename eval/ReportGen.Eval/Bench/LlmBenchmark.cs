using System.Diagnostics;
using ReportGen.Llama;

namespace ReportGen.Eval.Bench;

/// <summary>One timed single-stream decode.</summary>
/// <param name="TokensPerSecond">Generated tokens per wall-clock second of the timed loop.</param>
/// <param name="Tokens">Tokens generated in the timed loop.</param>
/// <param name="CpuSecondsPerToken">Process CPU time (all threads) per generated token: what the decode costs, whatever else the machine runs.</param>
public sealed record LlmDecodeRun(double TokensPerSecond, int Tokens, double CpuSecondsPerToken);

/// <summary>One overhead pair: our stack and the C reference, run back to back.</summary>
public sealed record LlmOverheadPair(LlmDecodeRun Stack, LlmDecodeRun Reference)
{
    /// <summary>Stack ÷ reference wall-clock tokens/s (the target's measure).</summary>
    public double Ratio => Stack.TokensPerSecond / Reference.TokensPerSecond;

    /// <summary>Reference ÷ stack CPU time per token: the same ratio in CPU time, far less sensitive to other load.</summary>
    public double CpuRatio => Reference.CpuSecondsPerToken / Stack.CpuSecondsPerToken;
}

/// <summary>Aggregate throughput at one concurrency.</summary>
public sealed record LlmBatchRow(int Concurrency, int Tokens, double Seconds)
{
    /// <summary>Generated tokens per second over all sequences.</summary>
    public double TokensPerSecond => Tokens / Seconds;
}

/// <summary>Roofline figures on the generated model.</summary>
public sealed record LlmRoofline(string Model, long WeightBytesPerToken, double TokensPerSecond, double BandwidthBytesPerSecond)
{
    /// <summary>Achieved weight-read bandwidth ÷ measured memory bandwidth.</summary>
    public double Fraction => TokensPerSecond * WeightBytesPerToken / BandwidthBytesPerSecond;
}

/// <summary>Decode benchmarks of the ReportGen.Llama stack (single stream via <see cref="SequenceScheduler"/> and batching).</summary>
public static class LlmBenchmark
{
    /// <summary>Prompt used by every run (short, so decode dominates).</summary>
    public const string Prompt = "The heart size is normal. The lungs are";

    /// <summary>Context size of every run (ours and the reference), so KV sizes match.</summary>
    public static int ContextSizeFor(LlamaModel model, int tokens) => Math.Min(Math.Max(64, tokens + 64), Math.Max(64, model.TrainContextLength));

    /// <summary>
    /// Single-sequence greedy decode through the scheduler: generated tokens/s timed from the first streamed piece to
    /// the end (so, like the C reference, prompt evaluation and the first sampling are not timed).
    /// </summary>
    public static async Task<LlmDecodeRun> StackDecodeAsync(SequenceScheduler scheduler, int tokens, CancellationToken cancellationToken)
    {
        using var process = Process.GetCurrentProcess();
        var request = scheduler.Submit(Prompt, new GenerationOptions { MaxTokens = tokens, Sampling = SamplingOptions.Greedy }, cancellationToken);
        Stopwatch? sw = null;
        var cpuStart = TimeSpan.Zero;
        await foreach (var _ in request.ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (sw is not null) continue;
            process.Refresh();
            cpuStart = process.TotalProcessorTime;
            sw = Stopwatch.StartNew();
        }
        var result = await request.Completion.ConfigureAwait(false);
        var seconds = sw?.Elapsed.TotalSeconds ?? double.NaN;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        var timed = result.CompletionTokens - 1;
        return new LlmDecodeRun(timed / seconds, timed, cpu / timed);
    }

    /// <summary>Creates a scheduler for <paramref name="sequences"/> concurrent sequences.</summary>
    public static SequenceScheduler CreateScheduler(LlamaModel model, int threads, int sequences, int contextSize) =>
        new(model, new SchedulerOptions { Context = new LlamaContextOptions { ContextSize = contextSize, Sequences = sequences, BatchSize = 512, Threads = threads } });

    /// <summary>Runs our stack and the C reference alternately <paramref name="repeats"/> times (after one warm-up each).</summary>
    public static async Task<IReadOnlyList<LlmOverheadPair>> OverheadAsync(LlamaModel model, LlmReferenceDecoder reference, int threads, int tokens, int repeats,
        CancellationToken cancellationToken)
    {
        var ctx = ContextSizeFor(model, tokens);
        await using var scheduler = CreateScheduler(model, threads, 1, ctx);
        await StackDecodeAsync(scheduler, Math.Min(tokens, 8), cancellationToken).ConfigureAwait(false);
        reference.Decode(model.Path, threads, Math.Min(tokens, 8), ctx, Prompt, cancellationToken);
        var pairs = new List<LlmOverheadPair>();
        for (var i = 0; i < repeats; i++)
        {
            // Alternate which goes first so drift in machine load does not favour one side.
            LlmDecodeRun ours, theirs;
            if (i % 2 == 0)
            {
                ours = await StackDecodeAsync(scheduler, tokens, cancellationToken).ConfigureAwait(false);
                theirs = reference.Decode(model.Path, threads, tokens, ctx, Prompt, cancellationToken);
            }
            else
            {
                theirs = reference.Decode(model.Path, threads, tokens, ctx, Prompt, cancellationToken);
                ours = await StackDecodeAsync(scheduler, tokens, cancellationToken).ConfigureAwait(false);
            }
            pairs.Add(new LlmOverheadPair(ours, theirs));
        }
        return pairs;
    }

    /// <summary>Aggregate tokens/s with <c>c</c> sequences generating <paramref name="tokens"/> each at once, for each c.</summary>
    public static async Task<IReadOnlyList<LlmBatchRow>> BatchingAsync(LlamaModel model, int threads, int tokens, IReadOnlyList<int> concurrencies,
        CancellationToken cancellationToken)
    {
        var max = concurrencies.Max();
        var ctx = Math.Min(max * (tokens + 32), 1 << 16);
        await using var scheduler = CreateScheduler(model, threads, max, ctx);
        await scheduler.GenerateAsync(Prompt, new GenerationOptions { MaxTokens = 4 }, cancellationToken).ConfigureAwait(false);
        var rows = new List<LlmBatchRow>();
        foreach (var c in concurrencies)
        {
            var options = new GenerationOptions { MaxTokens = tokens, Sampling = SamplingOptions.Greedy };
            var sw = Stopwatch.StartNew();
            // Different prompts per sequence so each one is real, independent work.
            var results = await Task.WhenAll(Enumerable.Range(0, c).Select(i =>
                scheduler.GenerateAsync($"{Prompt} {i}", options, cancellationToken))).ConfigureAwait(false);
            var seconds = sw.Elapsed.TotalSeconds;
            rows.Add(new LlmBatchRow(c, results.Sum(r => r.CompletionTokens), seconds));
        }
        return rows;
    }

    /// <summary>Single-stream decode tokens/s on the generated model, best of <paramref name="repeats"/>.</summary>
    public static async Task<double> DecodeRateAsync(LlamaModel model, int threads, int tokens, int repeats, CancellationToken cancellationToken)
    {
        await using var scheduler = CreateScheduler(model, threads, 1, ContextSizeFor(model, tokens));
        var best = 0.0;
        for (var i = 0; i < repeats; i++)
            best = Math.Max(best, (await StackDecodeAsync(scheduler, tokens, cancellationToken).ConfigureAwait(false)).TokensPerSecond);
        return best;
    }

    /// <summary>
    /// Physical cores (distinct physical id / core id pairs in /proc/cpuinfo): the default thread count, since
    /// ggml's threads spin and two of them on one core's hyper-threads slow each other down. Falls back to the
    /// logical processor count.
    /// </summary>
    public static int PhysicalCores()
    {
        try
        {
            string? physical = null;
            var cores = new HashSet<string>();
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0) continue;
                var key = line[..colon].Trim();
                if (key == "physical id") physical = line[(colon + 1)..].Trim();
                else if (key == "core id") cores.Add(physical + "/" + line[(colon + 1)..].Trim());
            }
            return cores.Count > 0 ? Math.Min(cores.Count, Environment.ProcessorCount) : Environment.ProcessorCount;
        }
        catch (IOException) { return Environment.ProcessorCount; }
        catch (UnauthorizedAccessException) { return Environment.ProcessorCount; }
    }

    /// <summary>Median of a non-empty list.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
