using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace ReportGen.Pipelines.Remote;

/// <summary>How the service talks to its remote inference engines.</summary>
public sealed record RemoteEngineOptions
{
    /// <summary>Longest wait for response headers, and for each streamed chunk after them (a slow engine is a 504).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How often every endpoint's health is probed (an endpoint out of rotation comes back on its first good probe).</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Extra attempts for failures that are safe to repeat: a refused connection, or a 503 before any token.</summary>
    public int Retries { get; init; } = 2;

    /// <summary>First retry's backoff; each retry doubles it, with ±50 % jitter so replicas are not hit in lock-step.</summary>
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Bearer token sent to every endpoint.</summary>
    public string? ApiKey { get; init; }
}

/// <summary>
/// The replicas behind <c>ReportGen:Llm:RemoteUrl</c>: picks the healthy one holding the fewest requests, takes one out
/// of rotation when it refuses connections or fails its probe, and probes every endpoint in the background so it comes
/// back. Counted at <c>/metrics</c> on the meter <c>ReportGen.Remote</c>.
/// </summary>
public sealed partial class RemoteEnginePool : IAsyncDisposable
{
    /// <summary>The meter's name (under the prefix the API's exporter listens to).</summary>
    public const string MeterName = "ReportGen.Remote";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("reportgen_upstream_requests", description: "Chat requests sent to a remote engine, by endpoint");
    private static readonly Counter<long> Errors = Meter.CreateCounter<long>("reportgen_upstream_errors", description: "Failed remote engine calls, by endpoint and kind");
    private static readonly Counter<long> RetriesCounter = Meter.CreateCounter<long>("reportgen_upstream_retries", description: "Remote calls repeated on a failure safe to repeat, by endpoint and reason");
    private static readonly UpDownCounter<long> OutstandingGauge = Meter.CreateUpDownCounter<long>("reportgen_upstream_outstanding", description: "Requests an endpoint holds now");
    private static readonly UpDownCounter<long> HealthyGauge = Meter.CreateUpDownCounter<long>("reportgen_upstream_healthy", description: "1 while an endpoint is in rotation");

    private readonly RemoteEndpoint[] _endpoints;
    private readonly CancellationTokenSource _stopping = new();
    private readonly bool _ownsHttp;
    private readonly ILogger? _logger;
    private int _next;
    private int _disposed;
    private Task? _probing;

    /// <summary>Creates the pool. <paramref name="urls"/> are server roots; <paramref name="http"/> (optional) carries shared headers.</summary>
    public RemoteEnginePool(IEnumerable<string> urls, RemoteEngineOptions? options = null, HttpClient? http = null, ILogger? logger = null)
    {
        Options = options ?? new RemoteEngineOptions();
        _endpoints = [.. urls.Select(u => new RemoteEndpoint(u))];
        if (_endpoints.Length == 0) throw new ArgumentException("at least one remote endpoint is needed", nameof(urls));
        _ownsHttp = http is null;
        // Every request brings its own deadline (Options.Timeout, reset per streamed chunk), so the client has none.
        Http = http ?? new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        if (Options.ApiKey is { } key) Http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        _logger = logger;
        foreach (var e in _endpoints) HealthyGauge.Add(1, Tag(e));
    }

    /// <summary>Parses <c>RemoteUrl</c>: one URL or several separated by commas, semicolons or spaces.</summary>
    public static IReadOnlyList<string> ParseUrls(string value) =>
        value.Split([',', ';', ' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The settings.</summary>
    public RemoteEngineOptions Options { get; }

    /// <summary>The endpoints, in configuration order.</summary>
    public IReadOnlyList<RemoteEndpoint> Endpoints => _endpoints;

    internal HttpClient Http { get; }

    /// <summary>
    /// Asks every endpoint what it serves (in parallel, within <paramref name="wait"/>); one that does not answer is
    /// out of rotation until a probe succeeds. Then starts the background health probes.
    /// </summary>
    public async Task StartAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        await Task.WhenAll(_endpoints.Select(e => DiscoverAsync(e, wait, cancellationToken))).ConfigureAwait(false);
        _probing ??= Task.Run(ProbeLoopAsync, CancellationToken.None);
    }

    /// <summary>
    /// Whether <paramref name="endpoint"/>'s model takes images (llama-server's <c>/props</c> <c>modalities.vision</c>),
    /// asked within 10 s with the pool's client and key; null when the engine does not say.
    /// </summary>
    public async Task<bool?> SeesImagesAsync(RemoteEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            return await endpoint.SeesImagesAsync(Http, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null; // no answer within the 10 s
        }
    }

    /// <summary>Probes every endpoint once now (what the background loop does each interval).</summary>
    public Task ProbeAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_endpoints.Select(e => ProbeAsync(e, cancellationToken)));

    /// <summary>
    /// The endpoint to send the next request to: the healthy one with the fewest outstanding requests (ties go round
    /// robin), skipping <paramref name="tried"/> while others remain; when none is healthy every endpoint is a candidate
    /// (a probe may simply not have run yet). The lease counts the request until disposed.
    /// </summary>
    internal Lease Acquire(IReadOnlyCollection<RemoteEndpoint> tried)
    {
        var candidates = _endpoints.Where(e => e.Healthy && !tried.Contains(e)).ToArray();
        if (candidates.Length == 0) candidates = [.. _endpoints.Where(e => !tried.Contains(e))];
        if (candidates.Length == 0) candidates = _endpoints;
        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)candidates.Length);
        var best = candidates[start];
        for (var i = 1; i < candidates.Length; i++)
        {
            var c = candidates[(start + i) % candidates.Length];
            if (c.Outstanding < best.Outstanding) best = c;
        }
        best.Enter();
        OutstandingGauge.Add(1, Tag(best));
        Requests.Add(1, Tag(best));
        return new Lease(best);
    }

    /// <summary>Counts and logs a failed call (type and message only: messages are built never to hold report text).</summary>
    internal void Failed(UpstreamEngineException failure)
    {
        Errors.Add(1, new KeyValuePair<string, object?>("endpoint", failure.Endpoint), new KeyValuePair<string, object?>("kind", failure.Code));
        if (_logger is not null) LogFailure(_logger, failure.Endpoint, failure.GetType().Name, failure.Code, failure.Message);
    }

    /// <summary>Counts a repeated attempt.</summary>
    internal static void Retried(RemoteEndpoint endpoint, string reason) =>
        RetriesCounter.Add(1, Tag(endpoint), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Takes an endpoint out of rotation (a refused connection); the probes bring it back.</summary>
    internal void TakeOut(RemoteEndpoint endpoint, string reason)
    {
        if (!endpoint.SetHealthy(false, reason)) return;
        HealthyGauge.Add(-1, Tag(endpoint));
        if (_logger is not null) LogOut(_logger, endpoint.Name, reason);
    }

    private void PutBack(RemoteEndpoint endpoint)
    {
        if (!endpoint.SetHealthy(true, null)) return;
        HealthyGauge.Add(1, Tag(endpoint));
        if (_logger is not null) LogBack(_logger, endpoint.Name);
    }

    private async Task DiscoverAsync(RemoteEndpoint endpoint, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(wait);
        try
        {
            var info = await endpoint.DiscoverAsync(Http, deadline.Token).ConfigureAwait(false);
            PutBack(endpoint);
            if (_logger is not null) LogDiscovered(_logger, endpoint.Name, info.Kind, info.Model ?? "?", info.ContextSize);
        }
        catch (Exception ex) when (ex is HttpRequestException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            TakeOut(endpoint, ex is OperationCanceledException ? $"no answer within {wait.TotalSeconds:0} s" : ex.Message);
        }
    }

    private async Task ProbeAsync(RemoteEndpoint endpoint, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Options.Timeout < TimeSpan.FromSeconds(5) ? Options.Timeout : TimeSpan.FromSeconds(5));
        // An endpoint that was down at start-up is asked what it serves when it first comes up.
        if (endpoint.Info.Kind == RemoteEngineKind.Unknown)
        {
            await DiscoverAsync(endpoint, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            if (endpoint.Info.Kind == RemoteEngineKind.Unknown) return;
        }
        var error = await endpoint.ProbeAsync(Http, deadline.Token).ConfigureAwait(false);
        if (error is null) PutBack(endpoint);
        else TakeOut(endpoint, error);
    }

    private async Task ProbeLoopAsync()
    {
        using var timer = new PeriodicTimer(Options.HealthInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
                await ProbeAllAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // disposed
        }
    }

    private static KeyValuePair<string, object?> Tag(RemoteEndpoint endpoint) => new("endpoint", endpoint.Name);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_probing is not null) await _probing.ConfigureAwait(false);
        foreach (var e in _endpoints.Where(e => e.Healthy)) HealthyGauge.Add(-1, Tag(e));
        if (_ownsHttp) Http.Dispose();
        _stopping.Dispose();
    }

    /// <summary>One request's hold on an endpoint.</summary>
    internal sealed class Lease(RemoteEndpoint endpoint) : IDisposable
    {
        private int _disposed;

        public RemoteEndpoint Endpoint { get; } = endpoint;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            Endpoint.Leave();
            OutstandingGauge.Add(-1, Tag(Endpoint));
        }
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning, Message = "Remote engine {Endpoint} failed: {ExceptionType} ({Code}): {ExceptionMessage}")]
    private static partial void LogFailure(ILogger logger, string endpoint, string exceptionType, string code, string exceptionMessage);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Remote engine {Endpoint} taken out of rotation: {Reason}")]
    private static partial void LogOut(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Remote engine {Endpoint} back in rotation")]
    private static partial void LogBack(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "Remote engine {Endpoint}: {Kind} serving {Model}, context {ContextSize} tokens")]
    private static partial void LogDiscovered(ILogger logger, string endpoint, RemoteEngineKind kind, string model, int? contextSize);
}
