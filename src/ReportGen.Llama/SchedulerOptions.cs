namespace ReportGen.Llama;

/// <summary>Sizing of a <see cref="SequenceScheduler"/>.</summary>
public sealed record SchedulerOptions
{
    /// <summary>The shared context: its <see cref="LlamaContextOptions.Sequences"/> is the number of concurrent requests,
    /// <see cref="LlamaContextOptions.ContextSize"/> the KV budget they share (or split, one stream each, with
    /// <see cref="LlamaContextOptions.UnifiedKvCache"/> off).</summary>
    public LlamaContextOptions Context { get; init; } = new() { ContextSize = 4096, Sequences = 8, BatchSize = 512 };

    /// <summary>Requests that may wait for a free sequence; one more is rejected with <see cref="SchedulerFullException"/>.</summary>
    public int QueueCapacity { get; init; } = 64;

    /// <summary>
    /// Keep a finished request's KV in its sequence and let the next request whose prompt starts with the same tokens
    /// decode only the rest (pipelines' prompts share long instructions). Off: every prompt is decoded whole. Ignored for
    /// models whose cache cannot be cut at a token (M-RoPE, sliding-window attention, recurrent).
    /// </summary>
    public bool ReusePromptPrefix { get; init; } = true;

    /// <summary>
    /// With <see cref="ReusePromptPrefix"/>: a request may take the prefix that another sequence holds (a free one keeping
    /// an earlier prompt, or one still generating), sharing its KV cells, and requests arriving together wait for the first
    /// to decode the instruction they share. Off: only a sequence's own kept tokens are reused (each sequence decodes a
    /// shared instruction once itself).
    /// </summary>
    public bool SharePromptPrefix { get; init; } = true;

    /// <summary>
    /// When the scheduler is idle and a request arrives, the first step waits this fraction of a recent generation step for
    /// requests arriving with it (up to <see cref="MaxAdmissionWait"/>, and no longer once every sequence is taken). A burst
    /// then starts in one step: otherwise the first request starts alone and one that comes a few milliseconds later waits a
    /// whole step (on a 1 GB model on 2 cores, ~130 ms) before its first token. 0 turns the wait off.
    /// </summary>
    public double AdmissionWaitFraction { get; init; } = 0.1;

    /// <summary>The longest wait of <see cref="AdmissionWaitFraction"/>.</summary>
    public TimeSpan MaxAdmissionWait { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The host's count of requests received and not yet answered and of open connections. With it the admission wait lasts
    /// only while the host has more of either than the scheduler holds (another request may be on its way), so a lone
    /// client's request pays no wait; without it the wait always runs its length.
    /// </summary>
    public ArrivalGauge? Arrivals { get; init; }
}

/// <summary>A snapshot of the scheduler's load.</summary>
/// <param name="Active">Requests holding a sequence.</param>
/// <param name="Queued">Requests waiting for one.</param>
/// <param name="ReservedTokens">KV positions reserved by active requests (prompt + max tokens).</param>
/// <param name="ContextSize">The KV budget.</param>
/// <param name="Steps">Scheduler steps so far.</param>
/// <param name="DecodeCalls">llama_decode calls so far.</param>
/// <param name="TokensDecoded">Positions decoded so far (prompt tokens, embedding rows and generated tokens).</param>
public sealed record SchedulerStats(int Active, int Queued, int ReservedTokens, int ContextSize, long Steps, long DecodeCalls, long TokensDecoded)
{
    /// <summary>Prompt tokens not decoded because their KV was kept from an earlier request with the same prefix.</summary>
    public long PromptTokensReused { get; init; }
    /// <summary>Of <see cref="PromptTokensReused"/>, those whose KV another sequence held and shared (decoded once for both).</summary>
    public long PromptTokensShared { get; init; }
    /// <summary>KV cells that free sequences hold for prefix reuse (dropped when admitted requests need them).</summary>
    public int KeptTokens { get; init; }
    /// <summary>Requests admitted during an idle scheduler's admission wait, into the same first step as the one that woke it.</summary>
    public long AdmittedByWaiting { get; init; }
    /// <summary>
    /// Compute graphs llama.cpp reused instead of building them again: a step shaped like the one before (the same
    /// sequences generating) reuses its graph, so in steady generation this grows by one per step.
    /// </summary>
    public long GraphsReused { get; init; }
}

/// <summary>The request queue is full: the caller should retry later (HTTP 429/503).</summary>
public sealed class SchedulerFullException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public SchedulerFullException(int queueCapacity)
        : base($"the LLM scheduler queue is full ({queueCapacity} requests waiting); retry later") => QueueCapacity = queueCapacity;

    /// <summary>The queue capacity that was reached.</summary>
    public int QueueCapacity { get; }
}
