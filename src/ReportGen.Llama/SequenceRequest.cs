using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using ReportGen.Core.Imaging;
using ReportGen.Llama.Native;

namespace ReportGen.Llama;

/// <summary>
/// One submitted generation: its text pieces as they are produced and its final result. Cancelling the token
/// given to <see cref="SequenceScheduler.Submit"/> (or calling <see cref="Cancel"/>) frees its sequence at the next step.
/// </summary>
public sealed class SequenceRequest
{
    // Written only by the scheduler's delivery thread, so the reader's continuation may run inline there
    // instead of waking a thread-pool worker per piece (see PieceDelivery).
    private readonly Channel<string> _pieces = Channel.CreateUnbounded<string>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
    private readonly TaskCompletionSource<GenerationResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action _onCancel;
    private readonly PieceDelivery _delivery;

    internal SequenceRequest(int promptTokens, int maxTokens, Action onCancel, PieceDelivery delivery)
    {
        PromptTokens = promptTokens;
        MaxTokens = maxTokens;
        _onCancel = onCancel;
        _delivery = delivery;
    }

    /// <summary>Positions the prompt takes.</summary>
    public int PromptTokens { get; }

    /// <summary>The token limit after clamping to the context.</summary>
    public int MaxTokens { get; }

    /// <summary>Leading prompt tokens whose KV was reused from a previous request instead of being decoded (set at admission).</summary>
    public int CachedPromptTokens { get; internal set; }

    /// <summary>When the scheduler admitted it to a sequence (a <see cref="System.Diagnostics.Stopwatch"/> timestamp; 0 before): the end of its wait in the queue.</summary>
    public long AdmittedAt { get; internal set; }

    /// <summary>When its first token was sampled (a <see cref="System.Diagnostics.Stopwatch"/> timestamp; 0 before): the end of its prefill.</summary>
    public long FirstTokenAt { get; internal set; }

    /// <summary>Completes with the result; faults or is cancelled with the generation.</summary>
    public Task<GenerationResult> Completion => _completion.Task;

    internal CancellationToken CancellationToken { get; set; }
    internal volatile bool CancelRequested;
    /// <summary>Someone reads the pieces: the delivery thread is woken for them (read under the delivery lock).</summary>
    internal volatile bool Streaming;

    /// <summary>The text pieces, in order; ends when generation ends and throws what it throws.</summary>
    public async IAsyncEnumerable<string> ReadPiecesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Streaming)
        {
            Streaming = true;
            _delivery.Wake(); // pieces queued before anyone streamed
        }
        await foreach (var piece in _pieces.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            // Buffered pieces are not handed out after cancellation.
            cancellationToken.ThrowIfCancellationRequested();
            yield return piece;
        }
    }

    /// <summary>Stops the generation; its sequence is freed at the scheduler's next step.</summary>
    public void Cancel()
    {
        CancelRequested = true;
        _onCancel();
    }

    /// <summary>Scheduler thread: queues a piece for delivery.</summary>
    internal void Post(string piece) => _delivery.Piece(this, piece);

    /// <summary>Scheduler thread: queues the successful end (after the pieces already queued).</summary>
    internal void PostSuccess(GenerationResult result) => _delivery.Succeed(this, result);

    /// <summary>Scheduler thread: queues the failure or cancellation (after the pieces already queued).</summary>
    internal void PostFailure(Exception error) => _delivery.Fail(this, error);

    // Delivery thread only.
    internal void Write(string piece) => _pieces.Writer.TryWrite(piece);

    internal void Succeed(GenerationResult result)
    {
        _pieces.Writer.TryComplete();
        _completion.TrySetResult(result);
    }

    internal void Fail(Exception ex)
    {
        if (ex is OperationCanceledException oce)
        {
            _pieces.Writer.TryComplete(oce);
            _completion.TrySetCanceled(oce.CancellationToken);
        }
        else
        {
            _pieces.Writer.TryComplete(ex);
            _completion.TrySetException(ex);
        }
    }
}

/// <summary>The scheduler's per-sequence state (touched only by the scheduler loop after admission).</summary>
internal sealed class SequenceWork(SequenceRequest request, List<object> segments, int reservation, SafeLlamaSamplerHandle sampler, IReadOnlyList<string> stops)
{
    public SequenceRequest Request { get; } = request;
    public List<object> Segments { get; } = segments; // int[] tokens or EmbeddingPart
    public int Reservation { get; } = reservation;
    public SafeLlamaSamplerHandle Sampler { get; } = sampler;
    public Utf8PieceDecoder Decoder { get; } = new();
    public StopSequenceMatcher Stops { get; } = new(stops);
    public StringBuilder Text { get; } = new();
    public int SegmentIndex;
    public int Offset;
    public int SequenceId = -1;
    /// <summary>Holds a sequence (set and cleared under the scheduler's lock; read by the scheduler thread).</summary>
    public bool Active;
    public int Position;
    /// <summary>Position of the first row of the embedding block being decoded (its end is this + the block's positions).</summary>
    public int BlockStart;
    public int Generated;
    public int LastToken;
    /// <summary>The prompt's tokens before its first embedding block, for prefix reuse; null when reuse is off.</summary>
    public int[]? PrefixTokens { get; init; }
    /// <summary>An earlier request decoding this prompt's first <see cref="AwaitedTokens"/> tokens, which this one waits for.</summary>
    public SequenceWork? Awaited;
    public int AwaitedTokens;
    public List<int> Tokens { get; } = new(Math.Min(reservation, 256));
    public CancellationTokenRegistration Registration;

    public bool Prefilling => SegmentIndex < Segments.Count;
    public bool IsLastSegment => SegmentIndex == Segments.Count - 1;
    public EmbeddingPart? CurrentEmbeddings => Prefilling ? Segments[SegmentIndex] as EmbeddingPart : null;
    public int[]? CurrentTokens => Prefilling ? Segments[SegmentIndex] as int[] : null;

    public void Emit(string text)
    {
        if (text.Length == 0) return;
        Text.Append(text);
        Request.Post(text);
    }
}
