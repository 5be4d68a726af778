using System.Net.Http.Json;
using System.Text.Json;

namespace ReportGen.Pipelines.Remote;

/// <summary>Which server software an endpoint runs (decides what constrained output it is sent).</summary>
public enum RemoteEngineKind
{
    /// <summary>Not probed yet, or it answered neither <c>/props</c> nor <c>/v1/models</c>.</summary>
    Unknown,
    /// <summary>llama.cpp's <c>llama-server</c> (<c>/props</c>): GBNF <c>grammar</c> and <c>response_format</c>.</summary>
    LlamaServer,
    /// <summary>vLLM (<c>owned_by: vllm</c> in <c>/v1/models</c>): <c>response_format</c> json_schema.</summary>
    Vllm,
    /// <summary>Another OpenAI-compatible server: <c>response_format</c> json_schema.</summary>
    OpenAi,
}

/// <summary>What an endpoint said about itself at start-up.</summary>
/// <param name="Kind">The server software.</param>
/// <param name="Model">The model it serves (vLLM needs this id in every request).</param>
/// <param name="ContextSize">Tokens a request may hold (llama-server: per slot; vLLM: max_model_len); null when not told.</param>
public sealed record RemoteEngineInfo(RemoteEngineKind Kind, string? Model, int? ContextSize)
{
    /// <summary>Takes a GBNF <c>grammar</c> field (llama-server).</summary>
    public bool SupportsGrammar => Kind == RemoteEngineKind.LlamaServer;

    /// <summary>Can count a chat's tokens before it is sent (llama-server <c>/apply-template</c> + <c>/tokenize</c>, vLLM <c>/tokenize</c>).</summary>
    public bool CanCountTokens => Kind is RemoteEngineKind.LlamaServer or RemoteEngineKind.Vllm && ContextSize is not null;
}

/// <summary>
/// One replica: its base URL, whether it is in rotation, how many requests it holds now and what it serves.
/// Thread-safe; the pool picks, the client leases.
/// </summary>
public sealed class RemoteEndpoint
{
    private int _outstanding;
    private volatile bool _healthy = true;
    private volatile RemoteEngineInfo _info = new(RemoteEngineKind.Unknown, null, null);
    // Counts before the observed token density is trusted, and what the counts showed (guarded by itself).
    private const int LearnedAfter = 4;
    private readonly TokenDensity _density = new();

    /// <summary>Creates an endpoint; <paramref name="baseUrl"/> is the server root (a trailing <c>/v1</c> is accepted and removed).</summary>
    public RemoteEndpoint(string baseUrl)
    {
        var trimmed = baseUrl.Trim().TrimEnd('/');
        if (trimmed.EndsWith("/v1", StringComparison.OrdinalIgnoreCase)) trimmed = trimmed[..^3];
        if (!Uri.TryCreate(trimmed + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"'{baseUrl}' is not an http(s) URL", nameof(baseUrl));
        BaseAddress = uri;
        Name = trimmed;
    }

    /// <summary>The server root, ending in '/'.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The URL as shown in logs, metrics and doctor (no trailing slash).</summary>
    public string Name { get; }

    /// <summary>Requests sent to it and not yet finished.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>In rotation: its last health probe passed and no request has failed to connect since.</summary>
    public bool Healthy => _healthy;

    /// <summary>What it serves (Unknown until probed).</summary>
    public RemoteEngineInfo Info => _info;

    /// <summary>Why it is out of rotation (the last failure), or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>
    /// Whether a chat of <paramref name="bytes"/> (text plus a per-message template allowance) may not fit in
    /// <paramref name="context"/> tokens, so it is worth counting. A token is at least one byte, so below the context in
    /// bytes it always fits. After a few counts the densest tokens-per-byte seen, with a 25 % margin, bounds it more
    /// tightly: a prompt that is far from the limit then costs no extra round trip. One denser still that does not fit
    /// is refused by the engine itself (llama-server and vLLM both answer it with a 400 before any token), mapped alike.
    /// </summary>
    internal bool MayExceed(int bytes, int context)
    {
        lock (_density)
        {
            var perByte = _density.Counts < LearnedAfter ? 1.0 : Math.Min(1.0, _density.MaxTokensPerByte * 1.25);
            return bytes * perByte >= context;
        }
    }

    /// <summary>Records a count the engine made of a chat of <paramref name="bytes"/> (see <see cref="MayExceed"/>).</summary>
    internal void Counted(int bytes, int tokens)
    {
        if (bytes <= 0) return;
        lock (_density)
        {
            _density.Counts++;
            _density.MaxTokensPerByte = Math.Max(_density.MaxTokensPerByte, (double)tokens / bytes);
        }
    }

    internal int Enter() => Interlocked.Increment(ref _outstanding);

    internal int Leave() => Interlocked.Decrement(ref _outstanding);

    /// <summary>Sets the health state; returns true when it changed.</summary>
    internal bool SetHealthy(bool healthy, string? error)
    {
        LastError = healthy ? null : error;
        var was = _healthy;
        _healthy = healthy;
        return was != healthy;
    }

    /// <summary>
    /// Asks the server what it is: llama-server answers <c>/props</c> (its per-slot context); vLLM and others list
    /// their model in <c>/v1/models</c> (vLLM with <c>max_model_len</c>, llama-server with <c>meta.n_ctx</c>).
    /// </summary>
    internal async Task<RemoteEngineInfo> DiscoverAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using (var props = await http.GetAsync(new Uri(BaseAddress, "props"), cancellationToken).ConfigureAwait(false))
        {
            if (props.IsSuccessStatusCode && await ReadJson(props, cancellationToken).ConfigureAwait(false) is { } p
                && p.TryGetProperty("default_generation_settings", out var settings))
            {
                return _info = new RemoteEngineInfo(RemoteEngineKind.LlamaServer, String(p, "model_alias"), Int(settings, "n_ctx"));
            }
        }
        using var models = await http.GetAsync(new Uri(BaseAddress, "v1/models"), cancellationToken).ConfigureAwait(false);
        if (!models.IsSuccessStatusCode) throw new HttpRequestException($"GET /v1/models answered {(int)models.StatusCode}", null, models.StatusCode);
        var list = await ReadJson(models, cancellationToken).ConfigureAwait(false);
        var first = list is { } l && l.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array && data.GetArrayLength() > 0 ? data[0] : (JsonElement?)null;
        if (first is not { } m) return _info = new RemoteEngineInfo(RemoteEngineKind.OpenAi, null, null);
        var owner = String(m, "owned_by");
        return _info = owner switch
        {
            "vllm" => new RemoteEngineInfo(RemoteEngineKind.Vllm, String(m, "id"), Int(m, "max_model_len")),
            "llamacpp" => new RemoteEngineInfo(RemoteEngineKind.LlamaServer, String(m, "id"), m.TryGetProperty("meta", out var meta) ? Int(meta, "n_ctx") : null),
            _ => new RemoteEngineInfo(RemoteEngineKind.OpenAi, String(m, "id"), null),
        };
    }

    /// <summary>
    /// Counts the tokens of a chat as the engine will (its chat template applied), or null when it cannot say.
    /// llama-server: <c>/apply-template</c> then <c>/tokenize</c>; vLLM: <c>/tokenize</c> with the messages.
    /// </summary>
    internal async Task<int?> CountTokensAsync(HttpClient http, System.Text.Json.Nodes.JsonArray messages, CancellationToken cancellationToken)
    {
        switch (Info.Kind)
        {
            case RemoteEngineKind.LlamaServer:
            {
                using var templated = await http.PostAsJsonAsync(new Uri(BaseAddress, "apply-template"), new { messages }, cancellationToken).ConfigureAwait(false);
                if (!templated.IsSuccessStatusCode || await ReadJson(templated, cancellationToken).ConfigureAwait(false) is not { } t || String(t, "prompt") is not { } prompt) return null;
                using var tokens = await http.PostAsJsonAsync(new Uri(BaseAddress, "tokenize"), new { content = prompt, add_special = true }, cancellationToken).ConfigureAwait(false);
                return tokens.IsSuccessStatusCode && await ReadJson(tokens, cancellationToken).ConfigureAwait(false) is { } k
                    && k.TryGetProperty("tokens", out var list) && list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : null;
            }
            case RemoteEngineKind.Vllm:
            {
                using var tokens = await http.PostAsJsonAsync(new Uri(BaseAddress, "tokenize"), new { model = Info.Model, messages }, cancellationToken).ConfigureAwait(false);
                return tokens.IsSuccessStatusCode && await ReadJson(tokens, cancellationToken).ConfigureAwait(false) is { } k ? Int(k, "count") : null;
            }
            default:
                return null;
        }
    }

    /// <summary>
    /// Whether the model takes images, as llama-server's <c>/props</c> says (<c>modalities.vision</c>: false without
    /// <c>--mmproj</c>); null when it does not say or cannot be asked (other engines, a failed request).
    /// </summary>
    internal async Task<bool?> SeesImagesAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(BaseAddress, "props"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode && await ReadJson(response, cancellationToken).ConfigureAwait(false) is { } p
                && p.TryGetProperty("modalities", out var m) && m.ValueKind == JsonValueKind.Object
                && m.TryGetProperty("vision", out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? v.GetBoolean() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>A health probe: llama-server and vLLM answer <c>/health</c> (llama-server 503 while loading); others <c>/v1/models</c>.</summary>
    internal async Task<string?> ProbeAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            var path = Info.Kind == RemoteEngineKind.OpenAi ? "v1/models" : "health";
            using var response = await http.GetAsync(new Uri(BaseAddress, path), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"GET /{path} answered {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            return ex.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "health probe timed out";
        }
    }

    private static async Task<JsonElement?> ReadJson(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;
}

// What an endpoint's token counts have shown: how many, and the most tokens per byte of chat.
internal sealed class TokenDensity
{
    public int Counts { get; set; }

    public double MaxTokensPerByte { get; set; }
}
