using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ReportGen.Pipelines.Remote;

/// <summary>
/// An <see cref="IChatClient"/> over OpenAI-compatible inference engines (llama-server, vLLM, TGI, another ReportGen),
/// one or several replicas (<see cref="RemoteEnginePool"/>), for deployments that outgrow one machine.
/// <list type="bullet">
/// <item>Failures are typed (<see cref="UpstreamEngineException"/>): the engine's 400 is <see cref="UpstreamRejectedException"/>
/// in its own words, 429/503 <see cref="UpstreamBusyException"/> with its Retry-After, silence <see cref="UpstreamTimeoutException"/>,
/// a refused connection, a 5xx or a broken stream <see cref="UpstreamUnreachableException"/>.</item>
/// <item>A prompt the endpoint's context cannot hold is refused before it is sent, where the engine can count tokens.</item>
/// <item>A refused connection or a 503 is retried on another replica with jittered backoff; nothing is retried once a
/// response has begun, so a stream never repeats tokens. Cancelling the call cancels the upstream request.</item>
/// <item>A request that met a kept-alive connection the engine had just closed (llama-server closes one after every
/// stream: <see cref="ClosedConnections"/>) is sent again at once on a new connection; it is not a failure.</item>
/// <item>JSON schemas go to llama-server as a GBNF <c>grammar</c> (the one the local engine uses) and to the others as
/// <c>response_format</c> json_schema.</item>
/// </list>
/// </summary>
public sealed class OpenAiCompatibleChatClient : IChatClient
{
    private const string IgnoreEosKey = "ignore_eos";
    // A token is at least one byte of templated text; this much per message covers the chat template's own tokens.
    // (RemoteEndpoint.MayExceed decides from it whether a chat is worth counting.)
    private const int TemplateBytesPerMessage = 64;

    private readonly RemoteEnginePool _pool;
    private readonly bool _ownsPool;
    private readonly string? _defaultModel;
    private readonly Func<JsonElement, string?>? _grammarFromSchema;

    /// <summary>A client for one server; <paramref name="http"/> has the server's base address and any auth header.</summary>
    public OpenAiCompatibleChatClient(HttpClient http, string? defaultModel)
        : this(new RemoteEnginePool([http.BaseAddress?.ToString() ?? throw new ArgumentException("the HttpClient needs a BaseAddress", nameof(http))], null, http), defaultModel)
    {
        _ownsPool = true;
    }

    /// <summary>
    /// A client over the replicas of <paramref name="pool"/>. <paramref name="defaultModel"/> is sent when the caller
    /// names none (null: the model each endpoint reported). <paramref name="grammarFromSchema"/> turns a JSON schema into
    /// GBNF for llama-server (null, or a null result: <c>response_format</c> is sent instead).
    /// </summary>
    public OpenAiCompatibleChatClient(RemoteEnginePool pool, string? defaultModel, Func<JsonElement, string?>? grammarFromSchema = null)
    {
        _pool = pool;
        _defaultModel = defaultModel;
        _grammarFromSchema = grammarFromSchema;
    }

    /// <summary>The replicas.</summary>
    public RemoteEnginePool Pool => _pool;

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        using var call = await SendAsync(list, options, stream: false, cancellationToken).ConfigureAwait(false);
        OpenAiChatResponse? body;
        try
        {
            body = await call.Response.Content.ReadFromJsonAsync<OpenAiChatResponse>(call.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Fail(new UpstreamTimeoutException(call.Endpoint.Name, _pool.Options.Timeout));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException)
        {
            throw Fail(new UpstreamUnreachableException(call.Endpoint.Name, $"the inference engine at {call.Endpoint.Name} sent a broken response ({ex.GetType().Name})", ex));
        }
        var choice = body?.Choices?.FirstOrDefault()
            ?? throw Fail(new UpstreamUnreachableException(call.Endpoint.Name, $"the inference engine at {call.Endpoint.Name} answered without a choice"));
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, choice.Message?.Content ?? ""))
        {
            ModelId = body!.Model,
            ResponseId = body.Id,
            FinishReason = Finish(choice.FinishReason),
            Usage = body.Usage is { } u ? Usage(u) : null,
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        using var call = await SendAsync(list, options, stream: true, cancellationToken).ConfigureAwait(false);
        var name = call.Endpoint.Name;
        var chunks = 0;
        var finished = false;
        await using var items = System.Net.ServerSentEvents.SseParser.Create(await call.Response.Content.ReadAsStreamAsync(call.Token).ConfigureAwait(false))
            .EnumerateAsync(call.Token).GetAsyncEnumerator(call.Token);
        while (true)
        {
            // Nothing below retries: once a chunk has arrived a repeat would send the caller its tokens twice.
            try
            {
                call.RestartTimer();
                if (!await items.MoveNextAsync().ConfigureAwait(false)) break;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Fail(new UpstreamTimeoutException(name, _pool.Options.Timeout));
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                _pool.TakeOut(call.Endpoint, "a stream broke off");
                throw Fail(new UpstreamUnreachableException(name, $"the stream from the inference engine at {name} broke off after {chunks} chunks", ex));
            }
            var data = items.Current.Data;
            if (data == "[DONE]") yield break;
            OpenAiChatResponse? chunk;
            try
            {
                chunk = JsonSerializer.Deserialize<OpenAiChatResponse>(data);
            }
            catch (JsonException ex)
            {
                throw Fail(new UpstreamUnreachableException(name, $"the inference engine at {name} sent a chunk that is not JSON", ex));
            }
            // An engine that fails after its headers (llama-server) sends {"error": {...}} as an event.
            if (chunk?.Choices is null) throw Fail(FromErrorBody(call.Endpoint, ErrorStatus(data), data, list));
            chunks++;
            // The usage chunk (asked for with stream_options): no choices, the counts of the whole answer.
            if (chunk.Usage is { } usage)
                yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(Usage(usage))]) { ModelId = chunk.Model, ResponseId = chunk.Id };
            if (chunk.Choices.FirstOrDefault() is not { } choice) continue;
            finished |= choice.FinishReason is not null;
            yield return new ChatResponseUpdate(ChatRole.Assistant, choice.Delta?.Content ?? "")
            {
                ModelId = chunk.Model,
                ResponseId = chunk.Id,
                FinishReason = Finish(choice.FinishReason),
            };
        }
        if (!finished)
        {
            _pool.TakeOut(call.Endpoint, "a stream ended early");
            throw Fail(new UpstreamUnreachableException(name, $"the stream from the inference engine at {name} ended after {chunks} chunks without finishing"));
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : serviceKey is null && serviceType == typeof(RemoteEnginePool) ? _pool : null;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsPool) _pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    // Sends to the least-loaded replica; repeats on another only what is safe to repeat (a refused connection, a 503).
    private async Task<Call> SendAsync(IReadOnlyList<ChatMessage> messages, ChatOptions? options, bool stream, CancellationToken cancellationToken)
    {
        var wire = Messages(messages);
        var tried = new List<RemoteEndpoint>();
        var reconnects = 0;
        for (var attempt = 0; ; attempt++)
        {
            var lease = _pool.Acquire(tried);
            var endpoint = lease.Endpoint;
            tried.Add(endpoint);
            var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_pool.Options.Timeout);
            HttpResponseMessage? response = null;
            UpstreamEngineException failure;
            var repeatable = false;
            try
            {
                await CheckContextAsync(endpoint, wire, messages, options, deadline.Token).ConfigureAwait(false);
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint.BaseAddress, "v1/chat/completions")) { Content = Body(endpoint, wire, options, stream) };
                // llama-server closes the connection after every streamed answer anyway (ClosedConnections); saying so
                // up front keeps that connection out of our pool, where the next request could be sent on it as it closes.
                if (stream && endpoint.Info.Kind == RemoteEngineKind.LlamaServer) request.Headers.ConnectionClose = true;
                response = await _pool.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return new Call(lease, response, deadline, _pool.Options.Timeout);
                repeatable = response.StatusCode == HttpStatusCode.ServiceUnavailable;
                failure = FromErrorBody(endpoint, (int)response.StatusCode, await ReadError(response, deadline.Token).ConfigureAwait(false), messages, RetryAfter(response));
            }
            catch (UpstreamEngineException ex)
            {
                failure = ex;
            }
            catch (HttpRequestException ex) when (reconnects < ClosedConnections.MaxResends && ClosedConnections.IsClosedByServer(ex))
            {
                // The engine had closed the kept-alive connection this went on and never saw the request: send it again
                // at once on a new connection. Not a failure of the engine, which stays in rotation.
                Release(lease, deadline, response);
                reconnects++;
                attempt--; // not one of the RemoteRetries attempts, and the same endpoint may take it
                tried.Remove(endpoint);
                RemoteEnginePool.Retried(endpoint, "closed_connection");
                continue;
            }
            catch (HttpRequestException ex) when (ex.StatusCode is null)
            {
                // Refused or reset before any answer: the engine did no work for us, so another replica may have it.
                repeatable = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;
                _pool.TakeOut(endpoint, ex.Message);
                failure = new UpstreamUnreachableException(endpoint.Name, $"could not reach the inference engine at {endpoint.Name}: {ex.Message}", ex);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new UpstreamTimeoutException(endpoint.Name, _pool.Options.Timeout);
            }
            catch
            {
                Release(lease, deadline, response);
                throw;
            }
            Release(lease, deadline, response);
            Fail(failure);
            if (!repeatable || attempt >= _pool.Options.Retries) throw failure;
            RemoteEnginePool.Retried(endpoint, failure.Code);
            await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Release(IDisposable lease, CancellationTokenSource deadline, HttpResponseMessage? response)
    {
        response?.Dispose();
        deadline.Dispose();
        lease.Dispose();
    }

    private TimeSpan Backoff(int attempt) =>
        _pool.Options.RetryBackoff * Math.Pow(2, attempt) * (0.5 + Random.Shared.NextDouble());

    private UpstreamEngineException Fail(UpstreamEngineException failure)
    {
        _pool.Failed(failure);
        return failure;
    }

    // Where the engine can count a chat's tokens, a chat longer than its context is refused here, before it queues there.
    private async Task CheckContextAsync(RemoteEndpoint endpoint, JsonArray wire, IReadOnlyList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        var info = endpoint.Info;
        if (!info.CanCountTokens || info.ContextSize is not { } context) return;
        // vLLM refuses a request whose prompt and max_tokens together exceed max_model_len; llama-server only the prompt.
        var reserved = info.Kind == RemoteEngineKind.Vllm ? options?.MaxOutputTokens ?? 0 : 0;
        var bytes = messages.Sum(m => Encoding.UTF8.GetByteCount(m.Text) + TemplateBytesPerMessage);
        if (!endpoint.MayExceed(bytes, context - reserved)) return;
        if (await endpoint.CountTokensAsync(_pool.Http, wire, cancellationToken).ConfigureAwait(false) is not { } tokens) return;
        endpoint.Counted(bytes, tokens);
        if (tokens + reserved >= context)
            throw new UpstreamRejectedException(endpoint.Name, 400, TooLong(endpoint.Name, tokens, reserved, context), contextExceeded: true);
    }

    private static string TooLong(string endpoint, int tokens, int reserved, int context) => reserved > 0
        ? $"the prompt is {tokens} tokens and max_tokens {reserved}; the model at {endpoint} holds {context} tokens per request"
        : $"the prompt is {tokens} tokens; the model at {endpoint} holds {context} tokens per request";

    private static UsageDetails Usage(OpenAiUsage u) => new()
    {
        InputTokenCount = u.PromptTokens, OutputTokenCount = u.CompletionTokens, TotalTokenCount = u.TotalTokens,
        CachedInputTokenCount = u.PromptTokensDetails?.CachedTokens,   // the engine's prompt cache, passed on as cached_tokens
    };

    private JsonContent Body(RemoteEndpoint endpoint, JsonArray wire, ChatOptions? options, bool stream)
    {
        var body = new JsonObject
        {
            ["model"] = options?.ModelId ?? _defaultModel ?? endpoint.Info.Model ?? "default",
            ["stream"] = stream,
            ["messages"] = wire.DeepClone(),
        };
        // The token counts of a stream come in a last chunk only when asked for (llama-server, vLLM and OpenAI alike).
        if (stream) body["stream_options"] = new JsonObject { ["include_usage"] = true };
        if (options?.MaxOutputTokens is { } max) body["max_tokens"] = max;
        if (options?.Temperature is { } t) body["temperature"] = t;
        if (options?.TopP is { } p) body["top_p"] = p;
        if (options?.TopK is { } k) body["top_k"] = k;
        if (options?.Seed is { } seed) body["seed"] = seed;
        if (options?.StopSequences is { Count: > 0 } stops) body["stop"] = new JsonArray(stops.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        // llama-server and vLLM both take ignore_eos (fixed-length benchmarks).
        if (options?.AdditionalProperties?.TryGetValue(IgnoreEosKey, out bool ignoreEos) == true && ignoreEos) body["ignore_eos"] = true;
        switch (options?.ResponseFormat)
        {
            case ChatResponseFormatJson { Schema: { } schema } when endpoint.Info.SupportsGrammar && _grammarFromSchema?.Invoke(schema) is { } grammar:
                // The grammar the local engine would use: the same JSON, whitespace included, from either engine.
                body["grammar"] = grammar;
                break;
            case ChatResponseFormatJson { Schema: { } schema } json:
                body["response_format"] = new JsonObject
                {
                    ["type"] = "json_schema",
                    ["json_schema"] = new JsonObject { ["name"] = json.SchemaName ?? "response", ["strict"] = true, ["schema"] = JsonNode.Parse(schema.GetRawText()) },
                };
                break;
            case ChatResponseFormatJson:
                body["response_format"] = new JsonObject { ["type"] = "json_object" };
                break;
        }
        return JsonContent.Create(body);
    }

    // Text as a string; images (vision models behind vLLM or llama-server --mmproj) as OpenAI image_url parts.
    private static JsonArray Messages(IReadOnlyList<ChatMessage> messages) =>
        new(messages.Select(m => (JsonNode)new JsonObject
        {
            ["role"] = m.Role.Value,
            ["content"] = m.Contents.OfType<DataContent>().Any(d => d.HasTopLevelMediaType("image"))
                ? new JsonArray(m.Contents.Select(Part).OfType<JsonNode>().ToArray())
                : m.Text,
        }).ToArray());

    private static JsonNode? Part(AIContent content) => content switch
    {
        TextContent text => new JsonObject { ["type"] = "text", ["text"] = text.Text },
        DataContent image when image.HasTopLevelMediaType("image") => new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = image.Uri } },
        _ => null,
    };

    private static async Task<string> ReadError(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return text.Length > 4000 ? text[..4000] : text;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return "";
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    // The status inside an error event (llama-server: error.code), else 500.
    private static int ErrorStatus(string errorBody)
    {
        try
        {
            using var doc = JsonDocument.Parse(errorBody);
            return doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("code", out var c) && c.TryGetInt32(out var code) ? code : 500;
        }
        catch (JsonException)
        {
            return 500;
        }
    }

    /// <summary>
    /// The typed failure for an engine's error status and body. The engine's message is kept in its words (llama-server
    /// and OpenAI <c>{"error":{"message"}}</c>, vLLM's older <c>{"message"}</c>, FastAPI's <c>{"detail"}</c>, else the text),
    /// unless it quotes the prompt: messages are logged, and logs never carry report text.
    /// </summary>
    internal static UpstreamEngineException FromErrorBody(RemoteEndpoint endpoint, int status, string body, IReadOnlyList<ChatMessage> messages, TimeSpan? retryAfter = null)
    {
        var (message, type, counts) = ErrorMessage(body);
        // llama-server's own refusal of a long prompt carries the counts: said as our check says it.
        if (type == "exceed_context_size_error" && counts is var (tokens, context)) message = TooLong(endpoint.Name, tokens, 0, context);
        if (message.Length > 500) message = message[..500] + "…";
        if (PipelineFailures.Quotes(message, messages.Select(m => m.Text))) message = "(the engine's message quotes the prompt and is withheld)";
        var name = endpoint.Name;
        return status switch
        {
            429 or 503 => new UpstreamBusyException(name, status, retryAfter, $"the inference engine at {name} is busy ({status}): {message}"),
            401 or 403 => new UpstreamUnreachableException(name, $"the inference engine at {name} refused our credentials ({status}): {message} (check ReportGen:Llm:RemoteApiKey)"),
            >= 400 and < 500 => new UpstreamRejectedException(name, status, message, ContextExceeded(type, message)),
            _ => new UpstreamUnreachableException(name, $"the inference engine at {name} failed ({status}): {message}"),
        };
    }

    // llama-server: type exceed_context_size_error; vLLM: "This model's maximum context length is N tokens. However, ...".
    private static bool ContextExceeded(string? type, string message) =>
        type == "exceed_context_size_error"
        || message.Contains("maximum context length", StringComparison.OrdinalIgnoreCase)
        || message.Contains("exceeds the available context", StringComparison.OrdinalIgnoreCase);

    // The message and type of an engine's error body, and, in llama-server's exceed_context_size_error
    // ({"error": {…, "n_prompt_tokens": N, "n_ctx": M}}), the counts.
    private static (string Message, string? Type, (int Tokens, int Context)? Counts) ErrorMessage(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object && Text(e, "message") is { } m)
                {
                    var counts = e.TryGetProperty("n_prompt_tokens", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var tokens)
                        && e.TryGetProperty("n_ctx", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var context)
                        ? (tokens, context) : ((int, int)?)null;
                    return (m, Text(e, "type"), counts);
                }
                if (root.TryGetProperty("error", out var s) && s.ValueKind == JsonValueKind.String) return (s.GetString()!, null, null);
                if (Text(root, "message") is { } top) return (top, Text(root, "type"), null);
                if (root.TryGetProperty("detail", out var d)) return (d.ValueKind == JsonValueKind.String ? d.GetString()! : d.GetRawText(), null, null);
            }
        }
        catch (JsonException)
        {
            // plain text
        }
        var text = body.Trim();
        return (text.Length == 0 ? "(no message)" : text, null, null);
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static ChatFinishReason? Finish(string? reason) => reason switch
    {
        "stop" => ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        "content_filter" => ChatFinishReason.ContentFilter,
        null => null,
        _ => new ChatFinishReason(reason),
    };

    // One answered request: its hold on the endpoint, the response and the deadline (restarted per streamed chunk).
    private sealed class Call(IDisposable lease, HttpResponseMessage response, CancellationTokenSource deadline, TimeSpan timeout) : IDisposable
    {
        public RemoteEndpoint Endpoint { get; } = ((RemoteEnginePool.Lease)lease).Endpoint;

        public HttpResponseMessage Response => response;

        public CancellationToken Token => deadline.Token;

        public void RestartTimer() => deadline.CancelAfter(timeout);

        public void Dispose() => Release(lease, deadline, response);
    }
}
