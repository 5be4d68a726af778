using ReportGen.Api.Telemetry;

namespace ReportGen.Api.Apis;

/// <summary>Prometheus scrape endpoint.</summary>
public static class MetricsApi
{
    /// <summary>Maps <c>GET /metrics</c>.</summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", (PrometheusExporter exporter) => TypedResults.Text(exporter.Scrape(), "text/plain; version=0.0.4; charset=utf-8"))
            .WithTags("Health").WithName("getMetrics")
            .WithSummary("Prometheus metrics in the text exposition format (no API key needed)")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");
        return app;
    }
}
