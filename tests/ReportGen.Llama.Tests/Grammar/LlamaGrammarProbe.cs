using System.Runtime.InteropServices;
using System.Text;
using ReportGen.Llama.Native;

namespace ReportGen.Llama.Tests.Grammar;

/// <summary>
/// Drives llama.cpp's grammar sampler directly over a model's vocabulary: whether a grammar parses (through the
/// runtime's own sampler-chain construction) and random walks through it. llama_sampler_apply/accept are not
/// part of the runtime's binding, so the walk binds those two through function pointers.
/// </summary>
internal sealed unsafe class LlamaGrammarProbe(LlamaModel model)
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TokenData
    {
        public int Id;
        public float Logit;
        public float P;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TokenDataArray
    {
        public TokenData* Data;
        public nuint Size;
        public long Selected;
        public byte Sorted;
    }

    private static readonly IntPtr Library = LoadLibrary();
    private static readonly delegate* unmanaged<IntPtr, TokenDataArray*, void> Apply = (delegate* unmanaged<IntPtr, TokenDataArray*, void>)NativeLibrary.GetExport(Library, "llama_sampler_apply");
    private static readonly delegate* unmanaged<IntPtr, int, void> Accept = (delegate* unmanaged<IntPtr, int, void>)NativeLibrary.GetExport(Library, "llama_sampler_accept");

    private readonly byte[][] _pieces = Enumerable.Range(0, model.VocabSize).Select(t => model.TokenToBytes(t)).ToArray();

    /// <summary>Whether the runtime accepts the grammar (llama.cpp's parser; it names the problem when it does not).</summary>
    public bool Parses(string grammar)
    {
        try
        {
            using var chain = new SamplingOptions { Grammar = new GbnfGrammar(grammar) }.CreateChain(model);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// A random walk through the grammar as the sampler sees it: random logits over the whole vocabulary,
    /// the grammar masks what it forbids, a token is drawn uniformly from what is left and accepted. End of
    /// generation is taken with probability <paramref name="stopBias"/> whenever the grammar allows it.
    /// Like a real sampler should, it also masks byte-fallback tokens that would make the output invalid UTF-8:
    /// llama.cpp's grammar decodes bytes leniently (an overlong sequence such as E0 8F BC reads as U+03FC),
    /// so the grammar alone cannot exclude them. Returns the text, or null when <paramref name="maxTokens"/> ran out first.
    /// </summary>
    public string? Walk(string grammar, Random random, int maxTokens = 4000, double stopBias = 0.5)
    {
        using var sampler = new SafeLlamaSamplerHandle(LlamaNative.llama_sampler_init_grammar(model.Vocab, grammar, "root"));
        if (sampler.IsInvalid) throw new InvalidOperationException("grammar did not parse");
        var handle = sampler.DangerousGetHandle();
        var candidates = new TokenData[_pieces.Length];
        var bytes = new List<byte>();
        for (var step = 0; step < maxTokens; step++)
        {
            for (var i = 0; i < candidates.Length; i++) candidates[i] = new TokenData { Id = i, Logit = (float)random.NextDouble() };
            int chosen;
            fixed (TokenData* data = candidates)
            {
                var array = new TokenDataArray { Data = data, Size = (nuint)candidates.Length, Selected = -1 };
                Apply(handle, &array);
                var allowed = new List<int>();
                var stop = -1;
                for (var i = 0; i < (int)array.Size; i++)
                {
                    var token = array.Data[i].Id;
                    if (float.IsNegativeInfinity(array.Data[i].Logit)) continue;
                    if (model.IsEndOfGeneration(token)) stop = token;
                    else if (_pieces[token].Length > 0 && StaysValidUtf8(bytes, _pieces[token])) allowed.Add(token);
                }
                if (stop >= 0 && (allowed.Count == 0 || random.NextDouble() < stopBias)) return Encoding.UTF8.GetString(bytes.ToArray());
                if (allowed.Count == 0) throw new InvalidOperationException("the grammar allows no token and no end: it is stuck");
                chosen = allowed[random.Next(allowed.Count)];
            }
            Accept(handle, chosen);
            bytes.AddRange(_pieces[chosen]);
        }
        return null;
    }

    // True when text + piece is valid UTF-8 or a valid prefix of it (an incomplete last sequence is fine).
    private static bool StaysValidUtf8(List<byte> text, byte[] piece)
    {
        ReadOnlySpan<byte> bytes = [.. text, .. piece];
        while (!bytes.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(bytes, out _, out var consumed);
            if (status == System.Buffers.OperationStatus.NeedMoreData) return true;
            if (status != System.Buffers.OperationStatus.Done) return false;
            bytes = bytes[consumed..];
        }
        return true;
    }

    private static IntPtr LoadLibrary()
    {
        LlamaLibrary.EnsureInitialised();
        var file = Directory.EnumerateFiles(LlamaLibrary.Directory, "libllama.v*.so").Order(StringComparer.Ordinal).First();
        return NativeLibrary.Load(file);
    }
}
