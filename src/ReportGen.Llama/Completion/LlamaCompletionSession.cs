using System.Text;

namespace ReportGen.Llama.Completion;

/// <summary>Sizing of a <see cref="LlamaCompletionSession"/>.</summary>
public sealed record LlamaCompletionOptions
{
    /// <summary>Names the model in suggestion sources (<c>model:ID</c>); null uses the GGUF file name without extension.</summary>
    public string? ModelId { get; init; }

    /// <summary>CPU threads for decoding; 0 = one per processor (ggml threads spin: on a busy machine use 1).</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Positions one scored sequence (context + continuation) may use; 0 = the model's training context
    /// (capped at 1024: a report rarely needs more, and the KV cache is sized from it). Longer contexts are
    /// truncated from the left (see <see cref="LlamaCompletionSession"/>).
    /// </summary>
    public int Window { get; init; }

    /// <summary>Sequences of the session's context: candidates scored in one decode is this minus one (seq 0 holds the context).</summary>
    public int Sequences { get; init; } = 24;
}

/// <summary>
/// Language-model scoring and generation for sentence auto-completion on its own small llama.cpp context over a
/// shared <see cref="LlamaModel"/>, so it never waits for (or blocks) the chat scheduler. One call runs at a time
/// (a <see cref="SemaphoreSlim"/>); cancellation is checked before every decode.
/// <para>
/// Layout of the KV cache (unified): sequence 0 holds the tokens of the report context and is kept between calls,
/// so consecutive calls on a growing report decode only the new text (the eval and the editor both grow the report
/// sentence by sentence; generation followed by scoring of the same context decodes it once). Candidates are
/// copied from sequence 0 into sequences 1..n with <c>llama_memory_seq_cp</c> (no tensor copy) and all of them
/// go into ONE <c>llama_decode</c> with a logits row for every continuation token; tokens that candidates share
/// (same history, same token: the typed prefix, common openings) are one batch entry in all their sequences.
/// The candidate sequences are removed afterwards.
/// </para>
/// <para>
/// Tokenisation boundary: context and continuation are tokenised together (<c>context + " " + continuation</c>,
/// with BOS, as the report reads), and the continuation starts at the first token that differs from the context
/// tokenised alone, so SentencePiece's word-initial pieces ("▁No") are scored exactly as the model saw them in training.
/// </para>
/// <para>
/// Truncation: a context longer than the window (the model's training context minus the continuation) loses its
/// oldest tokens: BOS is kept, the tokens after it are dropped up to a word start, so the most recent report text
/// stays. Continuations longer than half the window are scored on their first half-window tokens.
/// </para>
/// </summary>
public sealed class LlamaCompletionSession : IDisposable
{
    private readonly LlamaModel _model;
    private readonly LlamaContext _context;
    private readonly NativeBatch _batch;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<int> _cached = [];
    private readonly float[] _scratch;
    private readonly int _maxOutputs;
    private byte[][]? _pieces;
    private bool _disposed;

    /// <summary>Creates the session's context on <paramref name="model"/> (the caller keeps owning the model).</summary>
    public LlamaCompletionSession(LlamaModel model, LlamaCompletionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new LlamaCompletionOptions();
        if (options.Sequences < 2) throw new ArgumentOutOfRangeException(nameof(options), "Sequences must be at least 2");
        _model = model;
        ModelId = options.ModelId ?? Path.GetFileNameWithoutExtension(model.Path);
        Window = options.Window > 0 ? options.Window : model.TrainContextLength > 0 ? Math.Min(model.TrainContextLength, 1024) : 1024;
        if (Window < 8) throw new ArgumentOutOfRangeException(nameof(options), "Window must be at least 8 positions");
        var batchSize = Math.Max(Math.Min(2 * Window, 1024), Window / 2 + 1);
        // One logits row is VocabSize floats; cap the rows of one decode at ~256 MB so a 128k vocabulary still fits.
        _maxOutputs = Math.Clamp(64 * 1024 * 1024 / Math.Max(1, model.VocabSize), 64, batchSize);
        _context = model.CreateContext(new LlamaContextOptions
        {
            ContextSize = Math.Max(Math.Min(4 * Window, 4096), Window + batchSize),
            BatchSize = batchSize,
            Sequences = options.Sequences,
            Threads = options.Threads,
            OutputsPerSequence = _maxOutputs,
        });
        _batch = new NativeBatch(_context.BatchSize, sequencesPerToken: _context.SequenceCapacity);
        _scratch = new float[model.VocabSize];
    }

    /// <summary>The model id used in suggestion sources.</summary>
    public string ModelId { get; }

    /// <summary>Positions available to context + continuation.</summary>
    public int Window { get; }

    /// <summary>The model whose context this session holds (owned by the caller).</summary>
    public LlamaModel Model => _model;

    /// <summary>llama_decode calls so far (for tests and benchmarks).</summary>
    public long DecodeCalls { get; private set; }

    /// <summary>Batch entries (tokens) decoded so far (for tests and benchmarks).</summary>
    public long TokensDecoded { get; private set; }

    /// <summary>
    /// Mean token log-probability (natural log) of each continuation after <paramref name="context"/>, in input order.
    /// </summary>
    /// <exception cref="ArgumentException">A continuation is empty or whitespace.</exception>
    public async Task<IReadOnlyList<double>> ScoreAsync(string context, IReadOnlyList<string> continuations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuations);
        if (continuations.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("continuations must not be empty", nameof(continuations));
        if (continuations.Count == 0) return [];
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await Task.Run(() => Score(context, continuations, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Greedy continuation of <paramref name="context"/> that starts with <paramref name="prefix"/> and stops at the first
    /// sentence end (., ! or ? not inside a number; a newline; end of generation). A prefix ending mid-word is healed: its
    /// last token is removed and the first generated token must begin with that token's text, so "No pneumo" can become
    /// "No pneumothorax." although "pneumo" alone tokenises differently. Null when no sentence end came within
    /// <paramref name="maxTokens"/> or nothing was added to the prefix.
    /// </summary>
    public async Task<string?> GenerateAsync(string context, string prefix, int maxTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(prefix);
        if (maxTokens < 1) throw new ArgumentOutOfRangeException(nameof(maxTokens), "maxTokens must be at least 1");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await Task.Run(() => Generate(context, prefix, maxTokens, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The text a continuation is scored after: the context, one space, the continuation (the report as it reads).</summary>
    public static string Join(string context, string continuation)
    {
        var head = context.TrimEnd();
        var tail = continuation.TrimStart();
        return head.Length == 0 ? tail : tail.Length == 0 ? head : head + " " + tail;
    }

    private int BosLength(int[] tokens) => _model.AddsBos && tokens.Length > 0 && tokens[0] == _model.BosToken ? 1 : 0;

    private IReadOnlyList<double> Score(string context, IReadOnlyList<string> continuations, CancellationToken ct)
    {
        var contextTokens = _model.Tokenize(context.TrimEnd());
        var n = continuations.Count;
        var full = new int[n][];
        var starts = new int[n];
        for (var i = 0; i < n; i++)
        {
            full[i] = _model.Tokenize(Join(context, continuations[i]));
            // The continuation begins at the first token the context alone does not have. Without BOS and with an
            // empty context the first token has nothing to condition on, so scoring starts at the second.
            starts[i] = Math.Max(1, CommonPrefix(full[i], contextTokens));
            var cap = starts[i] + Math.Min(Window / 2, _maxOutputs);
            if (full[i].Length > cap) full[i] = full[i][..cap];
        }
        TruncateLeft(full, starts, Window);

        // Shared prefix: the context tokens every candidate has (decoded once, in sequence 0).
        var shared = starts.Min();
        for (var i = 1; i < n; i++) shared = Math.Min(shared, CommonPrefix(full[0], full[i]));

        var sums = new double[n];
        var counts = new int[n];
        var lastIndex = Prefill(full[0].AsSpan(0, shared), ct);
        if (lastIndex >= 0)
        {
            var logits = _context.Logits(lastIndex);
            var lse = LogProbabilities.LogSumExp(logits, _scratch);
            for (var i = 0; i < n; i++)
            {
                if (starts[i] != shared || full[i].Length <= shared) continue;
                sums[i] += logits[full[i][shared]] - lse;
                counts[i]++;
            }
        }

        // The rest of each candidate in its own sequence; a candidate's last token needs no logits, so it is not decoded.
        var pending = Enumerable.Range(0, n).Where(i => full[i].Length - 1 > shared).ToList();
        while (pending.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var round = new List<int>();
            int tokens = 0, outputs = 0;
            foreach (var i in pending)
            {
                var t = full[i].Length - 1 - shared;
                if (round.Count > 0 && (round.Count + 1 >= _context.SequenceCapacity || tokens + t > _context.BatchSize
                    || outputs + t > _maxOutputs || shared + tokens + t > _context.ContextSize)) break;
                round.Add(i);
                tokens += t;
                outputs += t;
            }
            pending.RemoveRange(0, round.Count);
            ScoreRound(round, full, starts, shared, sums, counts);
        }

        var result = new double[n];
        for (var i = 0; i < n; i++) result[i] = counts[i] == 0 ? 0 : sums[i] / counts[i];
        return result;
    }

    /// <summary>
    /// Decodes the remaining tokens of a round of candidates in ONE batch. Candidates that continue alike (they all
    /// begin with the typed prefix, many share more: "No pneumothorax." / "No pneumothorax or effusion.") share the
    /// tokens of their common branch: a prefix tree whose nodes are single batch entries belonging to every sequence
    /// that passes through them, so each distinct (history, token) is decoded once.
    /// </summary>
    private void ScoreRound(List<int> round, int[][] full, int[] starts, int shared, double[] sums, int[] counts)
    {
        var nodeIds = new Dictionary<(int Parent, int Token), int>();
        var nodes = new List<(int Token, int Position, List<int> Sequences, bool Logits)>();
        var wanted = new List<(int Candidate, int Node, int Target)>();
        for (var j = 0; j < round.Count; j++)
        {
            var i = round[j];
            var parent = -1;
            for (var p = shared; p < full[i].Length - 1; p++)
            {
                if (!nodeIds.TryGetValue((parent, full[i][p]), out var node))
                {
                    node = nodes.Count;
                    nodeIds[(parent, full[i][p])] = node;
                    nodes.Add((full[i][p], p, [], false));
                }
                nodes[node].Sequences.Add(j + 1);
                if (p + 1 >= starts[i])
                {
                    nodes[node] = nodes[node] with { Logits = true };
                    wanted.Add((i, node, full[i][p + 1]));
                }
                parent = node;
            }
        }
        _batch.Clear();
        try
        {
            for (var j = 0; j < round.Count; j++) _context.CopySequence(0, j + 1);
            // Parents were created before their children, so positions ascend along every sequence.
            var batchIndex = new int[nodes.Count];
            for (var n = 0; n < nodes.Count; n++) batchIndex[n] = _batch.AddToken(nodes[n].Token, nodes[n].Position, nodes[n].Sequences, nodes[n].Logits);
            Decode();
            var logSumExp = new double[nodes.Count];
            Array.Fill(logSumExp, double.NaN);
            foreach (var (i, node, target) in wanted)
            {
                var logits = _context.Logits(batchIndex[node]);
                if (double.IsNaN(logSumExp[node])) logSumExp[node] = LogProbabilities.LogSumExp(logits, _scratch);
                sums[i] += logits[target] - logSumExp[node];
                counts[i]++;
            }
        }
        finally
        {
            for (var j = 0; j < round.Count; j++) _context.ClearSequence(j + 1);
        }
    }

    private string? Generate(string context, string prefix, int maxTokens, CancellationToken ct)
    {
        var typed = prefix.TrimEnd();
        var prompt = _model.Tokenize(Join(context, typed));
        var bos = BosLength(prompt);
        byte[] heal = [];
        // What the first generated token must begin with: the healed text, or else a space, since the typed prefix
        // (or the context) ends with a complete word ("Obscured " must not become "Obscuredominantly").
        byte[] first = " "u8.ToArray();
        if (typed.Length > 0 && typed.Length == prefix.Length && prompt.Length - 1 > bos)
        {
            // The last word may be partial: back off its last token and let the model pick one that extends it.
            heal = _model.TokenToBytes(prompt[^1]);
            prompt = prompt[..^1];
            first = heal;
        }
        maxTokens = Math.Min(maxTokens, Window / 2);
        var starts = new[] { prompt.Length };
        var holder = new[] { prompt };
        TruncateLeft(holder, starts, Window - maxTokens);
        prompt = holder[0];

        var index = Prefill(prompt, ct);
        if (index < 0) return null;
        var generated = new List<byte>();
        var position = prompt.Length;
        var copied = false;
        try
        {
            // The user asked for a sentence: end-of-text is not an answer at the first step (a finished-looking report
            // otherwise gets nothing).
            var token = Greedy(_context.Logits(index), first, allowEnd: false);
            for (var step = 0; step < maxTokens; step++)
            {
                if (_model.IsEndOfGeneration(token)) return Finish(typed, Text(generated, heal));
                generated.AddRange(Pieces()[token]);
                var text = Text(generated, heal);
                var end = SentenceEnd(text);
                if (end >= 0) return Finish(typed, text[..end]);
                if (step == maxTokens - 1) break;
                ct.ThrowIfCancellationRequested();
                if (!copied)
                {
                    _context.CopySequence(0, 1);
                    copied = true;
                }
                _batch.Clear();
                var i = _batch.AddToken(token, position++, 1, logits: true);
                Decode();
                token = Greedy(_context.Logits(i), [], allowEnd: true);
            }
            return null;
        }
        finally
        {
            if (copied) _context.ClearSequence(1);
        }
    }

    private static string? Finish(string typed, string text)
    {
        if (text.Trim().Length == 0) return null;
        return typed.Length == 0 ? text.Trim() : typed + text.TrimEnd();
    }

    private static string Text(List<byte> generated, byte[] heal)
    {
        var bytes = generated.Count >= heal.Length ? generated.Skip(heal.Length).ToArray() : [];
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Length of the text up to and including its first sentence end, or -1 while the sentence goes on.</summary>
    internal static int SentenceEnd(string text)
    {
        for (var k = 0; k < text.Length; k++)
        {
            var c = text[k];
            if (c is '\n' or '\r') return k;
            if (c is not ('.' or '!' or '?')) continue;
            if (k + 1 < text.Length)
            {
                if (char.IsDigit(text[k + 1]) && k > 0 && char.IsDigit(text[k - 1])) continue; // 2.5 cm
                return k + 1;
            }
            // A period after a digit may be a decimal point: wait for the next token.
            return k > 0 && char.IsDigit(text[k - 1]) && c == '.' ? -1 : k + 1;
        }
        return -1;
    }

    private int Greedy(ReadOnlySpan<float> logits, byte[] mustStartWith, bool allowEnd)
    {
        var best = -1;
        var bestValue = float.NegativeInfinity;
        var pieces = mustStartWith.Length > 0 ? Pieces() : null;
        for (var t = 0; t < logits.Length; t++)
        {
            if (logits[t] <= bestValue) continue;
            if (!allowEnd && _model.IsEndOfGeneration(t)) continue;
            if (pieces is not null && !pieces[t].AsSpan().StartsWith(mustStartWith)) continue;
            best = t;
            bestValue = logits[t];
        }
        return best >= 0 ? best : _model.EosToken;
    }

    private byte[][] Pieces()
    {
        if (_pieces is not null) return _pieces;
        var pieces = new byte[_model.VocabSize][];
        for (var t = 0; t < pieces.Length; t++) pieces[t] = _model.TokenToBytes(t);
        return _pieces = pieces;
    }

    /// <summary>
    /// Drops the oldest context tokens (after BOS, up to the next word start) so every sequence fits
    /// <paramref name="limit"/> positions; continuation starts move with them.
    /// </summary>
    private void TruncateLeft(int[][] sequences, int[] starts, int limit)
    {
        var over = sequences.Max(s => s.Length) - limit;
        if (over <= 0) return;
        var bos = BosLength(sequences[0]);
        var contextEnd = starts.Min();
        var drop = Math.Min(over, contextEnd - bos);
        // Cut at a word start (a piece beginning with a space) so the kept text does not begin mid-word.
        while (bos + drop < contextEnd && !StartsWord(sequences[0][bos + drop])) drop++;
        if (drop <= 0) return;
        for (var i = 0; i < sequences.Length; i++)
        {
            sequences[i] = [.. sequences[i].AsSpan(0, bos), .. sequences[i].AsSpan(bos + drop)];
            starts[i] -= drop;
        }
    }

    private bool StartsWord(int token)
    {
        var piece = Pieces()[token];
        return piece.Length > 0 && piece[0] == (byte)' ';
    }

    /// <summary>
    /// Makes sequence 0 hold exactly <paramref name="tokens"/>, decoding only what the cache lacks (at least the
    /// last token, whose logits are wanted). Returns the batch index of the last token's logits, or -1 when empty.
    /// </summary>
    private int Prefill(ReadOnlySpan<int> tokens, CancellationToken ct)
    {
        var keep = Math.Min(CommonPrefix(_cached, tokens), tokens.Length - 1);
        if (keep < 0) keep = 0;
        _context.TruncateSequence(0, keep);
        _cached.RemoveRange(keep, _cached.Count - keep);
        var index = -1;
        for (var start = keep; start < tokens.Length; start += _batch.Capacity)
        {
            ct.ThrowIfCancellationRequested();
            var end = Math.Min(tokens.Length, start + _batch.Capacity);
            _batch.Clear();
            for (var p = start; p < end; p++) index = _batch.AddToken(tokens[p], p, 0, p == tokens.Length - 1);
            Decode();
            foreach (var t in tokens[start..end]) _cached.Add(t);
        }
        return index;
    }

    private void Decode()
    {
        DecodeCalls++;
        TokensDecoded += _batch.Count;
        var rc = _context.Decode(_batch);
        if (rc == 0) return;
        // Whatever the failure left in the cache is unknown: start clean next time.
        _context.ClearAll();
        _cached.Clear();
        throw new LlamaException(rc == 1 ? "llama_decode found no KV-cache slot for the completion batch" : $"llama_decode failed ({rc})");
    }

    private static int CommonPrefix(IReadOnlyList<int> a, ReadOnlySpan<int> b)
    {
        var n = Math.Min(a.Count, b.Length);
        var i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    private static int CommonPrefix(int[] a, int[] b) => a.AsSpan().CommonPrefixLength(b);

    /// <summary>Frees the context (not the model).</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            _batch.Dispose();
            _context.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }
}
