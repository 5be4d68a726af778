using ReportGen.Core.Models;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using ReportGen.Core.Imaging;
using ReportGen.Llama.Grammar;

namespace ReportGen.Llama;

/// <summary>Defaults of a <see cref="LlamaChatClient"/>.</summary>
public sealed record LlamaChatClientOptions
{
    /// <summary>The model id reported in responses (e.g. the manifest id).</summary>
    public string? ModelId { get; init; }
    /// <summary>Token limit when a request sets no <see cref="ChatOptions.MaxOutputTokens"/>.</summary>
    public int DefaultMaxOutputTokens { get; init; } = 512;
    /// <summary>Sampling when a request sets nothing (greedy by default: reports should be reproducible).</summary>
    public SamplingOptions DefaultSampling { get; init; } = SamplingOptions.Greedy;
}

/// <summary>
/// <see cref="IChatClient"/> over a <see cref="SequenceScheduler"/>: every request is one sequence of the shared
/// context. Messages are formatted with the model's chat template (plain text when it has none); images
/// (<see cref="DataContent"/> with an image or DICOM media type) are decoded to RGB and encoded by an mmproj
/// (<see cref="MultimodalProjector"/>, llama.cpp's libmtmd), or embedded by an injected <see cref="IImageEmbeddingProvider"/>
/// (the ONNX encoder + projector path), and decoded in place. <see cref="ChatOptions"/> map onto sampling:
/// Temperature (unset = greedy), TopP, TopK, Seed, MaxOutputTokens, StopSequences, FrequencyPenalty (as a
/// repetition penalty 1 + value), ResponseFormat (JSON with a schema → GBNF via <see cref="JsonSchemaToGbnf"/>;
/// JSON without one → any JSON object; written compactly unless AdditionalProperties <c>json_whitespace</c> is
/// <c>"permissive"</c>, see <see cref="JsonWhitespace"/>). AdditionalProperties <c>min_p</c>, <c>repeat_penalty</c> and
/// <c>ignore_eos</c> are honoured.
/// The client does not own the scheduler: disposing it leaves the scheduler running.
/// </summary>
public sealed partial class LlamaChatClient : IChatClient
{
    private readonly SequenceScheduler _scheduler;
    private readonly IImageEmbeddingProvider? _images;
    private readonly MultimodalProjector? _projector;
    private readonly IRgbImageDecoder? _rgbDecoder;
    private readonly LlamaChatClientOptions _options;
    private readonly ChatClientMetadata _metadata;

    /// <summary>Creates the client.</summary>
    /// <param name="scheduler">Runs the generations.</param>
    /// <param name="imageEmbeddings">Turns images into embeddings for this LLM, or null when the model set has no vision side.</param>
    /// <param name="options">Defaults.</param>
    public LlamaChatClient(SequenceScheduler scheduler, IImageEmbeddingProvider? imageEmbeddings = null, LlamaChatClientOptions? options = null)
    {
        _scheduler = scheduler ?? throw new ArgumentNullException(nameof(scheduler));
        _images = imageEmbeddings;
        _options = options ?? new LlamaChatClientOptions();
        _metadata = new ChatClientMetadata("llama.cpp", null, _options.ModelId ?? Path.GetFileNameWithoutExtension(scheduler.Model.Path));
    }

    /// <summary>Creates a client whose images go through an mmproj (llama.cpp's libmtmd) for the scheduler's model.</summary>
    /// <param name="scheduler">Runs the generations.</param>
    /// <param name="projector">The mmproj loaded for <paramref name="scheduler"/>'s model.</param>
    /// <param name="imageDecoder">Turns PNG/JPEG/DICOM bytes into RGB (the imaging project's decoders, passed in by the host).</param>
    /// <param name="options">Defaults.</param>
    public LlamaChatClient(SequenceScheduler scheduler, MultimodalProjector projector, IRgbImageDecoder imageDecoder, LlamaChatClientOptions? options = null)
        : this(scheduler, (IImageEmbeddingProvider?)null, options)
    {
        _projector = projector ?? throw new ArgumentNullException(nameof(projector));
        _rgbDecoder = imageDecoder ?? throw new ArgumentNullException(nameof(imageDecoder));
        if (!ReferenceEquals(projector.Model, scheduler.Model))
            throw new ArgumentException("the mmproj was loaded for another model than the scheduler's", nameof(projector));
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (prompt, generation) = await PrepareAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var result = await _scheduler.GenerateAsync(prompt, generation, cancellationToken).ConfigureAwait(false);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, result.Text))
        {
            ModelId = _metadata.DefaultModelId,
            ResponseId = NewId(),
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = Map(result.FinishReason),
            Usage = Usage(result),
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (prompt, generation) = await PrepareAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var request = _scheduler.Submit(prompt, generation, cancellationToken);
        var id = NewId();
        try
        {
            await foreach (var piece in request.ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
                yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ResponseId = id, MessageId = id, ModelId = _metadata.DefaultModelId };
            var result = await request.Completion.ConfigureAwait(false);
            yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage(result))])
            {
                ResponseId = id,
                MessageId = id,
                ModelId = _metadata.DefaultModelId,
                FinishReason = Map(result.FinishReason),
            };
        }
        finally
        {
            if (!request.Completion.IsCompleted) request.Cancel();
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(ChatClientMetadata)) return _metadata;
        if (serviceType == typeof(SequenceScheduler)) return _scheduler;
        if (serviceType == typeof(LlamaModel)) return _scheduler.Model;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Nothing to release: the scheduler is owned by whoever created it.</summary>
    public void Dispose()
    {
    }

    /// <summary>
    /// Builds the prompt (chat template, images embedded in place) and the generation options a request maps to,
    /// without running it (for callers that drive the <see cref="SequenceScheduler"/> themselves).
    /// </summary>
    /// <exception cref="ModelInputException">An image without a provider or an unsupported content type (the caller's input).</exception>
    public async Task<(LlamaPrompt Prompt, GenerationOptions Options)> PrepareAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var model = _scheduler.Model;
        var turns = new List<LlamaChatTurn>();
        var images = new List<ImageEmbeddings>();
        var pictures = new List<RgbImage>();
        if (!string.IsNullOrWhiteSpace(options?.Instructions)) turns.Add(new LlamaChatTurn("system", options.Instructions));
        foreach (var message in messages)
        {
            var text = new StringBuilder();
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent t:
                        text.Append(t.Text);
                        break;
                    case DataContent d when (d.HasTopLevelMediaType("image") || d.MediaType == "application/dicom") && _rgbDecoder is not null:
                        pictures.Add(_rgbDecoder.Decode(d.Data, d.MediaType, d.RawRepresentation as DecodedImage));
                        text.Append(Marker(pictures.Count - 1));
                        break;
                    case DataContent d when d.HasTopLevelMediaType("image") || d.MediaType == "application/dicom":
                        if (_images is null)
                            throw new ModelInputException($"the request contains an image but '{_metadata.DefaultModelId}' is a text-only model (configure a vision-language model set: an mmproj, or an encoder and projector)", ModelInputException.Unsupported);
                        images.Add(await _images.EmbedAsync(d.Data, d.MediaType, d.RawRepresentation as DecodedImage, cancellationToken).ConfigureAwait(false));
                        text.Append(Marker(images.Count - 1));
                        break;
                    case DataContent d:
                        throw new ModelInputException($"content of media type '{d.MediaType}' is not supported by the llama.cpp chat client", ModelInputException.Unsupported);
                    case UriContent u when u.HasTopLevelMediaType("image"):
                        throw new ModelInputException("image URIs are not fetched; send the image bytes as DataContent", ModelInputException.Unsupported);
                    default:
                        break; // usage, reasoning and other non-prompt content is not part of the prompt
                }
            }
            turns.Add(new LlamaChatTurn(message.Role.Value, text.ToString()));
        }
        if (turns.Count == 0) throw new ModelInputException("no messages");

        var formatted = model.ApplyChatTemplate(turns, addAssistantPrefix: true);
        var bosText = model.BosToken >= 0 ? Encoding.UTF8.GetString(model.TokenToBytes(model.BosToken, renderSpecial: true)) : "";
        // A template that already writes BOS must not get a second one.
        var addSpecial = bosText.Length == 0 || !formatted.StartsWith(bosText, StringComparison.Ordinal);
        var prompt = _projector is null
            ? SplitAtMarkers(formatted, images)
            : await Task.Run(() => TokenizeWithProjector(_projector, formatted, pictures, addSpecial, model.ChatTemplate is not null, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
        var generation = new GenerationOptions
        {
            MaxTokens = options?.MaxOutputTokens ?? _options.DefaultMaxOutputTokens,
            StopSequences = options?.StopSequences?.ToArray() ?? [],
            Sampling = MapSampling(options),
            AddSpecialTokens = addSpecial,
            ParseSpecialTokens = model.ChatTemplate is not null,
        };
        return (prompt, generation);
    }

    private SamplingOptions MapSampling(ChatOptions? options)
    {
        var s = _options.DefaultSampling;
        if (options is null) return s;
        if (options.Temperature is { } t) s = s with { Temperature = t };
        if (options.TopP is { } p) s = s with { TopP = p };
        if (options.TopK is { } k) s = s with { TopK = k };
        if (options.Seed is { } seed) s = s with { Seed = unchecked((uint)seed) };
        if (options.FrequencyPenalty is { } f && f > 0) s = s with { RepeatPenalty = 1 + f };
        if (options.AdditionalProperties?.TryGetValue("min_p", out float minP) == true) s = s with { MinP = minP };
        if (options.AdditionalProperties?.TryGetValue("repeat_penalty", out float rp) == true) s = s with { RepeatPenalty = rp };
        if (options.AdditionalProperties?.TryGetValue(IgnoreEosKey, out bool ignoreEos) == true) s = s with { IgnoreEndOfGeneration = ignoreEos };
        var whitespace = options.AdditionalProperties?.TryGetValue(JsonWhitespaceKey, out string? ws) == true
            && string.Equals(ws, "permissive", StringComparison.OrdinalIgnoreCase) ? JsonWhitespace.Permissive : JsonWhitespace.Compact;
        switch (options.ResponseFormat)
        {
            case ChatResponseFormatJson { Schema: { } schema }:
                s = s with { Grammar = new GbnfGrammar(JsonSchemaToGbnf.Convert(schema, whitespace)) };
                break;
            case ChatResponseFormatJson:
                s = s with { Grammar = JsonGrammar.AnyObject(whitespace) };
                break;
        }
        return s;
    }

    /// <summary>
    /// <see cref="ChatOptions.AdditionalProperties"/> key choosing the whitespace of constrained JSON:
    /// <c>"compact"</c> (default) or <c>"permissive"</c>.
    /// </summary>
    public const string JsonWhitespaceKey = "json_whitespace";

    /// <summary><see cref="ChatOptions.AdditionalProperties"/> key: true keeps generating past end-of-generation tokens up to the limit.</summary>
    public const string IgnoreEosKey = "ignore_eos";

    private static string Marker(int index) => $"<|reportgen-image-{index}|>";

    [GeneratedRegex(@"<\|reportgen-image-(\d+)\|>")]
    private static partial Regex MarkerPattern();

    private static LlamaPrompt SplitAtMarkers(string formatted, List<ImageEmbeddings> images)
    {
        if (images.Count == 0) return LlamaPrompt.FromText(formatted);
        var parts = new List<PromptPart>();
        var at = 0;
        foreach (Match m in MarkerPattern().Matches(formatted))
        {
            if (m.Index > at) parts.Add(new TextPart(formatted[at..m.Index]));
            parts.Add(new EmbeddingPart(images[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]));
            at = m.Index + m.Length;
        }
        if (at < formatted.Length) parts.Add(new TextPart(formatted[at..]));
        return new LlamaPrompt(parts);
    }

    // The template was rendered with our own markers (no user text can forge them); each becomes mtmd's media marker and
    // the images are handed over in the order their markers appear.
    private LlamaPrompt TokenizeWithProjector(MultimodalProjector projector, string formatted, List<RgbImage> pictures, bool addSpecial, bool parseSpecial,
        CancellationToken cancellationToken)
    {
        if (formatted.Contains(projector.Marker, StringComparison.Ordinal))
            throw new ModelInputException($"the message text contains the media marker '{projector.Marker}', which stands for an image; remove it");
        var ordered = new List<RgbImage>(pictures.Count);
        var text = MarkerPattern().Replace(formatted, m =>
        {
            ordered.Add(pictures[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]);
            return projector.Marker;
        });
        return projector.Tokenize(text, ordered, addSpecial, parseSpecial, _scheduler.SequenceContextSize, cancellationToken);
    }

    private static ChatFinishReason Map(LlamaFinishReason reason) =>
        reason == LlamaFinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;

    private static UsageDetails Usage(GenerationResult r) => new()
    {
        InputTokenCount = r.PromptTokens,
        OutputTokenCount = r.CompletionTokens,
        TotalTokenCount = r.PromptTokens + r.CompletionTokens,
        // Prompt tokens whose KV a sequence already held (prefix reuse): OpenAI's usage.prompt_tokens_details.cached_tokens.
        CachedInputTokenCount = r.CachedPromptTokens,
    };

    private static string NewId() => "llama-" + Guid.NewGuid().ToString("N");
}
