using System.Diagnostics;
using ReportGen.Llama;

namespace ReportGen.Eval.Bench;

/// <summary>One overhead pair: our stack and the C reference, run back to back.</summary>
public sealed record LlmOverheadPair(double StackTokensPerSecond, double ReferenceTokensPerSecond)
{
    /// <summary>Stack ÷ reference.</summary>
    public double Ratio => StackTokensPerSecond / ReferenceTokensPerSecond;
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
    public static async Task<(double TokensPerSecond, int Tokens)> StackDecodeAsync(SequenceScheduler scheduler, int tokens, CancellationToken cancellationToken)
    {
        var request = scheduler.Submit(Prompt, new GenerationOptions { MaxTokens = tokens, Sampling = SamplingOptions.Greedy }, cancellationToken);
        Stopwatch? sw = null;
        await foreach (var _ in request.ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
            sw ??= Stopwatch.StartNew();
        var result = await request.Completion.ConfigureAwait(false);
        var seconds = sw?.Elapsed.TotalSeconds ?? double.NaN;
        var timed = result.CompletionTokens - 1;
        return (timed / seconds, timed);
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
            double ours, theirs;
            if (i % 2 == 0)
            {
                ours = (await StackDecodeAsync(scheduler, tokens, cancellationToken).ConfigureAwait(false)).TokensPerSecond;
                theirs = reference.Decode(model.Path, threads, tokens, ctx, Prompt, cancellationToken).TokensPerSecond;
            }
            else
            {
                theirs = reference.Decode(model.Path, threads, tokens, ctx, Prompt, cancellationToken).TokensPerSecond;
                ours = (await StackDecodeAsync(scheduler, tokens, cancellationToken).ConfigureAwait(false)).TokensPerSecond;
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

    /// <summary>Median of a non-empty list.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
