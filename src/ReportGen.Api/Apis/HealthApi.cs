using Microsoft.AspNetCore.Http.HttpResults;
using ReportGen.Api.Hosting;

namespace ReportGen.Api.Apis;

/// <summary>Liveness and readiness probes.</summary>
public static class HealthApi
{
    /// <summary>Maps <c>/health/live</c> and <c>/health/ready</c>.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", () => TypedResults.Ok(new HealthStatus("live", null))).WithName("getLiveness")
            .WithSummary("Liveness probe: 200 while the process answers");
        group.MapGet("/ready", Ready).WithName("getReadiness")
            .WithSummary("Readiness probe: 200 when every configured model is loaded, else 503 listing what is not");
        return app;
    }

    /// <summary>200 when every configured model is loaded, else 503 listing what is not.</summary>
    public static Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>> Ready(ServiceReadiness readiness)
    {
        var status = new HealthStatus(readiness.IsReady ? "ready" : "not_ready", readiness.Components);
        return readiness.IsReady ? TypedResults.Ok(status) : TypedResults.Json(status, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

/// <summary>A probe's answer.</summary>
/// <param name="Status">live, ready or not_ready.</param>
/// <param name="Components">Each model or component's state.</param>
public sealed record HealthStatus(string Status, IReadOnlyDictionary<string, ComponentState>? Components);
