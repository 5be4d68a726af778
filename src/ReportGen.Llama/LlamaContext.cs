using ReportGen.Llama.Native;

namespace ReportGen.Llama;

/// <summary>
/// A llama.cpp context over a shared <see cref="LlamaModel"/>: the KV cache (split between sequences) and
/// compute buffers. Not thread-safe: one thread drives it (the <see cref="SequenceScheduler"/> loop).
/// </summary>
public sealed class LlamaContext : IDisposable
{
    internal LlamaContext(LlamaModel model, LlamaContextOptions options, bool threadPool = true)
    {
        Model = model;
        Options = options;
        if (options.Sequences < 1) throw new ArgumentOutOfRangeException(nameof(options), "Sequences must be at least 1");
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be at least 1");
        var p = LlamaNative.llama_context_default_params();
        p.NCtx = (uint)Math.Max(0, options.ContextSize);
        p.NBatch = (uint)options.BatchSize;
        p.NUbatch = (uint)options.BatchSize;
        p.NSeqMax = (uint)options.Sequences;
        p.NThreads = options.EffectiveThreads;
        p.NThreadsBatch = options.EffectiveThreads;
        // Unified: one KV buffer shared by all sequences, so a long prompt may use more than n_ctx / n_seq, but every
        // decode attends over all cells up to the highest one in use, other sequences' included. Split: one stream each.
        p.KvUnified = options.UnifiedKvCache ? (byte)1 : (byte)0;
        if (options.OutputsPerSequence > 0)
        {
            p.NOutputsMax = (uint)options.BatchSize;
            p.NOutputsMaxPerSeq = (uint)Math.Min(options.OutputsPerSequence, options.BatchSize);
        }
        p.NoPerf = 1;
        Handle = new SafeLlamaContextHandle(model.Handle, p, threadPool);
        ContextSize = (int)LlamaNative.llama_n_ctx(Handle);
        BatchSize = (int)LlamaNative.llama_n_batch(Handle);
        SequenceCapacity = (int)LlamaNative.llama_n_seq_max(Handle);
        SequenceContextSize = (int)LlamaNative.llama_n_ctx_seq(Handle);
        Memory = LlamaNative.llama_get_memory(Handle);
    }

    internal SafeLlamaContextHandle Handle { get; }
    internal IntPtr Memory { get; }

    /// <summary>The model this context decodes with (owned by the caller, not disposed with the context).</summary>
    public LlamaModel Model { get; }
    /// <summary>The requested options.</summary>
    public LlamaContextOptions Options { get; }
    /// <summary>Actual KV-cache size in tokens (llama.cpp may round the request up).</summary>
    public int ContextSize { get; }
    /// <summary>Most tokens per decode.</summary>
    public int BatchSize { get; }
    /// <summary>Most sequences.</summary>
    public int SequenceCapacity { get; }
    /// <summary>
    /// Most positions one sequence may hold: <see cref="ContextSize"/> with a unified KV cache, its own stream's
    /// <see cref="ContextSize"/> / <see cref="SequenceCapacity"/> (llama.cpp rounds it up to a multiple of 256) otherwise.
    /// </summary>
    public int SequenceContextSize { get; }
    /// <summary>Whether each sequence has a KV stream of its own (<see cref="LlamaContextOptions.UnifiedKvCache"/> off, several sequences).</summary>
    public bool HasSequenceStreams => SequenceContextSize < ContextSize;
    /// <summary>
    /// Whether decoding runs on a persistent CPU thread pool owned by this context (as llama-server does), rather than
    /// on threads ggml starts and joins for every decode. Off only where the CPU backend lacks the pool functions or
    /// <c>REPORTGEN_LLAMA_THREADPOOL=off</c>.
    /// </summary>
    public bool HasThreadPool => Handle.HasThreadPool;

    /// <summary>Compute graphs llama.cpp reused from the previous ubatch so far (a batch of the same shape as the last one).</summary>
    internal int GraphsReused => LlamaNative.llama_perf_context(Handle).GraphsReused;

    /// <summary>Removes every cached token of a sequence (frees its KV cells).</summary>
    public void ClearSequence(int sequence) => LlamaNative.llama_memory_seq_rm(Memory, sequence, -1, -1);

    /// <summary>The last position cached for a sequence, or -1 when it holds nothing.</summary>
    public int LastPosition(int sequence) => LlamaNative.llama_memory_seq_pos_max(Memory, sequence);

    /// <summary>
    /// Removes the cached tokens of a sequence from position <paramref name="from"/> on; false when the memory cannot cut a
    /// sequence part-way (a recurrent model's state), in which case nothing was removed.
    /// </summary>
    public bool TruncateSequence(int sequence, int from) => LlamaNative.llama_memory_seq_rm(Memory, sequence, from, -1);

    /// <summary>
    /// Makes <paramref name="destination"/> share every cached token of <paramref name="source"/>, so a common prefix is
    /// decoded once. With the unified KV cache this adds a sequence id to the cells, no tensor copy; with a stream per
    /// sequence the destination's stream becomes a copy of the source's (done at the next decode), replacing what it held.
    /// </summary>
    public void CopySequence(int source, int destination) => LlamaNative.llama_memory_seq_cp(Memory, source, destination, -1, -1);

    /// <summary>As <see cref="CopySequence(int, int)"/> for the tokens at positions 0..<paramref name="tokens"/>-1 only.</summary>
    public void CopySequence(int source, int destination, int tokens)
    {
        if (!HasSequenceStreams)
        {
            LlamaNative.llama_memory_seq_cp(Memory, source, destination, 0, tokens);
            return;
        }
        // llama.cpp copies across streams only whole (llama_kv_cache::seq_cp): copy it all, then cut the tail.
        LlamaNative.llama_memory_seq_cp(Memory, source, destination, -1, -1);
        LlamaNative.llama_memory_seq_rm(Memory, destination, tokens, -1);
    }

    /// <summary>Clears the whole KV cache.</summary>
    public void ClearAll() => LlamaNative.llama_memory_clear(Memory, true);

    internal int Decode(NativeBatch batch) => LlamaNative.llama_decode(Handle, batch.Value);

    /// <summary>
    /// Decodes with causal attention off (the rows of the batch attend to each other both ways), then turns it back on:
    /// how Gemma 3 reads an image's tokens. The batch must hold only that block.
    /// </summary>
    internal int DecodeNonCausal(NativeBatch batch)
    {
        LlamaNative.llama_set_causal_attn(Handle, false);
        try
        {
            return LlamaNative.llama_decode(Handle, batch.Value);
        }
        finally
        {
            LlamaNative.llama_set_causal_attn(Handle, true);
        }
    }

    /// <summary>
    /// The logits (one per vocabulary entry) the last decode produced for batch entry <paramref name="batchIndex"/>,
    /// which must have had its logits flag set. Valid until the next decode.
    /// </summary>
    internal unsafe ReadOnlySpan<float> Logits(int batchIndex)
    {
        var p = LlamaNative.llama_get_logits_ith(Handle, batchIndex);
        if (p is null) throw new LlamaException($"llama.cpp has no logits for batch entry {batchIndex} (logits flag not set?)");
        return new ReadOnlySpan<float>(p, Model.VocabSize);
    }

    /// <summary>Frees the context (the model stays loaded while other references exist).</summary>
    public void Dispose() => Handle.Dispose();
}
