using ReportGen.Core.Models;

namespace ReportGen.Pipelines.Remote;

/// <summary>
/// A remote inference engine (llama-server, vLLM, another OpenAI-compatible server) did not answer a chat request.
/// The subclasses say whose fault it is, so the API can answer 400/422 (the request), 503 (busy), 504 (too slow) or
/// 502 (the engine is down or broke) instead of 500. Messages name the endpoint and quote the engine's own words,
/// never the prompt.
/// </summary>
public abstract class UpstreamEngineException : ModelCallException
{
    /// <summary>Creates the exception.</summary>
    protected UpstreamEngineException(string endpoint, string code, string message, Exception? inner = null) : base(message, inner)
    {
        Endpoint = endpoint;
        Code = code;
    }

    /// <summary>The endpoint's base URL.</summary>
    public string Endpoint { get; }

    /// <summary>A machine-readable kind: <c>upstream_rejected</c>, <c>context_exceeded</c>, <c>upstream_busy</c>,
    /// <c>upstream_timeout</c> or <c>upstream_unreachable</c> (a metric label and the problem's code).</summary>
    public string Code { get; }
}

/// <summary>The engine refused the request itself (a 4xx other than 429, or a prompt longer than its context).</summary>
public sealed class UpstreamRejectedException : UpstreamEngineException
{
    /// <summary>Creates the exception; <paramref name="upstreamMessage"/> is the engine's error message.</summary>
    public UpstreamRejectedException(string endpoint, int upstreamStatus, string upstreamMessage, bool contextExceeded)
        : base(endpoint, contextExceeded ? "context_exceeded" : "upstream_rejected", upstreamMessage)
    {
        UpstreamStatus = upstreamStatus;
        ContextExceeded = contextExceeded;
    }

    /// <summary>The engine's HTTP status (400 when we refused before sending because the prompt does not fit).</summary>
    public int UpstreamStatus { get; }

    /// <summary>True when the prompt does not fit the engine's context.</summary>
    public bool ContextExceeded { get; }

    /// <summary>The input is at fault: the caller hears it (400/422), a judge does not turn it into "failed".</summary>
    public override bool IsFailedCall => false;
}

/// <summary>The engine is overloaded or not ready (429 or 503, after the retries a 503 allows).</summary>
public sealed class UpstreamBusyException(string endpoint, int upstreamStatus, TimeSpan? retryAfter, string message)
    : UpstreamEngineException(endpoint, "upstream_busy", message)
{
    /// <summary>The engine's HTTP status.</summary>
    public int UpstreamStatus { get; } = upstreamStatus;

    /// <summary>The engine's Retry-After, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Busy means "retry": the caller hears 503, as for our own full queue.</summary>
    public override bool IsFailedCall => false;
}

/// <summary>The engine did not answer (or stopped streaming) within the configured time.</summary>
public sealed class UpstreamTimeoutException(string endpoint, TimeSpan timeout)
    : UpstreamEngineException(endpoint, "upstream_timeout", $"the inference engine at {endpoint} sent nothing for {timeout.TotalSeconds:0.#} s")
{
    /// <summary>The idle time allowed.</summary>
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>The engine could not be reached, failed (5xx), refused our credentials or broke a stream.</summary>
public sealed class UpstreamUnreachableException(string endpoint, string message, Exception? inner = null)
    : UpstreamEngineException(endpoint, "upstream_unreachable", message, inner);
