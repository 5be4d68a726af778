using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace ReportGen.Pipelines.Remote;

/// <summary>
/// An <see cref="IChatClient"/> over any OpenAI-compatible server (vLLM, TGI, llama.cpp-server, or another
/// ReportGen), for deployments that outgrow one machine. JSON-schema response formats are passed through as
/// <c>response_format</c>; streaming reads the SSE chunks.
/// </summary>
public sealed class OpenAiCompatibleChatClient : IChatClient
{
    private readonly HttpClient _http;
    private readonly string _defaultModel;

    /// <summary>Creates a client; <paramref name="http"/> has the server's base address and any auth header.</summary>
    public OpenAiCompatibleChatClient(HttpClient http, string defaultModel)
    {
        _http = http;
        _defaultModel = defaultModel;
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsync("v1/chat/completions", Body(messages, options, stream: false), cancellationToken).ConfigureAwait(false);
        await EnsureSuccess(response, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadFromJsonAsync<OpenAiChatResponse>(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidDataException("the server returned an empty chat completion");
        var choice = body.Choices.FirstOrDefault() ?? throw new InvalidDataException("the server returned no choices");
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, choice.Message?.Content ?? ""))
        {
            ModelId = body.Model,
            ResponseId = body.Id,
            FinishReason = Finish(choice.FinishReason),
            Usage = body.Usage is { } u ? new UsageDetails { InputTokenCount = u.PromptTokens, OutputTokenCount = u.CompletionTokens, TotalTokenCount = u.TotalTokens } : null,
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = Body(messages, options, stream: true) };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccess(response, cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(stream).EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data == "[DONE]") yield break;
            var chunk = JsonSerializer.Deserialize<OpenAiChatResponse>(item.Data);
            if (chunk?.Choices.FirstOrDefault() is not { } choice) continue;
            yield return new ChatResponseUpdate(ChatRole.Assistant, choice.Delta?.Content ?? "")
            {
                ModelId = chunk.Model,
                ResponseId = chunk.Id,
                FinishReason = Finish(choice.FinishReason),
            };
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private JsonContent Body(IEnumerable<ChatMessage> messages, ChatOptions? options, bool stream)
    {
        var body = new JsonObject
        {
            ["model"] = options?.ModelId ?? _defaultModel,
            ["stream"] = stream,
            ["messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role.Value, ["content"] = m.Text }).ToArray()),
        };
        if (options?.MaxOutputTokens is { } max) body["max_tokens"] = max;
        if (options?.Temperature is { } t) body["temperature"] = t;
        if (options?.TopP is { } p) body["top_p"] = p;
        if (options?.TopK is { } k) body["top_k"] = k;
        if (options?.Seed is { } seed) body["seed"] = seed;
        if (options?.StopSequences is { Count: > 0 } stops) body["stop"] = new JsonArray(stops.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        switch (options?.ResponseFormat)
        {
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

    private static async Task EnsureSuccess(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var detail = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (detail.Length > 500) detail = detail[..500];
        throw new HttpRequestException($"the chat server answered {(int)response.StatusCode}: {detail}", null, response.StatusCode);
    }

    private static ChatFinishReason? Finish(string? reason) => reason switch
    {
        "stop" => ChatFinishReason.Stop,
        "length" => ChatFinishReason.Length,
        "content_filter" => ChatFinishReason.ContentFilter,
        null => null,
        _ => new ChatFinishReason(reason),
    };
}
