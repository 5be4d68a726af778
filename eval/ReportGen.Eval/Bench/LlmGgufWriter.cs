using System.Text;

namespace ReportGen.Eval.Bench;

/// <summary>Storage type of the generated matrices (norms are always F32).</summary>
public enum LlmWeightType
{
    /// <summary>IEEE half floats, 2 bytes per weight.</summary>
    F16,
    /// <summary>ggml Q8_0: blocks of 32 int8 weights with one F16 scale, 34 bytes per 32 weights.</summary>
    Q8_0,
}

/// <summary>Shape of a generated random-weight LLaMA (F16 or Q8_0 matrices, F32 norms).</summary>
public sealed record LlmSyntheticShape(int Layers, int Embedding, int FeedForward, int Heads, int KvHeads, int Context = 512, uint Seed = 1234,
    LlmWeightType WeightType = LlmWeightType.F16)
{
    /// <summary>About 1 GB of F16 weights: 11 layers of 2048/5632 with 4 KV heads (trained context 4096, so 16 batched sequences fit without a warning).</summary>
    public static LlmSyntheticShape OneGigabyte { get; } = new(11, 2048, 5632, 16, 4, Context: 4096);

    /// <summary>
    /// About 1.1 GB of Q8_0 weights: TinyLlama-1.1B's shape (22 layers of 2048/5632, 32 heads, 4 KV heads).
    /// Same bytes per token as <see cref="OneGigabyte"/> but 1.9x the weights, i.e. the int8 dot-product kernels
    /// real deployments use.
    /// </summary>
    public static LlmSyntheticShape OneGigabyteQ8 { get; } = new(22, 2048, 5632, 32, 4, Context: 4096, WeightType: LlmWeightType.Q8_0);

    /// <summary>A few hundred KB: enough for llama.cpp to load and decode, for tests.</summary>
    public static LlmSyntheticShape Tiny { get; } = new(2, 64, 128, 4, 2, 128);

    /// <summary>File name that identifies the shape (the cache key).</summary>
    public string FileName => $"random-llama-L{Layers}-E{Embedding}-F{FeedForward}-H{Heads}-K{KvHeads}-C{Context}-S{Seed}"
        + (WeightType == LlmWeightType.F16 ? "" : "-" + WeightType.ToString().ToLowerInvariant()) + ".gguf";
}

/// <summary>
/// Writes a GGUF v3 LLaMA with seeded random weights for the roofline benchmark. The tokenizer metadata
/// (<c>tokenizer.*</c> keys) is copied from a donor GGUF (e.g. stories260K), so llama.cpp accepts the vocabulary.
/// </summary>
public static class LlmGgufWriter
{
    private const uint GgufMagic = 0x46554747; // "GGUF" little-endian
    private const int Alignment = 32;
    private const uint TypeF32 = 0, TypeF16 = 1, TypeQ8_0 = 8;
    private const int Q8Block = 32, Q8BlockBytes = 34;

    /// <summary>Result of a generation: the file and the bytes a decode step reads (all weights but the embedding table).</summary>
    public sealed record Generated(string Path, long FileBytes, long WeightBytesPerToken, int VocabSize);

    /// <summary>Returns the cached file for <paramref name="shape"/> in <paramref name="folder"/>, writing it first when absent.</summary>
    public static Generated GetOrCreate(string folder, LlmSyntheticShape shape, string donorGguf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Embedding % shape.Heads != 0 || shape.Heads % shape.KvHeads != 0 || shape.Layers < 1)
            throw new ArgumentException("shape: Embedding must divide by Heads and Heads by KvHeads; Layers >= 1", nameof(shape));
        if (shape.WeightType == LlmWeightType.Q8_0 && (shape.Embedding % Q8Block != 0 || shape.FeedForward % Q8Block != 0))
            throw new ArgumentException("shape: Q8_0 rows must be multiples of 32 (Embedding, FeedForward)", nameof(shape));
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, shape.FileName);
        var tokenizer = GgufKv.ReadTokenizer(donorGguf);
        var vocab = tokenizer.VocabSize;
        var tensors = Tensors(shape, vocab);
        long perToken = tensors.Where(t => t.Name != "token_embd.weight").Sum(t => t.Bytes);
        if (!File.Exists(path))
        {
            var tmp = path + "." + Environment.ProcessId + ".tmp";
            Write(tmp, shape, tokenizer, tensors, cancellationToken);
            File.Move(tmp, path, overwrite: true);
        }
        return new Generated(path, new FileInfo(path).Length, perToken, vocab);
    }

    private sealed record TensorSpec(string Name, long[] Dims, uint Type)
    {
        public long Elements => Dims.Aggregate(1L, (a, b) => a * b);
        public long Bytes => Type switch { TypeF16 => Elements * 2, TypeQ8_0 => Elements / Q8Block * Q8BlockBytes, _ => Elements * 4 };
    }

    private static List<TensorSpec> Tensors(LlmSyntheticShape s, int vocab)
    {
        var kv = s.Embedding / s.Heads * s.KvHeads;
        var typeW = s.WeightType == LlmWeightType.Q8_0 ? TypeQ8_0 : TypeF16;
        var list = new List<TensorSpec>
        {
            new("token_embd.weight", [s.Embedding, vocab], typeW),
            new("output_norm.weight", [s.Embedding], TypeF32),
            new("output.weight", [s.Embedding, vocab], typeW),
        };
        for (var i = 0; i < s.Layers; i++)
        {
            list.Add(new($"blk.{i}.attn_norm.weight", [s.Embedding], TypeF32));
            list.Add(new($"blk.{i}.attn_q.weight", [s.Embedding, s.Embedding], typeW));
            list.Add(new($"blk.{i}.attn_k.weight", [s.Embedding, kv], typeW));
            list.Add(new($"blk.{i}.attn_v.weight", [s.Embedding, kv], typeW));
            list.Add(new($"blk.{i}.attn_output.weight", [s.Embedding, s.Embedding], typeW));
            list.Add(new($"blk.{i}.ffn_norm.weight", [s.Embedding], TypeF32));
            list.Add(new($"blk.{i}.ffn_gate.weight", [s.Embedding, s.FeedForward], typeW));
            list.Add(new($"blk.{i}.ffn_down.weight", [s.FeedForward, s.Embedding], typeW));
            list.Add(new($"blk.{i}.ffn_up.weight", [s.Embedding, s.FeedForward], typeW));
        }
        return list;
    }

    private static void Write(string path, LlmSyntheticShape s, GgufKv.Tokenizer tokenizer, List<TensorSpec> tensors, CancellationToken ct)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        var kvs = new List<Action>
        {
            () => { Str(w, "general.architecture"); w.Write(8u); Str(w, "llama"); },
            () => { Str(w, "general.name"); w.Write(8u); Str(w, "reportgen random llama"); },
            () => U32(w, "general.alignment", Alignment),
            () => U32(w, "llama.context_length", (uint)s.Context),
            () => U32(w, "llama.embedding_length", (uint)s.Embedding),
            () => U32(w, "llama.block_count", (uint)s.Layers),
            () => U32(w, "llama.feed_forward_length", (uint)s.FeedForward),
            () => U32(w, "llama.rope.dimension_count", (uint)(s.Embedding / s.Heads)),
            () => U32(w, "llama.attention.head_count", (uint)s.Heads),
            () => U32(w, "llama.attention.head_count_kv", (uint)s.KvHeads),
            () => { Str(w, "llama.attention.layer_norm_rms_epsilon"); w.Write(6u); w.Write(1e-5f); },
            () => { Str(w, "llama.rope.freq_base"); w.Write(6u); w.Write(10000f); },
            () => U32(w, "general.file_type", s.WeightType == LlmWeightType.Q8_0 ? 7u : 1u), // LLAMA_FTYPE_MOSTLY_Q8_0 / _F16
        };
        w.Write(GgufMagic);
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        w.Write((ulong)(kvs.Count + tokenizer.RawEntries.Count));
        kvs.ForEach(a => a());
        foreach (var raw in tokenizer.RawEntries) w.Write(raw); // key + type + value, verbatim from the donor
        ulong offset = 0;
        foreach (var t in tensors)
        {
            Str(w, t.Name);
            w.Write((uint)t.Dims.Length);
            foreach (var d in t.Dims) w.Write((ulong)d);
            w.Write(t.Type);
            w.Write(offset);
            offset += Align((ulong)t.Bytes);
        }
        w.Flush();
        Pad(stream);
        var rng = new XorShift(s.Seed);
        var buffer = new byte[Q8BlockBytes * 30_000]; // a whole number of Q8_0 blocks and of halves
        foreach (var t in tensors)
        {
            ct.ThrowIfCancellationRequested();
            var isNorm = t.Type == TypeF32;
            for (long done = 0; done < t.Bytes;)
            {
                var n = (int)Math.Min(buffer.Length, t.Bytes - done);
                if (isNorm) FillOnes(buffer.AsSpan(0, n));
                else if (t.Type == TypeQ8_0) rng.FillQ8_0(buffer.AsSpan(0, n));
                else rng.FillHalf(buffer.AsSpan(0, n));
                stream.Write(buffer, 0, n);
                done += n;
            }
            Pad(stream);
        }
    }

    private static void FillOnes(Span<byte> bytes)
    {
        var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes);
        floats.Fill(1f); // RMS-norm gains of 1 keep activations in range
    }

    private static ulong Align(ulong n) => (n + Alignment - 1) / Alignment * Alignment;

    private static void Pad(Stream stream)
    {
        var pad = (int)((Alignment - stream.Position % Alignment) % Alignment);
        for (var i = 0; i < pad; i++) stream.WriteByte(0);
    }

    private static void Str(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void U32(BinaryWriter w, string key, uint value)
    {
        Str(w, key);
        w.Write(4u);
        w.Write(value);
    }

    /// <summary>Seeded xorshift64*; writes F16 values uniform in about ±0.03 (finite, no NaN/Inf).</summary>
    private sealed class XorShift(uint seed)
    {
        private ulong _state = seed * 0x9E3779B97F4A7C15UL + 1;

        public void FillHalf(Span<byte> bytes)
        {
            var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(bytes);
            for (var i = 0; i < halves.Length; i++)
            {
                _state ^= _state >> 12; _state ^= _state << 25; _state ^= _state >> 27;
                var r = (_state * 0x2545F4914F6CDD1DUL) >> 40; // 24 random bits
                halves[i] = (Half)((r * (1.0f / (1 << 24)) - 0.5f) * 0.06f);
            }
        }

        /// <summary>Q8_0 blocks: scale 0.03/127 and int8 values uniform in [-127, 127], so weights span the same ±0.03.</summary>
        public void FillQ8_0(Span<byte> bytes)
        {
            var scale = (Half)(0.03f / 127);
            for (var b = 0; b + Q8BlockBytes <= bytes.Length; b += Q8BlockBytes)
            {
                System.Runtime.InteropServices.MemoryMarshal.Write(bytes.Slice(b, 2), in scale);
                for (var i = 0; i < Q8Block; i += 4)
                {
                    _state ^= _state >> 12; _state ^= _state << 25; _state ^= _state >> 27;
                    var r = _state * 0x2545F4914F6CDD1DUL;
                    for (var k = 0; k < 4; k++)
                        bytes[b + 2 + i + k] = (byte)(sbyte)((int)((r >> (16 * k)) & 0xFFFF) % 255 - 127);
                }
            }
        }
    }
}
