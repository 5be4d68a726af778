using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Eval.Reporting;

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
/// <param name="FirstTokenMs">Request sent to first content chunk.</param>
/// <param name="GapsMs">Time between consecutive content chunks.</param>
/// <param name="PromptTokens">The prompt's tokens as the server counted them (usage), or -1.</param>
public sealed record ServeRequestResult(string? Error, int Tokens, double FirstTokenMs, IReadOnlyList<double> GapsMs, int PromptTokens = -1);

/// <summary>One load level against one server.</summary>
public sealed record ServeLoadResult(int Concurrency, int Requests, int Errors, int Tokens, double Seconds, LatencyStats FirstToken, LatencyStats InterToken,
    string? FirstError, double MeanPromptTokens)
{
    /// <summary>Generated tokens of the successful requests per wall-clock second of the whole level.</summary>
    public double TokensPerSecond => Tokens / Seconds;
}

/// <summary>
/// A closed-loop load generator for OpenAI-compatible servers (ours and llama-server): N clients stream
/// <c>/v1/chat/completions</c> at temperature 0 with a fixed <c>max_tokens</c> and <c>ignore_eos</c>, and the client side
/// measures time to first token, the gaps between streamed tokens and aggregate throughput. Written once and pointed
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
            results.FirstOrDefault(r => r.Error is not null)?.Error, ok.Where(r => r.PromptTokens >= 0).Select(r => (double)r.PromptTokens).DefaultIfEmpty(double.NaN).Average());
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

    /// <summary>Sends one streamed request and times its chunks; failures are results, not exceptions.</summary>
    public static async Task<ServeRequestResult> SendAsync(HttpClient http, string body, int expectedTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var gaps = new List<double>(expectedTokens);
        double first = double.NaN, last = 0;
        int chunks = 0, usage = -1, prompt = -1;
        var done = false;
        var sw = Stopwatch.StartNew();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                return new ServeRequestResult($"HTTP {(int)response.StatusCode}: {text[..Math.Min(200, text.Length)]}", 0, double.NaN, []);
            }
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
                var data = line.AsSpan(5).Trim();
                if (data.SequenceEqual("[DONE]")) { done = true; break; }
                var now = sw.Elapsed.TotalMilliseconds;
                using var json = JsonDocument.Parse(data.ToString());
                if (json.RootElement.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object && u.TryGetProperty("completion_tokens", out var ct))
                {
                    usage = ct.GetInt32();
                    if (u.TryGetProperty("prompt_tokens", out var pt)) prompt = pt.GetInt32();
                }
                if (!HasContent(json.RootElement)) continue;
                if (chunks++ == 0) first = now;
                else gaps.Add(now - last);
                last = now;
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            return new ServeRequestResult($"{e.GetType().Name}: {e.Message}", 0, double.NaN, []);
        }
        var tokens = usage >= 0 ? usage : chunks;
        string? error = !done ? "stream ended without [DONE]"
            : tokens != expectedTokens ? $"{tokens} tokens generated, {expectedTokens} asked (ignore_eos not honoured?)"
            : null;
        return new ServeRequestResult(error, tokens, first, gaps, prompt);
    }

    private static bool HasContent(JsonElement chunk) =>
        chunk.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
        && choices[0].TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object
        && delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String && content.GetString()!.Length > 0;
}
