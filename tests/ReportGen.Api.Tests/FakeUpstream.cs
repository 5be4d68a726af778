using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReportGen.Api.Tests;

/// <summary>
/// A tiny OpenAI-compatible upstream on a free loopback port, for the faults a real engine cannot be made to show on
/// cue (an exact 400 or 503, a slow answer, a stream that dies): <paramref name="handle"/> answers every request.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeUpstream(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Requests seen, as "METHOD /path".</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Seen { get; } = new();

    /// <summary>Bodies of the chat requests seen.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> ChatBodies { get; } = new();

    public static async Task<FakeUpstream> StartAsync(Func<HttpContext, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeUpstream? self = null;
        app.Run(async context =>
        {
            self!.Seen.Enqueue($"{context.Request.Method} {context.Request.Path}");
            if (context.Request.Path == "/v1/chat/completions")
            {
                context.Request.EnableBuffering();
                self.ChatBodies.Enqueue(await new StreamReader(context.Request.Body).ReadToEndAsync());
                context.Request.Body.Position = 0;
            }
            await handle(context);
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new FakeUpstream(app, url);
        return self;
    }

    /// <summary>Writes one SSE event.</summary>
    public static async Task SendEventAsync(HttpContext context, string data)
    {
        await context.Response.WriteAsync("data: " + data + "\n\n");
        await context.Response.Body.FlushAsync();
    }

    /// <summary>A streamed chat chunk carrying <paramref name="text"/>.</summary>
    public static string Chunk(string text, string? finish = null) =>
        System.Text.Json.JsonSerializer.Serialize(new
        {
            id = "chatcmpl-fake", @object = "chat.completion.chunk", created = 1, model = "fake",
            choices = new[] { new { index = 0, delta = new { content = text }, finish_reason = finish } },
        });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
