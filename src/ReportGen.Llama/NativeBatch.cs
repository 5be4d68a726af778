using ReportGen.Llama.Native;

namespace ReportGen.Llama;

/// <summary>
/// A <c>llama_batch</c> from <c>llama_batch_init</c>: token ids, or embedding rows when made with an embedding size. An
/// embedding batch for an M-RoPE model carries several positions per row, which llama.cpp reads section by section
/// (<c>pos[s * n_tokens + i]</c>); <c>llama_batch_init</c> allocates one per row, so such a batch owns a larger array.
/// </summary>
internal sealed unsafe class NativeBatch : IDisposable
{
    private LlamaBatch _batch;
    private readonly int* _ownPositions;     // capacity × PositionsPerToken, section-major (what llama_decode reads)
    private readonly int* _initPositions;    // llama_batch_init's array, restored before llama_batch_free
    private readonly int[]? _rowPositions;   // row-major as rows are added; laid out section-major in Value
    private bool _freed;

    public NativeBatch(int capacity, int embeddingSize = 0, int sequencesPerToken = 1, int positionsPerToken = 1)
    {
        Capacity = capacity;
        EmbeddingSize = embeddingSize;
        SequencesPerToken = sequencesPerToken;
        PositionsPerToken = positionsPerToken;
        _batch = LlamaNative.llama_batch_init(capacity, embeddingSize, sequencesPerToken);
        if (positionsPerToken > 1)
        {
            _initPositions = _batch.Pos;
            _ownPositions = (int*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)capacity * (nuint)positionsPerToken, sizeof(int));
            _rowPositions = new int[capacity * positionsPerToken];
            _batch.Pos = _ownPositions;
        }
    }

    /// <summary>Positions each row carries (4 for an M-RoPE model's embedding batch, else 1).</summary>
    public int PositionsPerToken { get; }

    /// <summary>Most sequence ids one token may belong to.</summary>
    public int SequencesPerToken { get; }

    public int Capacity { get; }
    public int EmbeddingSize { get; }
    public int Count => _batch.NTokens;
    public LlamaBatch Value
    {
        get
        {
            if (_rowPositions is not null)
            {
                // llama.cpp reads section s of row i at pos[s * n_tokens + i] (llama_batch_allocr::split_equal and co.).
                var n = _batch.NTokens;
                for (var i = 0; i < n; i++)
                    for (var s = 0; s < PositionsPerToken; s++)
                        _ownPositions[s * n + i] = _rowPositions[i * PositionsPerToken + s];
            }
            return _batch;
        }
    }

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

    /// <summary>Adds one embedding row of one sequence (a multi-position batch gets the position in every section).</summary>
    public int AddEmbedding(ReadOnlySpan<float> row, int position, int sequence, bool logits)
    {
        if (_rowPositions is null) return AddEmbedding(row, [position], sequence, logits);
        Span<int> sections = stackalloc int[PositionsPerToken];
        sections.Fill(position);
        return AddEmbedding(row, sections, sequence, logits);
    }

    /// <summary>Adds one embedding row of one sequence with its <see cref="PositionsPerToken"/> positions.</summary>
    public int AddEmbedding(ReadOnlySpan<float> row, ReadOnlySpan<int> positions, int sequence, bool logits)
    {
        if (row.Length != EmbeddingSize) throw new ArgumentException($"embedding row has {row.Length} values, the batch takes {EmbeddingSize}");
        if (positions.Length != PositionsPerToken) throw new ArgumentException($"an embedding row of this batch has {PositionsPerToken} positions, not {positions.Length}");
        var i = Reserve();
        row.CopyTo(new Span<float>(_batch.Embd + (long)i * EmbeddingSize, EmbeddingSize));
        Set(i, positions[0], sequence, logits);
        if (_rowPositions is not null) positions.CopyTo(_rowPositions.AsSpan(i * PositionsPerToken, PositionsPerToken));
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
        if (_ownPositions is not null)
        {
            _batch.Pos = _initPositions;
            System.Runtime.InteropServices.NativeMemory.Free(_ownPositions);
        }
        LlamaNative.llama_batch_free(_batch);
    }
}
