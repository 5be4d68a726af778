using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using ReportGen.Api.Hosting;
using ReportGen.Api.Problems;
using ReportGen.Pipelines.Remote;

namespace ReportGen.Api.Apis;

/// <summary>
/// <c>POST /v1/chat/completions</c>, OpenAI-compatible (messages, stream, max_tokens, temperature, top_p, seed, stop,
/// response_format incl. json_schema), so existing clients and tools can use the hosted model.
/// </summary>
public static class ChatCompletionsApi
{
    /// <summary>Maps the endpoint.</summary>
    public static RouteGroupBuilder MapChatCompletionsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/chat/completions", Complete).WithTags("Chat").WithName("createChatCompletion")
            .Produces<OpenAiChatResponse>(StatusCodes.Status200OK).AlsoAnswers("text/event-stream", JsonSchemaType.String, "With stream: true, chat.completion.chunk events").WithSummary("OpenAI-compatible chat completions over the hosted model");
        return v1;
    }

    /// <summary>Runs one completion, streamed as SSE chunks when <c>stream</c> is true.</summary>
    public static async Task<Results<Ok<OpenAiChatResponse>, ServerSentEventsResult<string>>> Complete(OpenAiChatRequest request, HostedModels models, IOptions<ReportGenApiOptions> limits, CancellationToken cancellationToken)
    {
        var messages = Messages(request);
        var options = Options(request, limits.Value.MaxChatTokens);
        var includeUsage = IncludeUsage(request);
        var chat = models.RequireChat("model", "no chat model is configured on this service (ReportGen:Llm:Model)");
        var id = "chatcmpl-" + Guid.NewGuid().ToString("n")[..24];
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var model = request.Model ?? options.ModelId ?? "default";
        if (request.Stream)
        {
            // Wait for the first update before the 200 goes out: a full queue or a prompt the model rejects is then a
            // problem response (503 with Retry-After, 400), not a stream that breaks after its headers.
            var updates = chat.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            bool any;
            try
            {
                any = await updates.MoveNextAsync();
            }
            catch
            {
                await updates.DisposeAsync();
                throw;
            }
            // The streamed model is the loaded model, as in the non-streamed answer.
            var loaded = any ? updates.Current.ModelId ?? model : model;
            return TypedResults.ServerSentEvents(Chunks(updates, any, new ChunkHeader(id, created, loaded, Fingerprint(loaded)), includeUsage));
        }
        var response = await chat.GetResponseAsync(messages, options, cancellationToken);
        var answered = response.ModelId ?? model;
        return TypedResults.Ok(new OpenAiChatResponse(id, "chat.completion", created, answered,
            [new OpenAiChoice(0, new OpenAiResponseMessage("assistant", response.Text), null, FinishReason(response.FinishReason))],
            response.Usage is { } u ? Usage(u) : null) { SystemFingerprint = Fingerprint(answered) });
    }

    private sealed record ChunkHeader(string Id, long Created, string Model, string Fingerprint);

    private static async IAsyncEnumerable<string> Chunks(IAsyncEnumerator<ChatResponseUpdate> updates, bool any, ChunkHeader header, bool includeUsage)
    {
        await using var owned = updates;
        yield return Chunk(header, new OpenAiResponseMessage("assistant", ""), null);
        string? finish = null;
        UsageDetails? usage = null;
        for (var more = any; more; more = await updates.MoveNextAsync())
        {
            var update = updates.Current;
            finish = FinishReason(update.FinishReason) ?? finish;
            foreach (var u in update.Contents.OfType<UsageContent>()) usage = u.Details;
            if (!string.IsNullOrEmpty(update.Text)) yield return Chunk(header, new OpenAiResponseMessage(null, update.Text), null);
        }
        yield return Chunk(header, new OpenAiResponseMessage(null, null), finish ?? "stop");
        // stream_options.include_usage: OpenAI's last chunk has no choices and the usage of the whole answer.
        if (includeUsage)
            yield return JsonSerializer.Serialize(new OpenAiChatResponse(header.Id, "chat.completion.chunk", header.Created, header.Model, [], Usage(usage ?? new UsageDetails()))
                { SystemFingerprint = header.Fingerprint });
        yield return "[DONE]";
    }

    private static string Chunk(ChunkHeader header, OpenAiResponseMessage delta, string? finish) =>
        JsonSerializer.Serialize(new OpenAiChatResponse(header.Id, "chat.completion.chunk", header.Created, header.Model, [new OpenAiChoice(0, null, delta, finish)], null)
            { SystemFingerprint = header.Fingerprint });

    private static OpenAiUsage Usage(UsageDetails u) =>
        new(u.InputTokenCount ?? 0, u.OutputTokenCount ?? 0, u.TotalTokenCount ?? (u.InputTokenCount ?? 0) + (u.OutputTokenCount ?? 0))
        {
            PromptTokensDetails = new(u.CachedInputTokenCount ?? 0),
        };

    // Changes when the service version or the model answering changes (what OpenAI's field is for: reproducibility).
    private static string Fingerprint(string model) =>
        "fp_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ReportGen.Pipelines.Audit.Provenance.Version + "\n" + model)))[..12];

    private static bool IncludeUsage(OpenAiChatRequest request) => request.StreamOptions switch
    {
        null or { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => false,
        { ValueKind: JsonValueKind.Object } o when !o.TryGetProperty("include_usage", out var u) || u.ValueKind is JsonValueKind.False or JsonValueKind.Null => false,
        { ValueKind: JsonValueKind.Object } o when o.GetProperty("include_usage").ValueKind == JsonValueKind.True => true,
        _ => throw new RequestFieldException("stream_options", "stream_options must be an object such as {\"include_usage\": true}", StatusCodes.Status400BadRequest),
    };

    private static List<ChatMessage> Messages(OpenAiChatRequest request)
    {
        if (request.Messages is not { Count: > 0 } messages) throw new RequestFieldException("messages", "messages must hold at least one message", StatusCodes.Status400BadRequest);
        var result = new List<ChatMessage>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            var role = m.Role switch
            {
                "system" or "developer" => ChatRole.System,
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                _ => throw new RequestFieldException($"messages[{i}].role", $"role must be system, user or assistant, not '{m.Role}'", StatusCodes.Status400BadRequest),
            };
            result.Add(new ChatMessage(role, Contents(m.Content, i)));
        }
        return result;
    }

    private static List<AIContent> Contents(JsonElement? content, int index)
    {
        var field = $"messages[{index}].content";
        switch (content?.ValueKind)
        {
            case JsonValueKind.String:
                return [new TextContent(content.Value.GetString())];
            case JsonValueKind.Array:
                var parts = new List<AIContent>();
                var j = 0;
                foreach (var part in content.Value.EnumerateArray())
                {
                    // Only objects are looked into: TryGetProperty on null or a string throws (a 500, not a 400).
                    var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                    if (type == "text" && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                        parts.Add(new TextContent(text.GetString()));
                    else if (type == "image_url" && part.TryGetProperty("image_url", out var img) && img.ValueKind == JsonValueKind.Object
                        && img.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String && url.GetString() is { } uri)
                        parts.Add(uri.StartsWith("data:", StringComparison.Ordinal)
                            ? DataUri(uri, $"{field}[{j}].image_url.url")
                            : throw new RequestFieldException($"{field}[{j}].image_url.url", "only data: URIs are accepted (the service fetches nothing)", StatusCodes.Status400BadRequest));
                    else
                        throw new RequestFieldException($"{field}[{j}]", "a content part is {\"type\":\"text\",\"text\":...} or {\"type\":\"image_url\",\"image_url\":{\"url\":\"data:...\"}}", StatusCodes.Status400BadRequest);
                    j++;
                }
                return parts;
            default:
                throw new RequestFieldException(field, "content must be a string or an array of parts", StatusCodes.Status400BadRequest);
        }
    }

    private static DataContent DataUri(string uri, string field)
    {
        DataContent content;
        try
        {
            content = new DataContent(uri);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new RequestFieldException(field, "not a valid base64 data: URI", StatusCodes.Status400BadRequest);
        }
        // Bytes that are no image format at all are refused here, where the content part they came in is known.
        if (ReportGen.Imaging.ImageDecoder.Sniff(content.Data.Span) == ReportGen.Imaging.ImageFormat.Unknown)
            throw new RequestFieldException(field, "not an image: expected PNG, JPEG or DICOM bytes", StatusCodes.Status400BadRequest);
        return content;
    }

    private static ChatOptions Options(OpenAiChatRequest request, int maxChatTokens)
    {
        var maxTokens = request.MaxCompletionTokens ?? request.MaxTokens;
        if (maxTokens < 1 || maxTokens > maxChatTokens) throw new RequestFieldException("max_tokens", $"max_tokens must be between 1 and {maxChatTokens}", StatusCodes.Status400BadRequest);
        if (request.Temperature is < 0 or > 2) throw new RequestFieldException("temperature", "temperature must be between 0 and 2", StatusCodes.Status400BadRequest);
        if (request.TopP is <= 0 or > 1) throw new RequestFieldException("top_p", "top_p must be in (0, 1]", StatusCodes.Status400BadRequest);
        if (request.TopK is < 0) throw new RequestFieldException("top_k", "top_k must be >= 0", StatusCodes.Status400BadRequest);
        // Features this server does not have are refused by name, never silently ignored.
        if (request.N is not (null or 1)) throw new RequestFieldException("n", "only n = 1 is supported (one choice per request)", StatusCodes.Status400BadRequest);
        if (request.Logprobs == true) throw new RequestFieldException("logprobs", "logprobs are not supported", StatusCodes.Status400BadRequest);
        if (request.Tools is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } tools && !(tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() == 0))
            throw new RequestFieldException("tools", "tool calling is not supported", StatusCodes.Status400BadRequest);
        var options = new ChatOptions
        {
            ModelId = request.Model,
            MaxOutputTokens = maxTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK,
            Seed = request.Seed,
        };
        switch (request.Stop?.ValueKind)
        {
            case null or JsonValueKind.Null or JsonValueKind.Undefined: break;
            case JsonValueKind.String: options.StopSequences = [request.Stop.Value.GetString()!]; break;
            case JsonValueKind.Array when request.Stop.Value.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String):
                options.StopSequences = request.Stop.Value.EnumerateArray().Select(s => s.GetString()!).ToList();
                break;
            default: throw new RequestFieldException("stop", "stop must be a string or an array of strings", StatusCodes.Status400BadRequest);
        }
        if (request.ResponseFormat is { ValueKind: JsonValueKind.Object } format)
        {
            var type = format.TryGetProperty("type", out var t) ? t.GetString() : null;
            options.ResponseFormat = type switch
            {
                "text" => ChatResponseFormat.Text,
                "json_object" => ChatResponseFormat.Json,
                "json_schema" when format.TryGetProperty("json_schema", out var js) && js.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object =>
                    ChatResponseFormat.ForJsonSchema(SupportedSchema(schema), js.TryGetProperty("name", out var n) ? n.GetString() : null),
                _ => throw new RequestFieldException("response_format", "response_format.type must be text, json_object or json_schema (with json_schema.schema)", StatusCodes.Status400BadRequest),
            };
        }
        else if (request.ResponseFormat is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) })
        {
            throw new RequestFieldException("response_format", "response_format must be an object", StatusCodes.Status400BadRequest);
        }
        if (request.IgnoreEos == true)
        {
            if (options.ResponseFormat is ChatResponseFormatJson)
                throw new RequestFieldException("ignore_eos", "ignore_eos cannot be combined with a JSON response_format (a finished document can only be followed by end-of-generation)", StatusCodes.Status400BadRequest);
            (options.AdditionalProperties ??= [])[ReportGen.Llama.LlamaChatClient.IgnoreEosKey] = true;
        }
        switch (request.JsonWhitespace)
        {
            case null: break;
            case "compact" or "permissive": (options.AdditionalProperties ??= [])[ReportGen.Llama.LlamaChatClient.JsonWhitespaceKey] = request.JsonWhitespace; break;
            default: throw new RequestFieldException("json_whitespace", "json_whitespace must be compact or permissive", StatusCodes.Status400BadRequest);
        }
        return options;
    }

    // The schema becomes a grammar only when generation starts; check it now so an unsupported keyword is a 400 naming the field.
    private static JsonElement SupportedSchema(JsonElement schema)
    {
        try
        {
            ReportGen.Llama.Grammar.JsonSchemaToGbnf.Convert(schema);
            return schema.Clone();
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException or FormatException or InvalidOperationException)
        {
            throw new RequestFieldException("response_format.json_schema.schema", ex.Message, StatusCodes.Status400BadRequest);
        }
    }

    private static string? FinishReason(ChatFinishReason? reason) =>
        reason is null ? null : reason == ChatFinishReason.Length ? "length" : reason == ChatFinishReason.Stop ? "stop" : reason.Value.Value;
}
