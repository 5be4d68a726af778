using System.Diagnostics;

namespace ReportGen.Api.Telemetry;

/// <summary>Counts every request by route template and status, and times it.</summary>
public sealed class RequestMetrics(RequestDelegate next, ReportGenMetrics metrics)
{
    /// <summary>Measures the request.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            // The route template, never the raw path: paths may carry ids, never free text.
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            metrics.Request(route, context.Response.StatusCode, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }
}
