using ReportGen.Llama;

namespace ReportGen.Api.Hosting;

/// <summary>
/// Counts each POST request into the <see cref="ArrivalGauge"/> that the LLM scheduler reads, from its arrival to its answer,
/// so the scheduler's admission wait runs only while another request may be on its way (a lone request starts at once).
/// GETs (health, metrics, models, job status) never reach the model and are not counted. Connections are counted by
/// <see cref="CountConnections"/> on Kestrel's connection pipeline.
/// </summary>
internal sealed class ArrivalCounting(RequestDelegate next, ArrivalGauge gauge)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await next(context);
            return;
        }
        using var arrival = gauge.EnterRequest();
        await next(context);
    }
}

/// <summary>
/// Kestrel connection middleware: counts each client connection into the <see cref="ArrivalGauge"/> from accept to close, so
/// a burst whose later requests are still opening their connections when the first reaches the scheduler is waited for.
/// </summary>
internal static class CountConnections
{
    public static void Use(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen, ArrivalGauge gauge) =>
        listen.Use(next => async connection =>
        {
            using var open = gauge.EnterConnection();
            await next(connection);
        });
}
