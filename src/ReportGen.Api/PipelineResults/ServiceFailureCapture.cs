using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.AI;
using ReportGen.Api.Hosting;

namespace ReportGen.Api.PipelineResults;

/// <summary>
/// Wraps the hosted chat client for pipelines that turn a failed model call into a result (the judges report
/// "unparseable", right for an eval run). Over HTTP a full queue must stay a 503 with Retry-After and a prompt the
/// model rejects a 400, so this wrapper remembers the first such failure, fails every later call at once (no more
/// queueing for a request that is already lost) and lets the endpoint rethrow it.
/// </summary>
/// <param name="inner">The hosted client.</param>
public sealed class ServiceFailureCapture(IChatClient inner) : DelegatingChatClient(inner)
{
    private static readonly LlmProblemMapper Mapper = new();
    private ExceptionDispatchInfo? _failure;

    /// <summary>The first admission or input failure seen, if any.</summary>
    public Exception? Failure => _failure?.SourceException;

    /// <summary>Rethrows the captured failure (with its original stack), if there is one.</summary>
    public void ThrowIfFailed() => _failure?.Throw();

    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfFailed();
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Capture(ex))
        {
            throw;
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfFailed();
        await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await updates.MoveNextAsync().ConfigureAwait(false)) yield break;
            }
            catch (Exception ex) when (Capture(ex))
            {
                throw;
            }
            yield return updates.Current;
        }
    }

    // Always false: the filter only records, the exception goes on to the pipeline unchanged.
    private bool Capture(Exception exception)
    {
        if (_failure is null && Mapper.TryMap(exception) is not null) Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(exception), null);
        return false;
    }
}
