using Microsoft.Extensions.AI;

namespace ReportGen.TestSupport;

/// <summary>
/// A chat client that answers every request with fixed text and remembers the last request: the only way to produce
/// malformed model output on demand, and to see the prompt and options a pipeline sends.
/// </summary>
public sealed class CannedChatClient(string answer) : IChatClient
{
    /// <summary>The messages of the last request.</summary>
    public List<ChatMessage> LastMessages { get; } = [];

    /// <summary>The options of the last request.</summary>
    public ChatOptions? LastOptions { get; private set; }

    /// <summary>The texts of the last request's messages, one per line.</summary>
    public string LastPrompt => string.Join("\n", LastMessages.Select(m => m.Text));

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        LastOptions = options;
        LastMessages.Clear();
        LastMessages.AddRange(messages);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)));
    }

    /// <inheritdoc />
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    /// <inheritdoc />
    public void Dispose() { }
}

/// <summary>
/// A chat client whose every call fails: with <paramref name="failure"/>, or by default as a server that cannot be reached
/// (<see cref="HttpRequestException"/> "connection refused").
/// </summary>
public sealed class ThrowingChatClient(Exception? failure = null) : IChatClient
{
    private readonly Exception _failure = failure ?? new HttpRequestException("connection refused");

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw _failure;

    /// <inheritdoc />
    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw _failure;

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    /// <inheritdoc />
    public void Dispose() { }
}
