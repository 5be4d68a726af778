using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReportGen.Pipelines.Remote;

// The subset of the OpenAI chat-completions wire format that ReportGen speaks, both as a server
// (/v1/chat/completions) and as a client of vLLM, TGI or llama.cpp-server clusters.

/// <summary>A chat-completions request.</summary>
public sealed record OpenAiChatRequest
{
    /// <summary>Model id.</summary>
    [JsonPropertyName("model")] public string? Model { get; init; }
    /// <summary>The chat so far, oldest first (system, user and assistant turns).</summary>
    [JsonPropertyName("messages")] public IReadOnlyList<OpenAiMessage>? Messages { get; init; }
    /// <summary>Stream as SSE chunks.</summary>
    [JsonPropertyName("stream")] public bool Stream { get; init; }
    /// <summary>Token limit.</summary>
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }
    /// <summary>Newer spelling of the token limit.</summary>
    [JsonPropertyName("max_completion_tokens")] public int? MaxCompletionTokens { get; init; }
    /// <summary>Sampling temperature.</summary>
    [JsonPropertyName("temperature")] public float? Temperature { get; init; }
    /// <summary>Nucleus sampling.</summary>
    [JsonPropertyName("top_p")] public float? TopP { get; init; }
    /// <summary>Top-k (an extension many servers accept).</summary>
    [JsonPropertyName("top_k")] public int? TopK { get; init; }
    /// <summary>Sampling seed: the same seed and request give the same answer on servers that honour it.</summary>
    [JsonPropertyName("seed")] public long? Seed { get; init; }
    /// <summary>Stop sequences: a string or an array.</summary>
    [JsonPropertyName("stop")] public JsonElement? Stop { get; init; }
    /// <summary><c>{"type":"text"}</c>, <c>{"type":"json_object"}</c> or <c>{"type":"json_schema","json_schema":{"name","schema"}}</c>.</summary>
    [JsonPropertyName("response_format")] public JsonElement? ResponseFormat { get; init; }
    /// <summary>
    /// Extension: <c>"compact"</c> (default) writes constrained JSON without whitespace between tokens;
    /// <c>"permissive"</c> allows a space or a newline and indentation at every separator, as llama.cpp's server does.
    /// </summary>
    [JsonPropertyName("json_whitespace")] public string? JsonWhitespace { get; init; }
    /// <summary><c>{"include_usage": true}</c> adds a last chunk with the usage to a stream.</summary>
    [JsonPropertyName("stream_options")] public JsonElement? StreamOptions { get; init; }
    /// <summary>Number of choices; only 1 is served.</summary>
    [JsonPropertyName("n")] public int? N { get; init; }
    /// <summary>Token log-probabilities; not served.</summary>
    [JsonPropertyName("logprobs")] public bool? Logprobs { get; init; }
    /// <summary>Tool definitions; not served.</summary>
    [JsonPropertyName("tools")] public JsonElement? Tools { get; init; }
    /// <summary>Extension (llama.cpp server): keep generating past end-of-generation tokens up to the limit (fixed-length benchmarks).</summary>
    [JsonPropertyName("ignore_eos")] public bool? IgnoreEos { get; init; }
}

/// <summary>A message: content is a string or an array of parts (text, image_url).</summary>
public sealed record OpenAiMessage
{
    /// <summary>system, user or assistant.</summary>
    [JsonPropertyName("role")] public string? Role { get; init; }
    /// <summary>String or parts.</summary>
    [JsonPropertyName("content")] public JsonElement? Content { get; init; }
}

/// <summary>A chat-completions response, or (object <c>chat.completion.chunk</c>) one streamed chunk.</summary>
public sealed record OpenAiChatResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<OpenAiChoice> Choices,
    [property: JsonPropertyName("usage")] OpenAiUsage? Usage)
{
    /// <summary>Identifies the backend configuration (service version and model) that produced the answer.</summary>
    [JsonPropertyName("system_fingerprint")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SystemFingerprint { get; init; }
}

/// <summary>One choice: a response has <c>message</c>, a chunk has <c>delta</c>; the other is left out (never null).</summary>
public sealed record OpenAiChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OpenAiResponseMessage? Message,
    [property: JsonPropertyName("delta"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OpenAiResponseMessage? Delta,
    [property: JsonPropertyName("finish_reason")] string? FinishReason)
{
    /// <summary>Always null: log-probabilities are not served (OpenAI clients expect the key).</summary>
    [JsonPropertyName("logprobs")]
    public object? Logprobs => null;
}

/// <summary>An assistant message or delta.</summary>
public sealed record OpenAiResponseMessage(
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("content")] string? Content);

/// <summary>Token counts.</summary>
public sealed record OpenAiUsage(
    [property: JsonPropertyName("prompt_tokens")] long PromptTokens,
    [property: JsonPropertyName("completion_tokens")] long CompletionTokens,
    [property: JsonPropertyName("total_tokens")] long TotalTokens)
{
    /// <summary>OpenAI's breakdown of the prompt tokens (null when a server does not send it).</summary>
    [JsonPropertyName("prompt_tokens_details")]
    public OpenAiPromptTokensDetails? PromptTokensDetails { get; init; }
}

/// <summary>Prompt tokens the server did not have to process.</summary>
/// <param name="CachedTokens">Leading prompt tokens served from the server's prompt cache (kept KV).</param>
public sealed record OpenAiPromptTokensDetails([property: JsonPropertyName("cached_tokens")] long CachedTokens);
