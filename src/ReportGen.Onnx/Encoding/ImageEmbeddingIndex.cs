using System.Numerics.Tensors;

namespace ReportGen.Onnx;

/// <summary>One search hit.</summary>
/// <param name="Id">The id the embedding was added with.</param>
/// <param name="Score">Cosine similarity to the query, in [-1, 1].</param>
public readonly record struct ImageMatch(string Id, float Score);

/// <summary>
/// In-memory index of image embeddings (e.g. pooled encoder vectors of stored studies) searched by cosine similarity.
/// Vectors are stored unit-length in one contiguous buffer, so a search is one <see cref="TensorPrimitives.Dot{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>
/// per entry. Thread-safe: many concurrent searches, adds and removes serialised.
/// </summary>
public sealed class ImageEmbeddingIndex
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly Dictionary<string, int> _rows = new(StringComparer.Ordinal);
    private readonly List<string> _ids = [];
    private float[] _vectors = [];

    /// <summary>Creates an empty index for vectors of <paramref name="dimension"/> floats.</summary>
    public ImageEmbeddingIndex(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Dimension = dimension;
    }

    /// <summary>Floats per vector.</summary>
    public int Dimension { get; }

    /// <summary>Number of stored vectors.</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _ids.Count; } finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Adds or replaces the vector stored under <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentException">Wrong length, a zero vector, or a non-finite value.</exception>
    public void Add(string id, ReadOnlySpan<float> embedding)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var unit = Unit(embedding, nameof(embedding));
        _lock.EnterWriteLock();
        try
        {
            if (!_rows.TryGetValue(id, out var row))
            {
                row = _ids.Count;
                if ((row + 1) * Dimension > _vectors.Length) Array.Resize(ref _vectors, Math.Max(Dimension * 16, _vectors.Length * 2));
                _ids.Add(id);
                _rows[id] = row;
            }
            unit.CopyTo(_vectors.AsSpan(row * Dimension, Dimension));
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes an entry; false when the id is unknown.</summary>
    public bool Remove(string id)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rows.Remove(id, out var row)) return false;
            var last = _ids.Count - 1;
            if (row != last)
            {
                // Move the last row into the gap so storage stays contiguous.
                _vectors.AsSpan(last * Dimension, Dimension).CopyTo(_vectors.AsSpan(row * Dimension, Dimension));
                _ids[row] = _ids[last];
                _rows[_ids[row]] = row;
            }
            _ids.RemoveAt(last);
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>The <paramref name="k"/> most similar entries, best first (ties by id).</summary>
    public IReadOnlyList<ImageMatch> Search(ReadOnlySpan<float> query, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var q = Unit(query, nameof(query));
        var best = new PriorityQueue<ImageMatch, (float, string)>(WorstFirst.Instance);
        _lock.EnterReadLock();
        try
        {
            for (var row = 0; row < _ids.Count; row++)
            {
                var score = TensorPrimitives.Dot(q, _vectors.AsSpan(row * Dimension, Dimension));
                best.Enqueue(new ImageMatch(_ids[row], score), (score, _ids[row]));
                if (best.Count > k) best.Dequeue();
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
        var result = new ImageMatch[best.Count];
        for (var i = result.Length - 1; i >= 0; i--) result[i] = best.Dequeue();
        return result;
    }

    private float[] Unit(ReadOnlySpan<float> v, string name)
    {
        if (v.Length != Dimension) throw new ArgumentException($"embedding has {v.Length} values; the index holds {Dimension}", name);
        foreach (var x in v) if (!float.IsFinite(x)) throw new ArgumentException("embedding has a non-finite value", name);
        var norm = TensorPrimitives.Norm(v);
        if (norm == 0) throw new ArgumentException("embedding is all zeros; cosine similarity is undefined", name);
        var unit = new float[Dimension];
        TensorPrimitives.Divide(v, norm, unit);
        return unit;
    }

    /// <summary>Orders the heap so the worst match (lowest score, then highest id) is dequeued first.</summary>
    private sealed class WorstFirst : IComparer<(float Score, string Id)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((float Score, string Id) a, (float Score, string Id) b)
        {
            var byScore = a.Score.CompareTo(b.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(b.Id, a.Id);
        }
    }
}
