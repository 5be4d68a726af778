using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ReportGen.Api.PipelineResults;
using ReportGen.Pipelines.Audit;
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

/// <summary>
/// Loads the configured GGUF once, at start-up (never per request), and serves it to every pipeline through
/// <see cref="IChatClient"/>. Until it has loaded, /health/ready says not ready and requests get 503.
/// </summary>
public sealed class LlmHost(IOptions<LlmOptions> options, ModelResolver resolver, ServiceReadiness readiness, ReportGenMetrics metrics,
    ArrivalGauge arrivals, ILogger<LlmHost> logger, IImageEmbeddingProvider? imageEmbeddings = null) : IHostedService, IAsyncDisposable
{
    private readonly TaskCompletionSource<IChatClient> _client = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LlamaModel? _model;
    private SequenceScheduler? _scheduler;
    private VisionLanguageModelSet? _set;
    private MultimodalModelSet? _mmprojSet;
    private volatile LlamaCompletionSession? _completion;
    private RemoteEnginePool? _remote;
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

    /// <summary>Whether the model is a remote engine's (<see cref="LlmOptions.RemoteUrl"/>).</summary>
    public bool IsRemote => options.Value.RemoteUrl is not null;

    /// <summary>Whether the remote engine is declared to serve a vision-language model (<see cref="LlmOptions.RemoteVisionFamily"/>).</summary>
    public bool HasRemoteVision => IsRemote && !string.IsNullOrWhiteSpace(options.Value.RemoteVisionFamily);

    /// <summary>The remote vision-language model, once loaded (null for a local model or without a family).</summary>
    public RemoteVisionModel? RemoteVision { get; private set; }

    /// <summary>The KV layout the hosted model's scheduler has (true: one unified cache); null before it loads or when remote.</summary>
    public bool? UnifiedKvCache => _scheduler is { } s ? !s.HasSequenceStreams : null;

    /// <summary>The remote replicas (null for a local model).</summary>
    public RemoteEnginePool? Remote => _remote;

    /// <summary>The client, once loaded.</summary>
    public Task<IChatClient> Client => _client.Task;

    /// <summary>
    /// The client, waiting at most <see cref="LlmOptions.LoadWaitSeconds"/> for a model that is still loading; after that
    /// (or after a failed load) <see cref="LlmUnavailableException"/>, a 503 with Retry-After.
    /// </summary>
    public async Task<IChatClient> WaitForClientAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _client.Task.WaitAsync(TimeSpan.FromSeconds(options.Value.LoadWaitSeconds), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new LlmUnavailableException("the model is still loading; retry shortly");
        }
    }

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
                RemoteVision = RemoteVisionModel.FromOptions(o);
                _remote = new RemoteEnginePool(RemoteEnginePool.ParseUrls(url), new RemoteEngineOptions
                {
                    Timeout = TimeSpan.FromSeconds(o.RemoteTimeoutSeconds),
                    HealthInterval = TimeSpan.FromSeconds(o.RemoteHealthSeconds),
                    Retries = o.RemoteRetries,
                    ApiKey = o.RemoteApiKey,
                }, logger: logger);
                // What each endpoint serves decides its context check and how JSON is constrained; one that is down now
                // is asked when its health probe first succeeds.
                await _remote.StartAsync(TimeSpan.FromSeconds(10), cancellationToken);
                _client.SetResult(new OpenAiCompatibleChatClient(_remote, o.Model, RemoteGrammar));
                var model = o.Model ?? _remote.Endpoints.Select(e => e.Info.Model).FirstOrDefault(m => m is not null) ?? "remote";
                Provenance = ModelProvenance.RemoteLlm(model, RemoteEnginePool.ParseUrls(url));
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
                    Context = new LlamaContextOptions { ContextSize = o.ContextSize, Sequences = o.Sequences, BatchSize = 512, Threads = o.Threads, UnifiedKvCache = o.UnifiedKvCache },
                    QueueCapacity = o.QueueCapacity,
                    ReusePromptPrefix = o.ReusePromptPrefix,
                    SharePromptPrefix = o.SharePromptPrefix,
                    MaxAdmissionWait = TimeSpan.FromMilliseconds(o.MaxAdmissionWaitMs),
                    Arrivals = arrivals,
                });
                metrics.QueueDepth = () => _scheduler.Stats.Queued;
                metrics.ActiveSequences = () => _scheduler.Stats.Active;
                metrics.DecodedTokens = () => _scheduler.Stats.TokensDecoded;
                metrics.ReusedPromptTokens = () => _scheduler.Stats.PromptTokensReused;
                metrics.TokensPerSecond = TokensPerSecond;
                Provenance = ModelProvenance.LocalLlm(entry, path);
                _completion = new LlamaCompletionSession(_model, new LlamaCompletionOptions { ModelId = Provenance.Id, Threads = o.Threads });
                var chatOptions = new LlamaChatClientOptions { ModelId = entry?.Id ?? Path.GetFileName(path) };
                _client.SetResult(_mmprojSet is { } mm
                    ? new LlamaChatClient(_scheduler, mm.Projector, new RgbImageDecoder(), chatOptions)
                    : new LlamaChatClient(_scheduler, imageEmbeddings, chatOptions));
                logger.LogInformation("LLM {Model} loaded in {Seconds:F1} s ({Sequences} sequences, {Context} KV tokens, {Layout})", Provenance.Id,
                    Stopwatch.GetElapsedTime(started).TotalSeconds, o.Sequences, o.ContextSize, _scheduler.HasSequenceStreams ? "a KV stream per sequence" : "one unified KV cache");
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

    /// <summary>
    /// The GBNF a remote llama-server is sent for a JSON schema: the grammar the local engine would use, so both write
    /// the same JSON; null (then <c>response_format</c> is sent) for a schema the converter cannot take.
    /// </summary>
    public static string? RemoteGrammar(System.Text.Json.JsonElement schema)
    {
        try
        {
            return ReportGen.Llama.Grammar.JsonSchemaToGbnf.Convert(schema);
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException or FormatException or InvalidOperationException)
        {
            return null;
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
        if (_remote is not null) await _remote.DisposeAsync();
        _completion?.Dispose();
        _model?.Dispose();
        _set?.Dispose();
        _mmprojSet?.Dispose();
    }
}
