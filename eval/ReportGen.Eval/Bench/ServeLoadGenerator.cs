using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Eval.Reporting;
using ReportGen.Pipelines.Remote;

namespace ReportGen.Eval.Bench;

/// <summary>What one load level sends.</summary>
/// <param name="Concurrency">Clients, each sending its next request as soon as the last one ended (closed loop).</param>
/// <param name="Requests">Requests in all, shared by the clients.</param>
/// <param name="MaxTokens">Tokens every request generates (<c>max_tokens</c> with <c>ignore_eos</c>, so all are this long).</param>
/// <param name="Prompts">User messages, taken in turn (request i sends prompt i mod count).</param>
/// <param name="CachePrompt">
/// Sent as llama-server's <c>cache_prompt</c> (reuse the KV of the slot's previous prompt up to the common prefix);
/// null leaves the field out. Our service ignores the field.
/// </param>
public sealed record ServeLoadSettings(int Concurrency, int Requests, int MaxTokens, IReadOnlyList<string> Prompts, bool? CachePrompt = null);

/// <summary>One streamed request as the client saw it.</summary>
/// <param name="Error">Null when the stream ended with [DONE] and <paramref name="Tokens"/> equals max_tokens; else why not.</param>
/// <param name="Tokens">Generated tokens (the usage of the last chunk, else the number of content chunks).</param>
/// <param name="FirstTokenMs">
/// Request sent (its first attempt) to the first chunk that carries the answer, its role or text: both servers send it
/// when the first token is generated. NaN when no such chunk came before the finish chunk (llama-server sends nothing
/// for tokens while the text ends in incomplete UTF-8).
/// </param>
/// <param name="GapsMs">
/// Time between consecutive content chunks, only when every token came in a chunk of its own; empty when the server
/// merged tokens (llama-server holds back a token that ends in incomplete UTF-8, so a generated model's random bytes
/// arrive several tokens to a chunk and the gaps would not be per token).
/// </param>
/// <param name="PromptTokens">The prompt's tokens as the server counted them (usage), or -1.</param>
public sealed record ServeRequestResult(string? Error, int Tokens, double FirstTokenMs, IReadOnlyList<double> GapsMs, int PromptTokens = -1)
{
    /// <summary>Times the request was sent again on a new connection because the server had closed the one it went on.</summary>
    public int Reconnects { get; init; }

    /// <summary>How the first such attempt failed (exception chain), or null.</summary>
    public string? ReconnectCause { get; init; }

    /// <summary>
    /// Time per output token after the first: from the first answer chunk to the finish chunk (both servers send it as
    /// the last token is done) over <see cref="Tokens"/> − 1. Timeable for either server however it groups tokens; NaN for one token.
    /// </summary>
    public double TimePerTokenMs { get; init; } = double.NaN;
}

/// <summary>One load level against one server.</summary>
/// <param name="Reconnects">Requests sent again because the server had closed their kept-alive connection (not errors; see <see cref="ClosedConnections"/>).</param>
/// <param name="TimePerToken">Per request, <see cref="ServeRequestResult.TimePerTokenMs"/>.</param>
/// <param name="FirstReconnectCause">How the first reconnected request's attempt failed, or null.</param>
public sealed record ServeLoadResult(int Concurrency, int Requests, int Errors, int Tokens, double Seconds, LatencyStats FirstToken, LatencyStats InterToken,
    string? FirstError, double MeanPromptTokens, int Reconnects = 0, LatencyStats? TimePerToken = null, string? FirstReconnectCause = null)
{
    /// <summary>Generated tokens of the successful requests per wall-clock second of the whole level.</summary>
    public double TokensPerSecond => Tokens / Seconds;

    /// <summary>
    /// Time to first token per request index (request i sends prompt i mod count), NaN where the request failed or its
    /// first token could not be timed; lets two servers be compared on the same requests (<see cref="ServeBenchRow.PairedFirstToken"/>).
    /// </summary>
    public IReadOnlyList<double> FirstTokenByRequest { get; init; } = [];
}

/// <summary>
/// A closed-loop load generator for OpenAI-compatible servers (ours and llama-server): N clients stream
/// <c>/v1/chat/completions</c> at temperature 0 with a fixed <c>max_tokens</c> and <c>ignore_eos</c>, and the client side
/// measures time to first token, the gaps between streamed tokens, time per output token and aggregate throughput. Written once and pointed
/// at both servers, so both are measured by the same code.
/// </summary>
public static class ServeLoadGenerator
{
    /// <summary>Runs one level: <see cref="ServeLoadSettings.Requests"/> requests over <see cref="ServeLoadSettings.Concurrency"/> clients.</summary>
    public static async Task<ServeLoadResult> RunAsync(HttpClient http, ServeLoadSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Concurrency < 1 || settings.Requests < 1 || settings.MaxTokens < 1 || settings.Prompts.Count == 0)
            throw new ArgumentException("concurrency, requests and max_tokens must be >= 1 and there must be a prompt", nameof(settings));
        var next = -1;
        var results = new ServeRequestResult[settings.Requests];
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < settings.Requests)
                results[i] = await SendAsync(http, Body(settings, settings.Prompts[i % settings.Prompts.Count]), settings.MaxTokens, cancellationToken).ConfigureAwait(false);
        })).ConfigureAwait(false);
        var seconds = sw.Elapsed.TotalSeconds;
        var ok = results.Where(r => r.Error is null).ToArray();
        return new ServeLoadResult(settings.Concurrency, settings.Requests, results.Length - ok.Length, ok.Sum(r => r.Tokens), seconds,
            LatencyStats.From(ok.Select(r => r.FirstTokenMs)), LatencyStats.From(ok.SelectMany(r => r.GapsMs)),
            results.FirstOrDefault(r => r.Error is not null)?.Error, ok.Where(r => r.PromptTokens >= 0).Select(r => (double)r.PromptTokens).DefaultIfEmpty(double.NaN).Average(),
            results.Sum(r => r.Reconnects), LatencyStats.From(ok.Select(r => r.TimePerTokenMs)), results.FirstOrDefault(r => r.ReconnectCause is not null)?.ReconnectCause)
        {
            FirstTokenByRequest = [.. results.Select(r => r.Error is null ? r.FirstTokenMs : double.NaN)],
        };
    }

    /// <summary>The request body: one user message, greedy, fixed length, streamed with usage.</summary>
    public static string Body(ServeLoadSettings settings, string prompt)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var body = new JsonObject
        {
            ["model"] = "bench",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
            ["max_tokens"] = settings.MaxTokens,
            ["temperature"] = 0,
            ["ignore_eos"] = true,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        };
        if (settings.CachePrompt is { } cache) body["cache_prompt"] = cache;
        return body.ToJsonString();
    }

    /// <summary>
    /// Sends one streamed request and times its chunks; failures are results, not exceptions. A request that fails before
    /// any answer because the server had closed its kept-alive connection is sent again on a new connection, as a real
    /// client does, at most <see cref="ClosedConnections.MaxResends"/> times, and counted in <see cref="ServeRequestResult.Reconnects"/>;
    /// its time to first token runs from the first attempt (what the caller waited).
    /// </summary>
    public static async Task<ServeRequestResult> SendAsync(HttpClient http, string body, int expectedTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var sw = Stopwatch.StartNew();
        string? cause = null;
        for (var reconnects = 0; ; reconnects++)
        {
            try
            {
                return await SendOnceAsync(http, body, expectedTokens, sw, cancellationToken).ConfigureAwait(false) with { Reconnects = reconnects, ReconnectCause = cause };
            }
            catch (HttpRequestException e) when (reconnects < ClosedConnections.MaxResends && ClosedConnections.IsClosedByServer(e))
            {
                // The failed connection is gone from the pool; the next attempt takes another or opens one.
                cause ??= ClosedConnections.Describe(e);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
            {
                return new ServeRequestResult(ClosedConnections.Describe(e), 0, double.NaN, []) { Reconnects = reconnects, ReconnectCause = cause };
            }
        }
    }

    // One attempt. Throws HttpRequestException (with no status) only when it failed before the response headers.
    private static async Task<ServeRequestResult> SendOnceAsync(HttpClient http, string body, int expectedTokens, Stopwatch sw, CancellationToken cancellationToken)
    {
        var gaps = new List<double>(expectedTokens);
        double first = double.NaN, finished = double.NaN, last = 0, generating = double.NaN, timingsAt = double.NaN;
        int chunks = 0, usage = -1, prompt = -1, generated = -1;
        var done = false;
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return new ServeRequestResult($"HTTP {(int)response.StatusCode}: {text[..Math.Min(200, text.Length)]}", 0, double.NaN, []);
        }
        try
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                // After [DONE] the stream is read to its end: the connection then goes back to the pool at once, so the next
                // request reuses it (as a kept-alive client does) instead of opening another while this one drains.
                if (done || !line.StartsWith("data:", StringComparison.Ordinal)) continue;
                var data = line.AsSpan(5).Trim();
                if (data.SequenceEqual("[DONE]")) { done = true; continue; }
                var now = sw.Elapsed.TotalMilliseconds;
                using var json = JsonDocument.Parse(data.ToString());
                if (json.RootElement.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object && u.TryGetProperty("completion_tokens", out var ct))
                {
                    usage = ct.GetInt32();
                    if (u.TryGetProperty("prompt_tokens", out var pt)) prompt = pt.GetInt32();
                }
                if (json.RootElement.TryGetProperty("timings", out var t) && t.ValueKind == JsonValueKind.Object
                    && t.TryGetProperty("predicted_ms", out var ms) && ms.ValueKind == JsonValueKind.Number
                    && t.TryGetProperty("predicted_n", out var n) && n.ValueKind == JsonValueKind.Number)
                    (generating, generated, timingsAt) = (ms.GetDouble(), n.GetInt32(), now);
                if (FirstChoice(json.RootElement) is not { } choice) continue;
                if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String) finished = now;
                var hasText = HasText(choice);
                if (double.IsNaN(first) && (hasText || HasRole(choice))) first = now;
                if (!hasText) continue;
                if (chunks++ > 0) gaps.Add(now - last);
                last = now;
            }
        }
        catch (HttpRequestException e)
        {
            // After the headers nothing is sent again (the server has begun): a broken stream is the server's error.
            throw new IOException($"the stream broke off after {chunks} content chunks", e);
        }
        var tokens = usage >= 0 ? usage : chunks;
        string? error = !done ? "stream ended without [DONE]"
            : tokens != expectedTokens ? $"{tokens} tokens generated, {expectedTokens} asked (ignore_eos not honoured?)"
            : null;
        if (double.IsNaN(finished)) finished = last;
        // llama-server sends nothing for a token whose text ends in incomplete UTF-8, so on a generated model its first
        // chunk can come a step or more after its first token. Its final chunk's timings say how long it generated after
        // the first token (predicted_ms: from the prompt's last batch to the last token), which places the first token.
        if (double.IsFinite(generating) && generated == tokens)
        {
            var placed = timingsAt - generating;
            first = double.IsFinite(first) ? Math.Min(first, placed) : placed;
        }
        return new ServeRequestResult(error, tokens, first, chunks == tokens ? gaps : [], prompt)
        {
            TimePerTokenMs = tokens > 1 && double.IsFinite(first) ? (finished - first) / (tokens - 1) : double.NaN,
        };
    }

    private static JsonElement? FirstChoice(JsonElement chunk) =>
        chunk.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0 ? choices[0] : null;

    private static bool HasText(JsonElement choice) =>
        choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object
        && delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String && content.GetString()!.Length > 0;

    // The answer's opening chunk (role "assistant"): both servers send it once the first token is generated (llama-server
    // with its text, ours just before it), never before.
    private static bool HasRole(JsonElement choice) =>
        choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object
        && delta.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String;
}
