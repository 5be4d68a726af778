using ReportGen.Api.Problems;
using ReportGen.Pipelines.Remote;

namespace ReportGen.Api.Hosting;

/// <summary>
/// The one place a remote inference engine's failure becomes an HTTP problem (asked by <see cref="ModelProblemMapper"/>,
/// so endpoints, judges and the OpenAI-shaped routes all answer alike): the engine's
/// 400 is ours in its words (422 for its other 4xx), its 429/503 our 503 with its Retry-After, silence 504, and a
/// refused connection, a 5xx or a broken stream 502. The client has already logged and counted it.
/// </summary>
public static class UpstreamProblems
{
    /// <summary>Retry-After when the engine said 429/503 without one.</summary>
    public const int DefaultRetryAfterSeconds = 2;

    /// <summary>The problem for a remote engine's failure.</summary>
    public static MappedProblem Map(UpstreamEngineException failure) => failure switch
    {
        UpstreamRejectedException { ContextExceeded: true } r =>
            new(StatusCodes.Status400BadRequest, "Input does not fit the model", r.Message, "messages", r.Code),
        UpstreamRejectedException { UpstreamStatus: StatusCodes.Status400BadRequest } r =>
            new(StatusCodes.Status400BadRequest, "Rejected by the inference engine", r.Message, "messages", r.Code),
        UpstreamRejectedException r =>
            new(StatusCodes.Status422UnprocessableEntity, "Rejected by the inference engine", $"{r.Message} ({r.UpstreamStatus} from {r.Endpoint})",
                r.UpstreamStatus == StatusCodes.Status404NotFound ? "model" : null, r.Code),
        UpstreamBusyException b =>
            new(StatusCodes.Status503ServiceUnavailable, "Inference engine busy", b.Message, "model", b.Code,
                RetryAfterSeconds: b.RetryAfter is { } after ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : DefaultRetryAfterSeconds),
        UpstreamTimeoutException t =>
            new(StatusCodes.Status504GatewayTimeout, "Inference engine timed out", t.Message, "model", t.Code),
        _ => new(StatusCodes.Status502BadGateway, "Inference engine unavailable", failure.Message, "model", failure.Code),
    };
}
