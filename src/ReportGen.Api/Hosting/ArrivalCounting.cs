using Microsoft.AspNetCore.Connections.Features;
using ReportGen.Llama;

namespace ReportGen.Api.Hosting;

/// <summary>
/// Counts each POST request into the <see cref="ArrivalGauge"/> that the LLM scheduler reads, from its arrival to its answer,
/// so the scheduler's admission wait runs only while another request may be on its way (a lone request starts at once).
/// GETs (health, metrics, models, job status) never reach the model and are not counted. New connections are counted by
/// <see cref="CountConnections"/> on Kestrel's connection pipeline until their first request gets here.
/// </summary>
internal sealed class ArrivalCounting(RequestDelegate next, ArrivalGauge gauge)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var connection = context.Features.Get<IConnectionItemsFeature>()?.Items is { } items
            && items.TryGetValue(typeof(NewConnection), out var value) ? value as NewConnection : null;
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            connection?.Arrived();
            await next(context);
            return;
        }
        // The request is counted before its connection stops counting, so the gauge never shows nobody coming in between.
        using var arrival = gauge.EnterRequest();
        connection?.Arrived();
        await next(context);
    }
}

/// <summary>A connection's count in the <see cref="ArrivalGauge"/>, ended once: by its first request or by its close.</summary>
internal sealed class NewConnection(ArrivalGauge.Scope scope)
{
    private int _arrived;

    public void Arrived()
    {
        if (Interlocked.Exchange(ref _arrived, 1) == 0) scope.Dispose();
    }
}

/// <summary>
/// Kestrel connection middleware: counts each client connection into the <see cref="ArrivalGauge"/> from accept until its
/// first request reaches <see cref="ArrivalCounting"/> (or it closes), so a burst whose later requests are still opening
/// their connections when the first reaches the scheduler is waited for, while idle kept-alive connections (a browser's
/// or an SDK's pool) make no lone request wait.
/// </summary>
internal static class CountConnections
{
    public static void Use(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen, ArrivalGauge gauge) =>
        listen.Use(next => async connection =>
        {
            var arrival = new NewConnection(gauge.EnterConnection());
            connection.Items[typeof(NewConnection)] = arrival;
            try
            {
                await next(connection);
            }
            finally
            {
                arrival.Arrived();
            }
        });
}
