using System.ComponentModel.DataAnnotations;

namespace ReportGen.Api.Hosting;

/// <summary>Which LLM the service hosts (section <c>ReportGen:Llm</c>), or which remote server it uses.</summary>
public sealed class LlmOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "ReportGen:Llm";

    /// <summary>Manifest id (or GGUF path) of the local model; null = no local LLM.</summary>
    public string? Model { get; set; }

    /// <summary>
    /// A vision-language model set (models.json <c>sets</c>): its LLM is the hosted model and its image encoder and
    /// projector inject images (what <c>/v1/reports/draft</c> needs). When set, <see cref="Model"/> may be left out.
    /// </summary>
    public string? ModelSet { get; set; }

    /// <summary>
    /// OpenAI-compatible servers (vLLM, llama.cpp's llama-server, TGI, another ReportGen) used instead of a local model:
    /// one URL, or several replicas of the same model separated by commas (requests go to the least busy healthy one).
    /// </summary>
    public string? RemoteUrl { get; set; }

    /// <summary>
    /// The prompt family of the vision-language model a remote engine serves (llama-server with <c>--mmproj</c>, vLLM
    /// with a vision model): <c>llava</c>, <c>gemma3</c> (MedGemma), <c>qwen2vl</c> or <c>other</c>. It picks the drafting
    /// prompt and how grounded boxes map back to the image; without it <c>/v1/reports/draft</c> answers 503 for a
    /// remote engine, since nothing says the remote model can see.
    /// </summary>
    public string? RemoteVisionFamily { get; set; }

    /// <summary>
    /// The side of the remote vision model's square input (<c>clip.vision.image_size</c> of its mmproj), for the
    /// letterboxing families (llava, gemma3); null: the family's published size (LLaVA 1.5: 336, Gemma 3: 896).
    /// </summary>
    [Range(1, 16384)] public int? RemoteVisionImageSize { get; set; }

    /// <summary>Seconds a remote engine may stay silent (before its answer starts, or between streamed chunks): then 504.</summary>
    [Range(1, 3600)] public int RemoteTimeoutSeconds { get; set; } = 120;

    /// <summary>Seconds between health probes of each remote endpoint.</summary>
    [Range(1, 3600)] public int RemoteHealthSeconds { get; set; } = 5;

    /// <summary>Extra attempts on another replica after a refused connection or a 503 (never once an answer has begun).</summary>
    [Range(0, 10)] public int RemoteRetries { get; set; } = 2;

    /// <summary>API key sent to the remote server as a bearer token.</summary>
    public string? RemoteApiKey { get; set; }

    /// <summary>KV-cache tokens shared by all concurrent requests.</summary>
    [Range(64, 1 << 20)] public int ContextSize { get; set; } = 4096;

    /// <summary>Concurrent sequences (continuous batching).</summary>
    [Range(1, 256)] public int Sequences { get; set; } = 8;

    /// <summary>
    /// One KV buffer for all sequences (default: a request may use the whole <see cref="ContextSize"/>, which the service's
    /// own LLM prompts need: the structuring, labelling and judge prompts take 570-1,000 tokens before the report). False
    /// gives each sequence a stream of its own of <see cref="ContextSize"/> / <see cref="Sequences"/> tokens, as
    /// llama-server's slots do: a decode then attends only over its own request's cells and skips llama.cpp's check of a
    /// unified batch against all 256 sequence ids (~0.1 ms per decode, ~5% of a small model's token), but a longer prompt
    /// is refused. (Choosing streams by the model's training context was tried and dropped: with iu-xray-tiny-llama at the
    /// defaults every LLM pipeline's prompt was then refused.)
    /// </summary>
    public bool UnifiedKvCache { get; set; } = true;

    /// <summary>Requests that may wait; one more is answered 503 with Retry-After.</summary>
    [Range(0, 100_000)] public int QueueCapacity { get; set; } = 64;

    /// <summary>Reuse the KV of a finished request's prompt for the next prompt that starts the same way (shared
    /// instructions are decoded once per sequence, not once per request); false decodes every prompt whole.</summary>
    public bool ReusePromptPrefix { get; set; } = true;

    /// <summary>With prefix reuse: a prompt may take the prefix another sequence holds (its KV cells are shared, not
    /// decoded again), so a shared instruction is decoded once for all sequences; false reuses only a sequence's own.</summary>
    public bool SharePromptPrefix { get; set; } = true;

    /// <summary>Longest wait, in milliseconds, of an idle scheduler woken by a request for others arriving with it (a
    /// tenth of a generation step, up to this), so a burst shares its first step; 0 turns it off.</summary>
    [Range(0, 1000)] public int MaxAdmissionWaitMs { get; set; } = 10;

    /// <summary>CPU threads for decoding; 0 = all cores. Use the cores the service really owns: ggml's threads spin, and
    /// oversubscribing them costs far more than it gains.</summary>
    [Range(0, 1024)] public int Threads { get; set; }

    /// <summary>Layers offloaded to the GPU (CUDA build only); 0 = CPU.</summary>
    public int GpuLayers { get; set; }

    /// <summary>
    /// Seconds a request waits for a model that is still loading before it is answered 503 with Retry-After (every
    /// pipeline and the draft endpoint wait through <see cref="LlmHost.WaitForClientAsync"/>).
    /// </summary>
    [Range(0, 3600)] public int LoadWaitSeconds { get; set; } = 30;
}
