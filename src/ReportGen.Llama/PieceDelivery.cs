namespace ReportGen.Llama;

/// <summary>
/// Hands streamed pieces and completions from the scheduler thread to their readers on one dedicated thread.
/// Why not the thread pool: with every core given to llama.cpp, a pool worker woken per token keeps spinning for
/// work after the consumer's few microseconds, on the core where llama_decode's newly started ggml worker must run,
/// so the decode step stalls at its first barrier until the spin ends or the scheduler tick preempts it.
/// This thread blocks without spinning as soon as its queue is empty, and is woken at most once per batch of items
/// and only for requests someone is streaming (the others are delivered with the next wake-up).
/// Consumers' continuations run inline here (the channel allows synchronous continuations), so they must not
/// block synchronously on another generation.
/// </summary>
internal sealed class PieceDelivery : IDisposable
{
    private readonly object _gate = new();
    private Queue<Item> _queue = new();
    private Queue<Item> _draining = new();
    private readonly Thread _thread;
    private bool _waiting, _stopping;

    public PieceDelivery(string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Whether the caller is the delivery thread (which must not wait for itself).</summary>
    public bool IsDeliveryThread => Thread.CurrentThread == _thread;

    public void Piece(SequenceRequest request, string piece) => Post(new Item(request, piece, null, null, Completes: false));

    public void Succeed(SequenceRequest request, GenerationResult result) => Post(new Item(request, null, result, null, Completes: true));

    public void Fail(SequenceRequest request, Exception error) => Post(new Item(request, null, null, error, Completes: true));

    /// <summary>Delivers what is queued now (a reader has just started streaming).</summary>
    public void Wake()
    {
        lock (_gate)
        {
            if (_waiting && _queue.Count > 0) Monitor.Pulse(_gate);
        }
    }

    private void Post(Item item)
    {
        lock (_gate)
        {
            _queue.Enqueue(item);
            // Only wake for items a reader is waiting for: pieces of a generation nobody streams can wait.
            if (_waiting && (item.Completes || item.Request.Streaming)) Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        while (true)
        {
            lock (_gate)
            {
                while (_queue.Count == 0)
                {
                    if (_stopping) return;
                    _waiting = true;
                    Monitor.Wait(_gate);
                    _waiting = false;
                }
                (_queue, _draining) = (_draining, _queue);
            }
            while (_draining.TryDequeue(out var item))
            {
                try
                {
                    if (item.Piece is { } piece) item.Request.Write(piece);
                    else if (item.Result is { } result) item.Request.Succeed(result);
                    else item.Request.Fail(item.Error!);
                }
                catch
                {
                    // A consumer's continuation runs inline and its exceptions go to its own task; nothing
                    // that escapes here may stop delivery to the other requests.
                }
            }
        }
    }

    /// <summary>Delivers everything queued, then stops the thread.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        if (!IsDeliveryThread) _thread.Join();
    }

    private readonly record struct Item(SequenceRequest Request, string? Piece, GenerationResult? Result, Exception? Error, bool Completes);
}
