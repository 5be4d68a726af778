using ReportGen.Llama.Native;

namespace ReportGen.Llama;

/// <summary>A <c>llama_batch</c> from <c>llama_batch_init</c>: token ids, or embedding rows when made with an embedding size.</summary>
internal sealed unsafe class NativeBatch : IDisposable
{
    private LlamaBatch _batch;
    private bool _freed;

    public NativeBatch(int capacity, int embeddingSize = 0, int sequencesPerToken = 1)
    {
        Capacity = capacity;
        EmbeddingSize = embeddingSize;
        SequencesPerToken = sequencesPerToken;
        _batch = LlamaNative.llama_batch_init(capacity, embeddingSize, sequencesPerToken);
    }

    /// <summary>Most sequence ids one token may belong to.</summary>
    public int SequencesPerToken { get; }

    public int Capacity { get; }
    public int EmbeddingSize { get; }
    public int Count => _batch.NTokens;
    public LlamaBatch Value => _batch;

    public void Clear() => _batch.NTokens = 0;

    /// <summary>Adds one token of one sequence; returns its index in the batch (the logits index).</summary>
    public int AddToken(int token, int position, int sequence, bool logits)
    {
        var i = Reserve();
        _batch.Token[i] = token;
        Set(i, position, sequence, logits);
        return i;
    }

    /// <summary>
    /// Adds one token shared by several sequences (one KV cell every one of them attends to, as when they share a
    /// prefix); returns its batch index.
    /// </summary>
    public int AddToken(int token, int position, IReadOnlyList<int> sequences, bool logits)
    {
        if (sequences.Count < 1 || sequences.Count > SequencesPerToken)
            throw new ArgumentOutOfRangeException(nameof(sequences), $"a token of this batch belongs to 1..{SequencesPerToken} sequences");
        var i = Reserve();
        _batch.Token[i] = token;
        _batch.Pos[i] = position;
        _batch.NSeqId[i] = sequences.Count;
        for (var s = 0; s < sequences.Count; s++) _batch.SeqId[i][s] = sequences[s];
        _batch.Logits[i] = logits ? (sbyte)1 : (sbyte)0;
        return i;
    }

    /// <summary>Adds one embedding row of one sequence.</summary>
    public int AddEmbedding(ReadOnlySpan<float> row, int position, int sequence, bool logits)
    {
        if (row.Length != EmbeddingSize) throw new ArgumentException($"embedding row has {row.Length} values, the batch takes {EmbeddingSize}");
        var i = Reserve();
        row.CopyTo(new Span<float>(_batch.Embd + (long)i * EmbeddingSize, EmbeddingSize));
        Set(i, position, sequence, logits);
        return i;
    }

    private int Reserve()
    {
        if (_batch.NTokens >= Capacity) throw new InvalidOperationException("batch is full");
        return _batch.NTokens++;
    }

    private void Set(int i, int position, int sequence, bool logits)
    {
        _batch.Pos[i] = position;
        _batch.NSeqId[i] = 1;
        _batch.SeqId[i][0] = sequence;
        _batch.Logits[i] = logits ? (sbyte)1 : (sbyte)0;
    }

    public void Dispose()
    {
        if (_freed) return;
        _freed = true;
        _batch.NTokens = 0;
        LlamaNative.llama_batch_free(_batch);
    }
}
