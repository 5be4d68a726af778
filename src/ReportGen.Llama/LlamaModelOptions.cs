namespace ReportGen.Llama;

/// <summary>How a GGUF model is loaded.</summary>
public sealed record LlamaModelOptions
{
    /// <summary>
    /// Layers offloaded to the GPU: 0 (default) keeps everything on the CPU, -1 offloads all layers.
    /// Needs the CUDA build of the native runtime (build with <c>-p:ReportGenLlamaBackend=cuda</c>);
    /// with the CPU build any value runs on the CPU.
    /// </summary>
    public int GpuLayers { get; init; }

    /// <summary>Load only the vocabulary (tokenisation, chat templates); no weights, no contexts.</summary>
    public bool VocabOnly { get; init; }

    /// <summary>Memory-map the file (default) instead of reading it into allocated buffers.</summary>
    public bool UseMemoryMap { get; init; } = true;

    /// <summary>A chat template (name such as <c>chatml</c>, or template text) used instead of the GGUF's own.</summary>
    public string? ChatTemplate { get; init; }
}

/// <summary>How a context (KV cache and compute buffers) over a loaded model is made.</summary>
public sealed record LlamaContextOptions
{
    /// <summary>Total KV-cache size in tokens, for all sequences; 0 = the model's training context.</summary>
    public int ContextSize { get; init; } = 2048;

    /// <summary>Most tokens submitted to one <c>llama_decode</c> (prompt chunks plus one per generating sequence).</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Most sequences (concurrent requests) held in the context.</summary>
    public int Sequences { get; init; } = 1;

    /// <summary>
    /// One KV buffer for all sequences (default): a sequence may use any part of <see cref="ContextSize"/> and cells can
    /// be shared between sequences without copying, but every decode attends over all cells up to the highest one in
    /// use, other sequences' included. False (with several sequences): each sequence gets a stream of its own of
    /// <see cref="ContextSize"/> / <see cref="Sequences"/> cells (rounded up to a multiple of 256) and attends only over
    /// it, as llama-server's slots do; sharing a prefix then copies the holder's stream.
    /// </summary>
    public bool UnifiedKvCache { get; init; } = true;

    /// <summary>
    /// Logits rows one sequence may request in a single decode; 0 keeps llama.cpp's default (one row per
    /// sequence, all a sampler needs). Scoring a continuation needs a row per token, so a scorer sets this
    /// to its batch size (llama.cpp sizes the output buffer from it).
    /// </summary>
    public int OutputsPerSequence { get; init; }

    /// <summary>CPU threads for decoding; 0 = one per processor.</summary>
    public int Threads { get; init; }

    internal int EffectiveThreads => Threads > 0 ? Threads : Math.Max(1, Environment.ProcessorCount);
}
