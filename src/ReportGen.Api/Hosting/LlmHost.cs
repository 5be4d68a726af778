using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ReportGen.Api.PipelineResults;
using ReportGen.Api.Problems;
using ReportGen.Api.Telemetry;
using ReportGen.Core.Imaging;
using ReportGen.Core.Models;
using ReportGen.Core.Completion;
using ReportGen.Imaging;
using ReportGen.Llama;
using ReportGen.Pipelines.Drafting;
using ReportGen.Onnx;
using ReportGen.Llama.Completion;
using ReportGen.Pipelines.Remote;

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

    /// <summary>An OpenAI-compatible server (vLLM, TGI, llama.cpp-server, another ReportGen) used instead of a local model.</summary>
    public string? RemoteUrl { get; set; }

    /// <summary>API key sent to the remote server as a bearer token.</summary>
    public string? RemoteApiKey { get; set; }

    /// <summary>KV-cache tokens shared by all concurrent requests.</summary>
    [Range(64, 1 << 20)] public int ContextSize { get; set; } = 4096;

    /// <summary>Concurrent sequences (continuous batching).</summary>
    [Range(1, 256)] public int Sequences { get; set; } = 8;

    /// <summary>Requests that may wait; one more is answered 503 with Retry-After.</summary>
    [Range(0, 100_000)] public int QueueCapacity { get; set; } = 64;

    /// <summary>CPU threads for decoding; 0 = all cores. Use the cores the service really owns: ggml's threads spin, and
    /// oversubscribing them costs far more than it gains.</summary>
    [Range(0, 1024)] public int Threads { get; set; }

    /// <summary>Layers offloaded to the GPU (CUDA build only); 0 = CPU.</summary>
    public int GpuLayers { get; set; }
}

/// <summary>
/// Loads the configured GGUF once, at start-up (never per request), and serves it to every pipeline through
/// <see cref="IChatClient"/>. Until it has loaded, /health/ready says not ready and requests get 503.
/// </summary>
public sealed class LlmHost(IOptions<LlmOptions> options, ModelResolver resolver, ServiceReadiness readiness, ReportGenMetrics metrics,
    ILogger<LlmHost> logger, IImageEmbeddingProvider? imageEmbeddings = null) : IHostedService, IAsyncDisposable
{
    private readonly TaskCompletionSource<IChatClient> _client = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LlamaModel? _model;
    private SequenceScheduler? _scheduler;
    private VisionLanguageModelSet? _set;
    private MultimodalModelSet? _mmprojSet;
    private volatile LlamaCompletionSession? _completion;
    private long _lastTokens;
    private long _lastTimestamp = Stopwatch.GetTimestamp();

    /// <summary>The readiness component name.</summary>
    public string ComponentName => "llm:" + (options.Value.ModelSet ?? options.Value.Model ?? options.Value.RemoteUrl);

    /// <summary>The model id and SHA-256 for provenance.</summary>
    public ModelProvenance? Provenance { get; private set; }

    /// <summary>The loaded vision-language set (null without <see cref="LlmOptions.ModelSet"/> or until loaded).</summary>
    public VisionLanguageModelSet? ModelSet => _set;

    /// <summary>The configured set's manifest definition (ONNX or mmproj kind), once loaded.</summary>
    public ModelSet? SetDefinition => _set?.Definition ?? _mmprojSet?.Definition;

    /// <summary>
    /// The preprocessing boxes are mapped back through: the ONNX encoder's, or the mmproj's letterbox view
    /// (<see cref="MultimodalProjector.View"/>); null when the model's view is the whole image.
    /// </summary>
    public Preprocessing? EncoderPreprocessing => _set?.EncoderPreprocessing ?? _mmprojSet?.Projector.View;

    /// <summary>The drafting prompt for the loaded set's family (<see cref="DraftingService.PromptFor"/>).</summary>
    public string DraftPromptName => DraftingService.PromptFor(_mmprojSet?.Projector.ProjectorType);

    /// <summary>Whether a vision-language set is configured (it may still be loading).</summary>
    public bool HasModelSet => options.Value.ModelSet is not null && options.Value.RemoteUrl is null;

    /// <summary>LLM, image encoder and projector with their SHA-256 (just the LLM without a set).</summary>
    public IReadOnlyList<ModelProvenance> SetProvenance => (_set, _mmprojSet, Provenance) switch
    {
        ({ } set, _, { } llm) => [llm, new(set.Encoder.Entry.Id, set.Encoder.Entry.Sha256, "vision-encoder"), new(set.Projector.Entry.Id, set.Projector.Entry.Sha256, "projector")],
        (_, { } mm, { } llm) => [llm, new(mm.Mmproj.Entry.Id, mm.Mmproj.Entry.Sha256, "mmproj")],
        (_, _, { } only) => [only],
        _ => [],
    };

    /// <summary>The client, once loaded.</summary>
    public Task<IChatClient> Client => _client.Task;

    /// <summary>
    /// Scoring and generation for auto-completion on the loaded local model (its own small context, so it never
    /// waits for the chat scheduler); null while loading, after a failed load and for a remote LLM.
    /// </summary>
    public LlamaCompletionSession? CompletionSession => _completion;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        readiness.Expect(ComponentName);
        _ = Task.Run(() => LoadAsync(cancellationToken), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        try
        {
            if (o.RemoteUrl is { } url)
            {
                var http = new HttpClient { BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/"), Timeout = TimeSpan.FromMinutes(5) };
                if (o.RemoteApiKey is { } key) http.DefaultRequestHeaders.Authorization = new("Bearer", key);
                _client.SetResult(new OpenAiCompatibleChatClient(http, o.Model ?? "default"));
                Provenance = new ModelProvenance(o.Model ?? "remote", "remote:" + url, "llm");
            }
            else
            {
                var started = Stopwatch.GetTimestamp();
                if (o.ModelSet is { } mmSetId && MultimodalModelSet.IsMmprojSet(resolver, mmSetId))
                {
                    // An LLM GGUF + mmproj: libmtmd encodes the images, the scheduler decodes them with the text.
                    _mmprojSet = MultimodalModelSet.Load(resolver, mmSetId, new LlamaModelOptions { GpuLayers = o.GpuLayers },
                        new MultimodalProjectorOptions { Threads = o.Threads, UseGpu = o.GpuLayers != 0 });
                    if (o.Model is { } m && m != _mmprojSet.Llm.Entry.Id)
                        throw new InvalidOperationException($"ReportGen:Llm:Model '{m}' is not the LLM of model set '{mmSetId}' ({_mmprojSet.Llm.Entry.Id}); leave Model out");
                }
                else if (o.ModelSet is { } setId)
                {
                    // The set composes encoder + projector as the image-embedding provider; its LLM is the hosted model.
                    _set = VisionLanguageModelSet.Load(resolver, setId);
                    if (o.Model is { } m && m != _set.Llm.Entry.Id)
                        throw new InvalidOperationException($"ReportGen:Llm:Model '{m}' is not the LLM of model set '{setId}' ({_set.Llm.Entry.Id}); leave Model out");
                    imageEmbeddings = _set;
                }
                var entry = _set?.Llm.Entry ?? _mmprojSet?.Llm.Entry ?? resolver.Manifest.Find(o.Model!);
                var path = _mmprojSet?.Llm.Path ?? (entry is not null ? resolver.RequirePath(entry.Id) : File.Exists(o.Model) ? o.Model! : throw new FileNotFoundException($"LLM '{o.Model}' is neither a manifest id nor a file"));
                _model = _mmprojSet?.Model ?? await LlamaModel.LoadAsync(path, new LlamaModelOptions { GpuLayers = o.GpuLayers }, null, cancellationToken);
                _scheduler = new SequenceScheduler(_model, new SchedulerOptions
                {
                    Context = new LlamaContextOptions { ContextSize = o.ContextSize, Sequences = o.Sequences, BatchSize = 512, Threads = o.Threads },
                    QueueCapacity = o.QueueCapacity,
                });
                metrics.QueueDepth = () => _scheduler.Stats.Queued;
                metrics.ActiveSequences = () => _scheduler.Stats.Active;
                metrics.DecodedTokens = () => _scheduler.Stats.TokensDecoded;
                metrics.TokensPerSecond = TokensPerSecond;
                Provenance = new ModelProvenance(entry?.Id ?? Path.GetFileName(path), entry?.Sha256 ?? "unverified", "llm");
                _completion = new LlamaCompletionSession(_model, new LlamaCompletionOptions { ModelId = Provenance.Id, Threads = o.Threads });
                var chatOptions = new LlamaChatClientOptions { ModelId = entry?.Id ?? Path.GetFileName(path) };
                _client.SetResult(_mmprojSet is { } mm
                    ? new LlamaChatClient(_scheduler, mm.Projector, new RgbImageDecoder(), chatOptions)
                    : new LlamaChatClient(_scheduler, imageEmbeddings, chatOptions));
                logger.LogInformation("LLM {Model} loaded in {Seconds:F1} s ({Sequences} sequences, {Context} KV tokens)", Provenance.Id,
                    Stopwatch.GetElapsedTime(started).TotalSeconds, o.Sequences, o.ContextSize);
            }
            readiness.Loaded(ComponentName);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            readiness.Failed(ComponentName, ex.Message);
            logger.LogError("LLM {Model} failed to load: {Reason}", o.ModelSet ?? o.Model, ex.Message);
            _client.TrySetException(new LlmUnavailableException(ex.Message));
        }
    }

    private double TokensPerSecond()
    {
        var now = Stopwatch.GetTimestamp();
        var tokens = _scheduler?.Stats.TokensDecoded ?? 0;
        var seconds = Stopwatch.GetElapsedTime(Interlocked.Exchange(ref _lastTimestamp, now), now).TotalSeconds;
        var delta = tokens - Interlocked.Exchange(ref _lastTokens, tokens);
        return seconds > 0 ? delta / seconds : 0;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_scheduler is not null) await _scheduler.DisposeAsync();
        _completion?.Dispose();
        _model?.Dispose();
        _set?.Dispose();
        _mmprojSet?.Dispose();
    }
}

/// <summary>The configured LLM is not (yet) available.</summary>
public sealed class LlmUnavailableException(string message) : Exception(message);

/// <summary>
/// The <see cref="IChatClient"/> pipelines see: waits for the hosted model (a few seconds at start-up at most),
/// then forwards. Registered only when a model is configured.
/// </summary>
public sealed class HostedChatClient(LlmHost host) : IChatClient
{
    private static readonly TimeSpan LoadWait = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await Resolve(cancellationToken)).GetResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var client = await Resolve(cancellationToken);
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken)) yield return update;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(LlmHost) ? host : serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose() { }

    private async Task<IChatClient> Resolve(CancellationToken cancellationToken)
    {
        try
        {
            return await host.Client.WaitAsync(LoadWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new LlmUnavailableException("the model is still loading; retry shortly");
        }
    }
}

/// <summary>
/// The hosted local model as <see cref="ISequenceScorer"/> and <see cref="IContinuationGenerator"/> for auto-completion.
/// Registered only when <c>ReportGen:Llm:Model</c> is a local model. Until the model has loaded (or when it failed to
/// load) <see cref="IsReady"/> is false and the completion endpoints answer from retrieval alone (<c>reranked: false</c>)
/// rather than 503: a suggestion without the model is still useful, and the editor asks again on the next keystroke.
/// </summary>
public sealed class HostedCompletionModel(LlmHost host, IOptions<LlmOptions> options) : ISequenceScorer, IContinuationGenerator
{
    /// <summary>True once the model is loaded and its completion session exists.</summary>
    public bool IsReady => host.CompletionSession is not null;

    /// <inheritdoc />
    public string ModelId => host.CompletionSession?.ModelId ?? options.Value.Model ?? "llm";

    /// <inheritdoc />
    public Task<IReadOnlyList<double>> ScoreAsync(string context, IReadOnlyList<string> continuations, CancellationToken cancellationToken) =>
        Session().ScoreAsync(context, continuations, cancellationToken);

    /// <inheritdoc />
    public Task<string?> GenerateAsync(string context, string prefix, int maxTokens, CancellationToken cancellationToken) =>
        Session().GenerateAsync(context, prefix, maxTokens, cancellationToken);

    private LlamaCompletionSession Session() =>
        host.CompletionSession ?? throw new LlmUnavailableException("the model is still loading; retry shortly");
}

/// <summary>Admission control and model availability as 503 problems with Retry-After.</summary>
public sealed class LlmProblemMapper : IExceptionProblemMapper
{
    /// <inheritdoc />
    public MappedProblem? TryMap(Exception exception) => exception switch
    {
        SchedulerFullException full => new MappedProblem(StatusCodes.Status503ServiceUnavailable, "Model busy", full.Message, "model", "queue_full", RetryAfterSeconds: 2),
        LlmUnavailableException unavailable => new MappedProblem(StatusCodes.Status503ServiceUnavailable, "Model unavailable", unavailable.Message, "model", "model_unavailable", RetryAfterSeconds: 10),
        // The runtime rejects a prompt it cannot hold (too long for the context, wrong image size) at submission.
        ArgumentException bad when bad.TargetSite?.DeclaringType?.Assembly == typeof(SequenceScheduler).Assembly =>
            new MappedProblem(StatusCodes.Status400BadRequest, "Input does not fit the model", bad.Message.Split(" (Parameter", 2)[0], "messages", "model_input_rejected"),
        // Content the hosted model cannot take (an image for a text-only model, an unknown media type).
        NotSupportedException unsupported when unsupported.TargetSite?.DeclaringType?.Assembly == typeof(SequenceScheduler).Assembly =>
            new MappedProblem(StatusCodes.Status400BadRequest, "Input not supported by the model", unsupported.Message, "messages", "model_input_unsupported"),
        _ => null,
    };
}
