using System.Runtime.InteropServices;
using System.Text;
using ReportGen.Llama.Native;

namespace ReportGen.Llama.Tests.Grammar;

/// <summary>
/// Test-only access to llama.cpp's own grammar parser and grammar sampler over a vocab-only model load.
/// It exists because the runtime's binding (branch llm-runtime) had not landed when the converter was
/// written; once it has, these tests should move to the runtime's API. Functions are bound through
/// function pointers so this assembly needs no DllImport resolver of its own.
/// </summary>
internal sealed unsafe class LlamaGrammarProbe : IDisposable
{
    [StructLayout(LayoutKind.Explicit, Size = 80)]
    private struct ModelParams
    {
        [FieldOffset(72)] public byte VocabOnly;
    }

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
    private static readonly delegate* unmanaged<ModelParams> DefaultParams = (delegate* unmanaged<ModelParams>)Export("llama_model_default_params");
    private static readonly delegate* unmanaged<byte*, ModelParams, IntPtr> LoadModel = (delegate* unmanaged<byte*, ModelParams, IntPtr>)Export("llama_model_load_from_file");
    private static readonly delegate* unmanaged<IntPtr, void> FreeModel = (delegate* unmanaged<IntPtr, void>)Export("llama_model_free");
    private static readonly delegate* unmanaged<IntPtr, IntPtr> GetVocab = (delegate* unmanaged<IntPtr, IntPtr>)Export("llama_model_get_vocab");
    private static readonly delegate* unmanaged<IntPtr, int> VocabSize = (delegate* unmanaged<IntPtr, int>)Export("llama_vocab_n_tokens");
    private static readonly delegate* unmanaged<IntPtr, int, byte> IsEndOfGeneration = (delegate* unmanaged<IntPtr, int, byte>)Export("llama_vocab_is_eog");
    private static readonly delegate* unmanaged<IntPtr, int, byte*, int, int, byte, int> TokenToPiece = (delegate* unmanaged<IntPtr, int, byte*, int, int, byte, int>)Export("llama_token_to_piece");
    private static readonly delegate* unmanaged<IntPtr, byte*, byte*, IntPtr> InitGrammar = (delegate* unmanaged<IntPtr, byte*, byte*, IntPtr>)Export("llama_sampler_init_grammar");
    private static readonly delegate* unmanaged<IntPtr, TokenDataArray*, void> Apply = (delegate* unmanaged<IntPtr, TokenDataArray*, void>)Export("llama_sampler_apply");
    private static readonly delegate* unmanaged<IntPtr, int, void> Accept = (delegate* unmanaged<IntPtr, int, void>)Export("llama_sampler_accept");
    private static readonly delegate* unmanaged<IntPtr, void> FreeSampler = (delegate* unmanaged<IntPtr, void>)Export("llama_sampler_free");

    private readonly IntPtr _model;
    private readonly IntPtr _vocab;
    private readonly byte[][] _pieces;

    public LlamaGrammarProbe(string modelPath)
    {
        var parameters = DefaultParams();
        parameters.VocabOnly = 1;
        fixed (byte* path = Utf8(modelPath))
        {
            _model = LoadModel(path, parameters);
        }
        if (_model == IntPtr.Zero) throw new InvalidOperationException($"llama.cpp could not load {modelPath}");
        _vocab = GetVocab(_model);
        _pieces = new byte[VocabSize(_vocab)][];
        var buffer = stackalloc byte[256];
        for (var token = 0; token < _pieces.Length; token++)
        {
            var n = TokenToPiece(_vocab, token, buffer, 256, 0, 0);
            _pieces[token] = n > 0 ? new ReadOnlySpan<byte>(buffer, n).ToArray() : [];
        }
    }

    /// <summary>Whether llama.cpp's GBNF parser accepts the grammar (it returns NULL and logs the reason when it does not).</summary>
    public bool Parses(string grammar)
    {
        var sampler = CreateSampler(grammar);
        if (sampler == IntPtr.Zero) return false;
        FreeSampler(sampler);
        return true;
    }

    /// <summary>
    /// A random walk through the grammar as the sampler sees it: random logits over the whole vocabulary,
    /// the grammar masks what it forbids, a token is drawn from what is left and accepted. End of
    /// generation is taken with probability <paramref name="stopBias"/> whenever the grammar allows it.
    /// Like a real sampler must, it also masks byte-fallback tokens that would make the output invalid UTF-8:
    /// llama.cpp's grammar decodes bytes leniently (an overlong sequence such as E0 8F BC reads as U+03FC),
    /// so the grammar alone cannot exclude them. Returns the text, or null when <paramref name="maxTokens"/> ran out first.
    /// </summary>
    public string? Walk(string grammar, Random random, int maxTokens = 4000, double stopBias = 0.5)
    {
        var sampler = CreateSampler(grammar);
        if (sampler == IntPtr.Zero) throw new InvalidOperationException("grammar did not parse");
        var candidates = new TokenData[_pieces.Length];
        var bytes = new List<byte>();
        try
        {
            for (var step = 0; step < maxTokens; step++)
            {
                for (var i = 0; i < candidates.Length; i++) candidates[i] = new TokenData { Id = i, Logit = (float)random.NextDouble() };
                int chosen;
                fixed (TokenData* data = candidates)
                {
                    var array = new TokenDataArray { Data = data, Size = (nuint)candidates.Length, Selected = -1 };
                    Apply(sampler, &array);
                    var allowed = new List<int>();
                    var stop = -1;
                    for (var i = 0; i < (int)array.Size; i++)
                    {
                        if (float.IsNegativeInfinity(array.Data[i].Logit)) continue;
                        if (IsEndOfGeneration(_vocab, array.Data[i].Id) != 0) stop = array.Data[i].Id;
                        else if (_pieces[array.Data[i].Id].Length > 0 && StaysValidUtf8(bytes, _pieces[array.Data[i].Id])) allowed.Add(array.Data[i].Id);
                    }
                    if (stop >= 0 && (allowed.Count == 0 || random.NextDouble() < stopBias)) return Encoding.UTF8.GetString(bytes.ToArray());
                    if (allowed.Count == 0) throw new InvalidOperationException("the grammar allows no token and no end: it is stuck");
                    chosen = allowed[random.Next(allowed.Count)];
                }
                Accept(sampler, chosen);
                bytes.AddRange(_pieces[chosen]);
            }
            return null;
        }
        finally
        {
            FreeSampler(sampler);
        }
    }

    public void Dispose() => FreeModel(_model);

    // True when text + piece is valid UTF-8 or a valid prefix of it (an incomplete last sequence is fine).
    private static bool StaysValidUtf8(List<byte> text, byte[] piece)
    {
        ReadOnlySpan<byte> bytes = [.. text, .. piece];
        while (!bytes.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes, out _, out var consumed);
            if (status == System.Buffers.OperationStatus.NeedMoreData) return true;
            if (status != System.Buffers.OperationStatus.Done) return false;
            bytes = bytes[consumed..];
        }
        return true;
    }

    private IntPtr CreateSampler(string grammar)
    {
        fixed (byte* text = Utf8(grammar))
        fixed (byte* root = Utf8("root"))
        {
            return InitGrammar(_vocab, text, root);
        }
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text + "\0");

    private static IntPtr LoadLibrary()
    {
        LlamaLibrary.EnsureInitialised();
        var file = Directory.EnumerateFiles(LlamaLibrary.Directory, "libllama.v*.so").Order(StringComparer.Ordinal).First();
        return NativeLibrary.Load(file);
    }

    private static IntPtr Export(string name) => NativeLibrary.GetExport(Library, name);
}
