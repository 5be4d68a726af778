using ReportGen.Core.Models;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using ReportGen.Core.Imaging;
using ReportGen.Llama.Native;

namespace ReportGen.Llama;

/// <summary>
/// Continuous batching: many concurrent generations run as separate sequences (seq_id) of ONE context.
/// A dedicated thread steps them: each step puts one token of every generating sequence and the next prompt
/// chunks of prefilling ones (round-robin, so a long prompt cannot starve the others) into one batch and calls
/// <c>llama_decode</c> once; image-embedding blocks (ONNX-projected or encoded by an mmproj through libmtmd) are decoded
/// in their own embedding batch in the same step, a non-causal block (Gemma 3) whole and with causal attention off.
/// Admission is FIFO against a KV budget (prompt + max tokens of every active request ≤ the context size);
/// waiting requests sit in a bounded queue and one beyond it is rejected with <see cref="SchedulerFullException"/>.
/// Cancelled requests free their sequence (<c>llama_memory_seq_rm</c>) at the next step.
/// <para>
/// Prompt-prefix reuse (<see cref="SchedulerOptions.ReusePromptPrefix"/>, as llama-server's <c>cache_prompt</c>): a
/// finished request's sequence keeps its tokens' KV; a new request takes the free sequence whose kept tokens share the
/// longest prefix with its prompt, drops the KV after that prefix and decodes only the rest. When another sequence (free
/// and keeping, or active and past that point of its prompt) holds the longest prefix, the prefix is shared into the new
/// request's sequence with <c>llama_memory_seq_cp</c>: in the unified KV cache that tags the same cells with both sequence
/// ids, with a KV stream per sequence (<see cref="LlamaContextOptions.UnifiedKvCache"/> off) it copies the holder's
/// stream, so a shared instruction is decoded once for all sequences rather than once per sequence; requests that arrive
/// together wait for the first one to decode the instruction they share. Kept KV of free sequences counts against the
/// budget (shared cells once per sequence: an over-estimate, never an overflow) and is dropped, least recently used
/// first, when admitted requests need the room; with a stream per sequence each request fits its own stream
/// (<see cref="SequenceContextSize"/>), so kept KV never has to make room.
/// </para>
/// </summary>
public sealed class SequenceScheduler : IDisposable, IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly LinkedList<SequenceWork> _pending = new();
    private readonly List<SequenceWork> _active = [];
    private readonly List<int> _freeSequences = [];
    // Per sequence, while it is free: the tokens whose KV it still holds at positions 0..n-1 (null: none), and when it was freed.
    private readonly int[]?[] _kept;
    private readonly int[] _keptPrompt; // how many of _kept's tokens were the prompt (the rest were generated)
    private readonly long[] _freedAt;
    private int _keptTokens; // sum of _kept lengths: KV cells held by free sequences
    private long _releases;
    private readonly Queue<Action<LlamaContext>> _loopActions = new();
    private readonly LlamaContext _context;
    private readonly Thread _thread;
    private readonly PieceDelivery _delivery;
    private int _reserved;
    private bool _disposed;
    private long _steps, _decodes, _decoded, _reused, _shared, _admittedByWaiting, _graphsReused;
    private long _generationStepTicks; // the last step that only generated (one token per sequence); loop thread only
    private int _rotation;
    // Per-step scratch, reused so a decode step allocates nothing on the managed heap (scheduler thread only).
    private readonly List<SequenceWork> _order = [];
    private readonly List<(SequenceWork Work, int Index)> _outputs = [];
    private readonly List<SequenceWork> _members = [];
    private byte[] _piece = new byte[64];
    private readonly int[] _sections = new int[MropePositions.Sections];

    /// <summary>Creates the context and starts the scheduler thread.</summary>
    public SequenceScheduler(LlamaModel model, SchedulerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Options = options ?? new SchedulerOptions();
        if (Options.QueueCapacity < 0) throw new ArgumentOutOfRangeException(nameof(options), "QueueCapacity must be >= 0");
        if (!(Options.AdmissionWaitFraction >= 0) || Options.MaxAdmissionWait < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), "AdmissionWaitFraction and MaxAdmissionWait must be >= 0");
        _context = model.CreateContext(Options.Context);
        for (var s = 0; s < _context.SequenceCapacity; s++) _freeSequences.Add(s);
        _kept = new int[]?[_context.SequenceCapacity];
        _keptPrompt = new int[_context.SequenceCapacity];
        _freedAt = new long[_context.SequenceCapacity];
        // Positions must be token indexes and the KV cuttable at any position: not M-RoPE (positions after an image are not
        // token counts), not sliding-window (a kept sequence may have lost the window a new suffix needs), not recurrent.
        ReusesPromptPrefix = Options.ReusePromptPrefix && model.PositionsPerEmbedding == 1
            && LlamaNative.llama_model_n_swa(model.Handle) == 0
            && !LlamaNative.llama_model_is_recurrent(model.Handle) && !LlamaNative.llama_model_is_hybrid(model.Handle);
        SharesPromptPrefix = ReusesPromptPrefix && Options.SharePromptPrefix;
        _delivery = new PieceDelivery(DeliveryThreadName);
        if (Options.Arrivals is { } arrivals) arrivals.Left += Signal;
        _thread = new Thread(Run) { IsBackground = true, Name = ThreadName };
        _thread.Start();
    }

    /// <summary>Name of the scheduler thread (the ggml worker threads it starts inherit it on Linux).</summary>
    public const string ThreadName = "llama-scheduler";

    /// <summary>Name of the thread that hands streamed pieces to their readers (their continuations run on it).</summary>
    public const string DeliveryThreadName = "llama-delivery";

    /// <summary>The loaded model every sequence decodes with (owned by the caller, not disposed here).</summary>
    public LlamaModel Model { get; }
    /// <summary>The options the scheduler was started with (context size, sequences, batch, queue capacity).</summary>
    public SchedulerOptions Options { get; }
    /// <summary>The KV budget in tokens.</summary>
    public int ContextSize => _context.ContextSize;
    /// <summary>Most positions one request may hold (prompt and generated tokens): <see cref="ContextSize"/> with a unified KV
    /// cache, one sequence's stream otherwise.</summary>
    public int SequenceContextSize => _context.SequenceContextSize;

    /// <summary>Whether each sequence has a KV stream of its own (<see cref="LlamaContext.HasSequenceStreams"/>).</summary>
    public bool HasSequenceStreams => _context.HasSequenceStreams;
    /// <summary>Concurrent sequences.</summary>
    public int Sequences => _context.SequenceCapacity;
    /// <summary>Whether prompt prefixes are reused: asked for in the options and possible with this model.</summary>
    public bool ReusesPromptPrefix { get; }
    /// <summary>Whether a prefix held by one sequence is shared into others (<see cref="SchedulerOptions.SharePromptPrefix"/>).</summary>
    public bool SharesPromptPrefix { get; }

    /// <summary>Current load.</summary>
    public SchedulerStats Stats
    {
        get
        {
            lock (_gate) return new(_active.Count, _pending.Count, _reserved, _context.ContextSize,
                Interlocked.Read(ref _steps), Interlocked.Read(ref _decodes), Interlocked.Read(ref _decoded))
            {
                PromptTokensReused = Interlocked.Read(ref _reused), PromptTokensShared = Interlocked.Read(ref _shared), KeptTokens = _keptTokens,
                AdmittedByWaiting = _admittedByWaiting, GraphsReused = Interlocked.Read(ref _graphsReused),
            };
        }
    }

    /// <summary>
    /// Queues a generation. Tokenisation, validation and sampler creation happen here, so bad input fails now.
    /// </summary>
    /// <exception cref="SchedulerFullException">The queue is full.</exception>
    /// <exception cref="ModelInputException">Empty or too long prompt, image embeddings that do not fit the model or its batch.</exception>
    /// <exception cref="ArgumentException">Bad sampling options or grammar.</exception>
    public SequenceRequest Submit(LlamaPrompt prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        options ??= new GenerationOptions();
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (options.MaxTokens < 1) throw new ArgumentException("MaxTokens must be at least 1", nameof(options));

        var segments = new List<object>();
        var promptTokens = 0;
        var first = true;
        foreach (var part in prompt.Parts)
        {
            switch (part)
            {
                case TextPart t:
                    var tokens = Model.Tokenize(t.Text, addSpecial: first && options.AddSpecialTokens, parseSpecial: options.ParseSpecialTokens);
                    if (tokens.Length > 0) { segments.Add(tokens); promptTokens += tokens.Length; }
                    break;
                case TokenPart t:
                    if (t.Tokens.Length > 0) { segments.Add(t.Tokens); promptTokens += t.Tokens.Length; }
                    break;
                case EmbeddingPart e:
                    ValidateEmbeddings(e);
                    if (first && options.AddSpecialTokens && Model.AddsBos && Model.BosToken >= 0)
                    {
                        segments.Add(new[] { Model.BosToken });
                        promptTokens++;
                    }
                    segments.Add(e);
                    promptTokens += e.Embeddings.Tokens;
                    break;
                default:
                    throw new ArgumentException($"unknown prompt part {part?.GetType().Name}", nameof(prompt));
            }
            first = false;
        }
        if (promptTokens == 0) throw new ModelInputException("the prompt is empty");
        if (promptTokens >= SequenceContextSize)
            throw new ModelInputException(_context.HasSequenceStreams
                ? $"the prompt takes {promptTokens} positions but each sequence's context holds {SequenceContextSize} ({ContextSize} split between {Sequences} sequences)"
                    + (Model.TrainContextLength > 0 ? $"; the model was trained on sequences of {Model.TrainContextLength}" : "")
                : $"the prompt takes {promptTokens} positions but the context holds {ContextSize}");
        var maxTokens = Math.Min(options.MaxTokens, SequenceContextSize - promptTokens);

        var sampler = options.Sampling.CreateChain(Model);
        var request = new SequenceRequest(promptTokens, maxTokens, () => Signal(), _delivery);
        var work = new SequenceWork(request, segments, promptTokens + maxTokens, sampler, options.StopSequences)
        {
            PrefixTokens = ReusesPromptPrefix ? LeadingTokens(segments) : null,
        };
        request.CancellationToken = cancellationToken;
        lock (_gate)
        {
            if (_disposed || _pending.Count >= Options.QueueCapacity)
            {
                sampler.Dispose();
                ObjectDisposedException.ThrowIf(_disposed, this);
                throw new SchedulerFullException(Options.QueueCapacity);
            }
            _pending.AddLast(work);
            Monitor.PulseAll(_gate);
        }
        if (cancellationToken.CanBeCanceled) work.Registration = cancellationToken.Register(request.Cancel);
        return request;
    }

    /// <summary>Generates and streams text pieces. Cancelling throws <see cref="OperationCanceledException"/> and frees the sequence.</summary>
    public async IAsyncEnumerable<string> StreamAsync(LlamaPrompt prompt, GenerationOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = Submit(prompt, options, cancellationToken);
        try
        {
            await foreach (var piece in request.ReadPiecesAsync(cancellationToken).ConfigureAwait(false))
                yield return piece;
            await request.Completion.ConfigureAwait(false);
        }
        finally
        {
            // A consumer that stops early must not leave the sequence generating.
            if (!request.Completion.IsCompleted) request.Cancel();
        }
    }

    /// <summary>Generates to the end and returns the text with usage and finish reason.</summary>
    public async Task<GenerationResult> GenerateAsync(LlamaPrompt prompt, GenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = Submit(prompt, options, cancellationToken);
        return await request.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs an action on the scheduler thread (which owns the context) between steps.</summary>
    internal Task<T> InvokeOnLoopAsync<T>(Func<LlamaContext, T> action)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _loopActions.Enqueue(ctx =>
            {
                try { tcs.SetResult(action(ctx)); }
                catch (Exception ex) { tcs.SetException(ex); }
            });
            Monitor.PulseAll(_gate);
        }
        return tcs.Task;
    }

    private void ValidateEmbeddings(EmbeddingPart part)
    {
        var embeddings = part.Embeddings;
        ArgumentNullException.ThrowIfNull(embeddings);
        embeddings.Validate();
        if (part.NonCausal && embeddings.Tokens > _context.BatchSize)
            throw new ModelInputException(
                $"the image takes {embeddings.Tokens} tokens that must be decoded in one batch, but the batch holds {_context.BatchSize} (raise the batch size)");
        if (part.Positions is < 1) throw new ArgumentException("an embedding block must advance at least one position", nameof(part));
        if (part.Mrope is { } mrope && (Model.PositionsPerEmbedding != MropePositions.Sections || mrope.Rows != embeddings.Tokens
                || mrope.FollowsStart.Length != mrope.Offsets.Length || mrope.Offsets.Length % MropePositions.Sections != 0))
            throw new ArgumentException(Model.PositionsPerEmbedding != MropePositions.Sections
                ? $"the image has M-RoPE positions but the model ({Model.Architecture}) does not use M-RoPE"
                : $"the image's M-RoPE positions describe {mrope.Rows} rows but it has {embeddings.Tokens}", nameof(part));
        if (embeddings.Dimension != Model.InputEmbeddingSize)
            throw new ModelInputException(
                $"image embeddings have dimension {embeddings.Dimension} but the model's embedding size is {Model.InputEmbeddingSize} (wrong projector for this LLM?)");
        if (embeddings.Tokens > SequenceContextSize) throw new ModelInputException($"image embeddings have {embeddings.Tokens} rows, more than the context ({SequenceContextSize})");
    }

    private void Signal()
    {
        lock (_gate) Monitor.PulseAll(_gate);
    }

    private void Run()
    {
        using var batch = new NativeBatch(_context.BatchSize);
        NativeBatch? embeddingBatch = null;
        try
        {
            while (true)
            {
                lock (_gate)
                {
                    while (true)
                    {
                        if (_disposed) return;
                        var idle = _active.Count == 0;
                        DropCancelled();
                        Admit();
                        if (idle && _active.Count > 0) WaitForArrivals();
                        ResolveAwaited();
                        while (_loopActions.TryDequeue(out var act)) act(_context);
                        if (_active.Count > 0) break;
                        Monitor.Wait(_gate);
                    }
                }
                try
                {
                    Step(batch, ref embeddingBatch);
                }
                catch (Exception ex)
                {
                    // Never let the loop die: fail what was running and carry on.
                    List<SequenceWork> running;
                    lock (_gate) running = [.. _active];
                    foreach (var w in running) Finish(w, ex);
                }
            }
        }
        finally
        {
            embeddingBatch?.Dispose();
            List<SequenceWork> left;
            lock (_gate)
            {
                left = [.. _active, .. _pending];
                _pending.Clear();
            }
            foreach (var w in left) Finish(w, new ObjectDisposedException(nameof(SequenceScheduler), "the scheduler was disposed"));
        }
    }

    /// <summary>
    /// An idle scheduler woken by a request waits a moment for those arriving with it (a burst whose requests reach
    /// <see cref="Submit"/> a few milliseconds apart), so they share the first step instead of waiting a whole one each
    /// (<see cref="SchedulerOptions.AdmissionWaitFraction"/>); with the host's <see cref="SchedulerOptions.Arrivals"/>, only while
    /// another may be on its way. Called under the gate, on the loop thread.
    /// </summary>
    private void WaitForArrivals()
    {
        var wait = Math.Min(Options.AdmissionWaitFraction * _generationStepTicks, Options.MaxAdmissionWait.TotalSeconds * Stopwatch.Frequency);
        var deadline = Stopwatch.GetTimestamp() + (long)wait;
        while (!_disposed && _freeSequences.Count > 0 && _active.Count > 0 && (Options.Arrivals is not { } host || host.MoreThan(_active.Count + _pending.Count)))
        {
            var left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0) break;
            Monitor.Wait(_gate, TimeSpan.FromSeconds((double)left / Stopwatch.Frequency));
            var before = _active.Count;
            DropCancelled();
            Admit();
            _admittedByWaiting += Math.Max(0, _active.Count - before);
        }
    }

    private void DropCancelled()
    {
        for (var node = _pending.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Request.CancelRequested)
            {
                _pending.Remove(node);
                node.Value.Sampler.Dispose();
                node.Value.Registration.Unregister();
                // Completion is only queued here (the delivery thread completes it), so doing it under the lock is safe.
                node.Value.Request.PostFailure(new OperationCanceledException(node.Value.Request.CancellationToken));
            }
            node = next;
        }
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            var w = _active[i];
            if (!w.Request.CancelRequested) continue;
            ReleaseLocked(w);
            w.Request.PostFailure(new OperationCanceledException(w.Request.CancellationToken));
        }
    }

    private void Admit()
    {
        // FIFO: a large request at the head waits for room rather than being overtaken forever (NextToAdmit's one exception
        // only lets a request whose kept prompt is free go first when the head's prompt is held by a running one).
        while (NextToAdmit() is { } node && _freeSequences.Count > 0 && _reserved + node.Value.Reservation <= _context.ContextSize)
        {
            _pending.Remove(node);
            var w = node.Value;
            var (slot, holder, common) = PickSequence(w.PrefixTokens);
            w.SequenceId = _freeSequences[slot];
            _freeSequences.RemoveAt(slot);
            _keptTokens -= _kept[w.SequenceId]?.Length ?? 0;
            _kept[w.SequenceId] = null;
            // At least the prompt's last token is decoded again: its logits pick the first generated token.
            var reuse = Math.Min(common, w.Request.PromptTokens - 1);
            if (SharesPromptPrefix && InFlight(w) is { } first && Math.Min(first.Common, w.Request.PromptTokens - 1) >= reuse + MinAwaitedTokens)
            {
                // Requests that arrive together with one instruction: an earlier one is decoding more of this prompt than
                // any sequence holds yet, so this one waits for it (ResolveAwaited) instead of decoding the same tokens too.
                _context.ClearSequence(w.SequenceId);
                (w.Awaited, w.AwaitedTokens) = first;
            }
            else if (reuse > 0 && holder != w.SequenceId) Share(w, holder, reuse);
            else if (reuse > 0 && _context.TruncateSequence(w.SequenceId, reuse)) SkipPrefix(w, reuse);
            else _context.ClearSequence(w.SequenceId);
            _reserved += w.Reservation;
            w.Active = true;
            w.Request.AdmittedAt = Stopwatch.GetTimestamp();
            // In sequence-id order: Step adds the generated tokens in this order (see there why).
            var at = _active.FindIndex(a => a.SequenceId > w.SequenceId);
            _active.Insert(at < 0 ? _active.Count : at, w);
            // The admitted request's cells may be where free sequences keep old prompts: drop those, oldest first.
            while (_reserved + _keptTokens > _context.ContextSize && DropOldestKept()) { }
        }
    }

    /// <summary>
    /// The head of the queue, except when its prompt is held only by a running request and a queued one, among the next
    /// <see cref="Sequences"/>, finds its own prompt kept whole in a free sequence: that one goes first, onto its kept
    /// prompt. Otherwise the head would take that free sequence (to share its prompt from the running holder) and drop
    /// the kept prompt the other request is waiting for, which must then be decoded again: a second wave of repeated
    /// prompts (bench serve's 16 clients on 8 sequences) re-decoded one whole prompt that way. The head loses nothing it
    /// could have had: its holder's tokens stay until a sequence is free for it.
    /// </summary>
    private LinkedListNode<SequenceWork>? NextToAdmit()
    {
        var head = _pending.First;
        if (head is null || !SharesPromptPrefix || _freeSequences.Count == 0 || head.Value.PrefixTokens is not { } prefix) return head;
        var held = BestHolder(prefix, exclude: -1);
        if (held.Slot >= 0 || held.Common == 0) return head;
        var look = 0;
        for (var node = head.Next; node is not null && look < Sequences; node = node.Next, look++)
        {
            if (node.Value.PrefixTokens is not { } own || _reserved + node.Value.Reservation > _context.ContextSize) continue;
            var kept = BestHolder(own, exclude: -1);
            if (kept.Slot >= 0 && kept.Holders == 1 && 2 * kept.Common >= own.Length && Common(_freeSequences[kept.Slot], prefix) < held.Common)
                return node;
        }
        return head;
    }

    /// <summary>Fewest prompt tokens worth waiting for another request to decode first.</summary>
    private const int MinAwaitedTokens = 16;

    /// <summary>
    /// The free sequence (index into the free list) a prompt gets, the sequence that holds the longest prefix of it and that
    /// prefix's length. A free sequence that alone holds the longest match, covering at least half the prompt, is taken
    /// itself, unless that would cut into the prompt it keeps while an empty sequence is free (another report behind the
    /// same instruction: the prefix is then shared into the empty one and both prompts stay, as llama-server's slots do
    /// not); otherwise the least recently used free sequence (an empty one first) is taken and, when sharing, the prefix
    /// is shared into it from its holder, so a kept prompt that may be asked for again stays whole and a match of a few
    /// tokens (BOS) evicts nothing. With a KV stream per sequence (and sharing on), that other free sequence is one next to
    /// the most running ones (<see cref="Packs"/>). A holder taken itself is never passed over for packing: a copy between
    /// streams makes llama.cpp reserve its compute graphs again, which cost more TTFT in bench serve than packing saved.
    /// </summary>
    private (int Slot, int Holder, int Common) PickSequence(int[]? prefix)
    {
        var packing = SharesPromptPrefix && _context.HasSequenceStreams ? MostNeighbours() : -1;
        var oldest = OldestFreeSlot(keepingOnly: false);
        var best = BestHolder(prefix, exclude: -1);
        if (best.Slot >= 0 && (best.Holders == 1 || !SharesPromptPrefix) && 2 * best.Common >= prefix!.Length
            && !(SharesPromptPrefix && best.Common < _keptPrompt[best.Sequence] && _kept[_freeSequences[oldest]] is null))
            return (best.Slot, best.Sequence, best.Common);
        if (packing >= 0) oldest = OldestFreeSlot(keepingOnly: false, packing);
        var own = Common(_freeSequences[oldest], prefix);
        return own >= best.Common || !SharesPromptPrefix ? (oldest, _freeSequences[oldest], own) : (oldest, best.Sequence, best.Common);
    }

    /// <summary>
    /// The sequence holding the longest prefix of <paramref name="prefix"/>: a free one keeping an earlier request's tokens,
    /// or (when sharing) an active one past that point of its prompt. Slot: its index in the free list, -1 for an active
    /// one; Holders: how many sequences hold a prefix that long.
    /// </summary>
    private (int Slot, int Sequence, int Common, int Holders) BestHolder(int[]? prefix, int exclude)
    {
        var best = (Slot: -1, Sequence: -1, Common: 0, Holders: 0);
        for (var i = 0; i < _freeSequences.Count; i++) Consider(i, _freeSequences[i], Common(_freeSequences[i], prefix));
        if (SharesPromptPrefix)
            foreach (var a in _active) Consider(-1, a.SequenceId, Common(a, prefix));
        return best;

        void Consider(int slot, int seq, int common)
        {
            if (seq == exclude || common == 0 || common < best.Common) return;
            if (common == best.Common) best.Holders++;
            else best = (slot, seq, common, 1);
        }
    }

    /// <summary>The earlier active request whose prompt, once decoded, holds the longest prefix of this one's, and that length.</summary>
    private (SequenceWork Work, int Common)? InFlight(SequenceWork w)
    {
        (SequenceWork Work, int Common)? best = null;
        foreach (var a in _active)
        {
            if (a.Awaited is not null || a.PrefixTokens is not { } own || w.PrefixTokens is null) continue;
            var common = CommonPrefix(own, w.PrefixTokens, own.Length);
            if (common > (best?.Common ?? 0)) best = (a, common);
        }
        return best;
    }

    /// <summary>
    /// Lets waiting requests go once what they wait for is decoded (or their holder is gone): each takes the longest prefix
    /// any sequence then holds and decodes the rest.
    /// </summary>
    private void ResolveAwaited()
    {
        foreach (var w in _active)
        {
            if (w.Awaited is not { } holder || (holder.Active && Common(holder, w.PrefixTokens) < w.AwaitedTokens)) continue;
            w.Awaited = null;
            var best = BestHolder(w.PrefixTokens, exclude: w.SequenceId);
            var reuse = Math.Min(best.Common, w.Request.PromptTokens - 1);
            if (reuse > 0) Share(w, best.Sequence, reuse);
        }
    }

    /// <summary>Gives a request's (empty) sequence the first <paramref name="reuse"/> tokens' KV of another sequence.</summary>
    private void Share(SequenceWork w, int holder, int reuse)
    {
        // Unified KV cache: the holder's cells are tagged with this sequence too. Streams: the holder's stream is copied.
        _context.ClearSequence(w.SequenceId);
        _context.CopySequence(holder, w.SequenceId, reuse);
        Interlocked.Add(ref _shared, reuse);
        SkipPrefix(w, reuse);
    }

    /// <summary>
    /// With a KV stream per sequence llama.cpp decodes a batch as one ubatch per run of consecutive sequence ids
    /// (split_equal), each a pass over all the weights: running sequences 0 and 2 cost two passes per step, 0 and 1 one.
    /// So a request that takes no holder in place takes a free sequence next to as many running ones as any free sequence
    /// is. -1: no packing.
    /// </summary>
    private int MostNeighbours()
    {
        var most = 0;
        foreach (var seq in _freeSequences) most = Math.Max(most, RunningNeighbours(seq));
        return most;
    }

    private int RunningNeighbours(int seq)
    {
        var n = 0;
        foreach (var a in _active)
            if (a.SequenceId == seq - 1 || a.SequenceId == seq + 1) n++;
        return n;
    }

    private bool Packs(int seq, int packing) => packing < 0 || RunningNeighbours(seq) == packing;

    /// <summary>When a free sequence's kept tokens were left there; 0 when it keeps nothing.</summary>
    private long LastUse(int seq) => _kept[seq] is null ? 0 : _freedAt[seq];

    /// <summary>
    /// The free-list index of the least recently used free sequence (an empty one counts as oldest), or of the least
    /// recently used one that keeps tokens when <paramref name="keepingOnly"/>, among those that <see cref="Packs"/>; -1 when
    /// there is none.
    /// </summary>
    private int OldestFreeSlot(bool keepingOnly, int packing = -1)
    {
        var oldest = -1;
        for (var i = 0; i < _freeSequences.Count; i++)
        {
            var seq = _freeSequences[i];
            if (keepingOnly && _kept[seq] is null) continue;
            if (!Packs(seq, packing)) continue;
            if (oldest < 0 || LastUse(seq) < LastUse(_freeSequences[oldest])) oldest = i;
        }
        return oldest;
    }

    private int Common(int seq, int[]? prefix) => prefix is null || _kept[seq] is not { } kept ? 0 : CommonPrefix(kept, prefix, kept.Length);

    /// <summary>How many leading tokens of <paramref name="prefix"/> an active request's KV holds: its prompt's text decoded so far.</summary>
    private static int Common(SequenceWork active, int[]? prefix) =>
        prefix is null || active.PrefixTokens is not { } own ? 0 : CommonPrefix(own, prefix, Math.Min(active.Position, own.Length));

    /// <summary>The common prefix of <paramref name="b"/> and the first <paramref name="held"/> tokens of <paramref name="a"/>.</summary>
    private static int CommonPrefix(int[] a, int[] b, int held)
    {
        var n = Math.Min(held, b.Length);
        var i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    /// <summary>The prompt's tokens up to its first embedding block (which ends what can be matched by token ids).</summary>
    private static int[] LeadingTokens(List<object> segments)
    {
        var tokens = new List<int>();
        foreach (var segment in segments)
        {
            if (segment is not int[] t) break;
            tokens.AddRange(t);
        }
        return [.. tokens];
    }

    /// <summary>Starts the prefill after <paramref name="reuse"/> leading tokens whose KV the sequence already holds.</summary>
    private void SkipPrefix(SequenceWork w, int reuse)
    {
        w.Position = reuse;
        w.Request.CachedPromptTokens = reuse;
        Interlocked.Add(ref _reused, reuse);
        while (reuse > 0)
        {
            var tokens = (int[])w.Segments[w.SegmentIndex];
            if (reuse < tokens.Length) { w.Offset = reuse; break; }
            reuse -= tokens.Length;
            w.SegmentIndex++;
        }
    }

    private bool DropOldestKept()
    {
        var slot = OldestFreeSlot(keepingOnly: true);
        if (slot < 0) return false;
        var oldest = _freeSequences[slot];
        _context.ClearSequence(oldest);
        _keptTokens -= _kept[oldest]!.Length;
        _kept[oldest] = null;
        return true;
    }

    /// <summary>
    /// The tokens whose KV a finished request leaves at positions 0..n-1 of its sequence: the prompt and the generated
    /// tokens decoded (the last sampled one never is); a prompt with an image keeps only its text before the image, the
    /// rest of its KV is cut. Null: keep nothing.
    /// </summary>
    private int[]? KeepTokens(SequenceWork w)
    {
        if (w.PrefixTokens is not { Length: > 0 } prefix) return null;
        if (prefix.Length < w.Request.PromptTokens)
            return _context.TruncateSequence(w.SequenceId, prefix.Length) ? prefix : null;
        var decoded = Math.Min(w.Position - prefix.Length, w.Tokens.Count);
        var kept = new int[prefix.Length + decoded];
        prefix.CopyTo(kept, 0);
        w.Tokens.CopyTo(0, kept, prefix.Length, decoded);
        return kept;
    }

    /// <param name="w">The request.</param>
    /// <param name="finished">It completed normally, so its KV is whole and may be kept for a later prompt.</param>
    private void ReleaseLocked(SequenceWork w, bool finished = false)
    {
        if (!_active.Remove(w)) return;
        w.Active = false;
        var kept = finished ? KeepTokens(w) : null;
        if (kept is null) _context.ClearSequence(w.SequenceId);
        _kept[w.SequenceId] = kept;
        _keptPrompt[w.SequenceId] = kept is null ? 0 : Math.Min(kept.Length, w.PrefixTokens!.Length);
        _keptTokens += kept?.Length ?? 0;
        _freedAt[w.SequenceId] = ++_releases;
        _freeSequences.Add(w.SequenceId);
        _reserved -= w.Reservation;
        w.Sampler.Dispose();
        w.Registration.Unregister();
    }

    private void Step(NativeBatch batch, ref NativeBatch? embeddingBatch)
    {
        Interlocked.Increment(ref _steps);
        var order = _order;
        order.Clear();
        var start = _rotation++ % _active.Count;
        for (var i = 0; i < _active.Count; i++) order.Add(_active[(start + i) % _active.Count]);

        // Image embeddings: llama_batch carries either tokens or embeddings, so each block gets its own decode.
        foreach (var w in order)
        {
            if (w.CurrentEmbeddings is not { } part) continue;
            var e = part.Embeddings;
            embeddingBatch ??= new NativeBatch(_context.BatchSize, Model.InputEmbeddingSize, positionsPerToken: Model.PositionsPerEmbedding);
            embeddingBatch.Clear();
            // A non-causal block (Gemma 3) is whole in one decode (Submit checked it fits); others go in batch-sized slices.
            var rows = Math.Min(e.Tokens - w.Offset, _context.BatchSize);
            var completesPrompt = w.IsLastSegment && w.Offset + rows == e.Tokens;
            var outputIndex = -1;
            if (w.Offset == 0) w.BlockStart = w.Position;
            for (var r = 0; r < rows; r++)
            {
                var row = e.Values.AsSpan((w.Offset + r) * e.Dimension, e.Dimension);
                var last = completesPrompt && r == rows - 1;
                int idx;
                if (part.Mrope is { } mrope)
                {
                    // M-RoPE (Qwen2-VL): each row's (time, height, width, spare) positions, relative to the block's start
                    var sections = _sections;
                    mrope.Write(w.Offset + r, w.BlockStart, sections);
                    idx = embeddingBatch.AddEmbedding(row, sections, w.SequenceId, last);
                    w.Position++;
                }
                else idx = embeddingBatch.AddEmbedding(row, w.Position++, w.SequenceId, last);
                if (last) outputIndex = idx;
            }
            w.Offset += rows;
            if (w.Offset == e.Tokens)
            {
                // The next text continues after the block's positions (mtmd_input_chunk_get_n_pos), not its row count.
                w.Position = w.BlockStart + (part.Positions ?? e.Tokens);
                w.SegmentIndex++;
                w.Offset = 0;
            }
            var rc = DecodeCounted(embeddingBatch, part.NonCausal);
            if (rc != 0) { Finish(w, new LlamaException($"llama_decode of image embeddings failed ({rc})")); continue; }
            if (outputIndex >= 0) Sample(w, outputIndex);
        }

        batch.Clear();
        var outputs = _outputs;
        var members = _members;
        outputs.Clear();
        members.Clear();
        // Generated tokens go in ascending sequence ids (_active's order), not the rotation's: with a KV stream per sequence
        // llama.cpp splits a batch into one ubatch per run of consecutive sequence ids (split_equal, sequential), so a
        // rotated order (3..7, 0..2) decoded every step as two graphs instead of one.
        foreach (var w in _active)
        {
            if (w.Prefilling || !w.Active) continue;
            outputs.Add((w, batch.AddToken(w.LastToken, w.Position++, w.SequenceId, logits: true)));
            members.Add(w);
        }
        var budget = _context.BatchSize - batch.Count;
        foreach (var w in order)
        {
            if (budget <= 0) break;
            if (w.CurrentTokens is not { } tokens || !w.Active || w.Awaited is not null) continue;
            var take = Math.Min(tokens.Length - w.Offset, budget);
            var completesPrompt = w.IsLastSegment && w.Offset + take == tokens.Length;
            for (var j = 0; j < take; j++)
            {
                var last = completesPrompt && j == take - 1;
                var idx = batch.AddToken(tokens[w.Offset + j], w.Position++, w.SequenceId, last);
                if (last) outputs.Add((w, idx));
            }
            members.Add(w);
            budget -= take;
            w.Offset += take;
            if (w.Offset == tokens.Length) { w.SegmentIndex++; w.Offset = 0; }
        }
        if (batch.Count == 0) return;
        var started = Stopwatch.GetTimestamp();
        var code = DecodeCounted(batch);
        if (outputs.Count == batch.Count) _generationStepTicks = Stopwatch.GetTimestamp() - started;
        if (code != 0)
        {
            var error = new LlamaException(code == 1
                ? "llama_decode found no KV-cache slot (context too small for the admitted requests)"
                : $"llama_decode failed ({code})");
            foreach (var w in members) Finish(w, error);
            return;
        }
        foreach (var (w, idx) in outputs) Sample(w, idx);
    }

    private int DecodeCounted(NativeBatch batch, bool nonCausal = false)
    {
        Interlocked.Increment(ref _decodes);
        Interlocked.Add(ref _decoded, batch.Count);
        var code = nonCausal ? _context.DecodeNonCausal(batch) : _context.Decode(batch);
        // Read here, on the loop thread that owns the context (Stats is read from any thread).
        Interlocked.Exchange(ref _graphsReused, _context.GraphsReused);
        return code;
    }

    private void Sample(SequenceWork w, int batchIndex)
    {
        var token = LlamaNative.llama_sampler_sample(w.Sampler, _context.Handle, batchIndex);
        if (w.Generated == 0) w.Request.FirstTokenAt = Stopwatch.GetTimestamp();
        if (Model.IsEndOfGeneration(token))
        {
            Finish(w, LlamaFinishReason.EndOfGeneration);
            return;
        }
        w.Generated++;
        w.Tokens.Add(token);
        var (emit, stopped) = w.Stops.Push(w.Decoder.Append(Model.TokenToBytes(token, ref _piece)));
        w.Emit(emit);
        if (stopped) Finish(w, LlamaFinishReason.StopSequence);
        else if (w.Generated >= w.Request.MaxTokens) Finish(w, LlamaFinishReason.Length);
        else w.LastToken = token;
    }

    private void Finish(SequenceWork w, LlamaFinishReason reason)
    {
        if (reason != LlamaFinishReason.StopSequence)
        {
            var (emit, stopped) = w.Stops.Push(w.Decoder.Flush());
            w.Emit(emit);
            if (stopped) reason = LlamaFinishReason.StopSequence;
            else w.Emit(w.Stops.Flush());
        }
        lock (_gate) ReleaseLocked(w, finished: true);
        w.Request.PostSuccess(new GenerationResult(w.Text.ToString(), w.Request.PromptTokens, w.Generated, reason) { Tokens = w.Tokens.ToArray(), CachedPromptTokens = w.Request.CachedPromptTokens });
    }

    private void Finish(SequenceWork w, Exception error)
    {
        lock (_gate)
        {
            if (_active.Contains(w)) ReleaseLocked(w);
            else
            {
                w.Sampler.Dispose();
                w.Registration.Unregister();
            }
        }
        w.Request.PostFailure(error);
    }

    /// <summary>Stops the thread, fails unfinished requests with <see cref="ObjectDisposedException"/> and frees the context.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        if (Options.Arrivals is { } arrivals) arrivals.Left -= Signal;
        if (Thread.CurrentThread != _thread) _thread.Join();
        // After the scheduler thread: its last completions are queued and get delivered before the thread stops.
        _delivery.Dispose();
        _context.Dispose();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
