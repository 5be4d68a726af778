using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ReportGen.Api.Hosting;

/// <summary>
/// The <see cref="IChatClient"/> pipelines see: waits for the hosted model (a few seconds at start-up at most),
/// then forwards. Registered only when a model is configured.
/// </summary>
public sealed class HostedChatClient(LlmHost host) : IChatClient
{
    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await (await Resolve(cancellationToken)).GetResponseAsync(messages, options, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var client = await Resolve(cancellationToken);
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken)) yield return update;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(LlmHost) ? host : serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose() { }

    private Task<IChatClient> Resolve(CancellationToken cancellationToken) => host.WaitForClientAsync(cancellationToken);
}
