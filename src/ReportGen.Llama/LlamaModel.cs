using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using ReportGen.Llama.Native;

namespace ReportGen.Llama;

/// <summary>
/// A loaded GGUF model: weights (or only the vocabulary), metadata, tokenizer and chat template.
/// Load once and share: any number of contexts and schedulers can use one model; each context keeps
/// the native model alive until it is disposed too. Tokenisation is thread-safe.
/// </summary>
public sealed unsafe class LlamaModel : IDisposable
{
    private LlamaModel(string path, SafeLlamaModelHandle handle, LlamaModelOptions options)
    {
        Path = path;
        Handle = handle;
        Options = options;
        Vocab = LlamaNative.llama_model_get_vocab(handle);
        Architecture = GetMetadata("general.architecture") ?? "unknown";
        TrainContextLength = LlamaNative.llama_model_n_ctx_train(handle);
        EmbeddingSize = LlamaNative.llama_model_n_embd(handle);
        InputEmbeddingSize = LlamaNative.llama_model_n_embd_inp(handle);
        // llama_hparams::n_pos_per_embd: M-RoPE and interleaved M-RoPE models read 4 positions per embedding row
        const int RopeTypeMrope = 8, RopeTypeImrope = 40;
        var ropeType = LlamaNative.llama_model_rope_type(handle);
        PositionsPerEmbedding = ropeType is RopeTypeMrope or RopeTypeImrope ? 4 : 1;
        LayerCount = LlamaNative.llama_model_n_layer(handle);
        VocabSize = LlamaNative.llama_vocab_n_tokens(Vocab);
        BosToken = LlamaNative.llama_vocab_bos(Vocab);
        EosToken = LlamaNative.llama_vocab_eos(Vocab);
        AddsBos = LlamaNative.llama_vocab_get_add_bos(Vocab);
        ChatTemplate = options.ChatTemplate ?? Marshal.PtrToStringUTF8(LlamaNative.llama_model_chat_template(handle, IntPtr.Zero));
        Span<byte> buf = stackalloc byte[256];
        fixed (byte* p = buf)
        {
            var n = LlamaNative.llama_model_desc(handle, p, (nuint)buf.Length);
            Description = n > 0 ? Encoding.UTF8.GetString(buf[..Math.Min(n, buf.Length - 1)]) : Architecture;
        }
        if (!options.VocabOnly)
        {
            ParameterCount = (long)LlamaNative.llama_model_n_params(handle);
            SizeBytes = (long)LlamaNative.llama_model_size(handle);
        }
    }

    internal SafeLlamaModelHandle Handle { get; }
    internal IntPtr Vocab { get; }

    /// <summary>The GGUF file.</summary>
    public string Path { get; }
    /// <summary>How it was loaded.</summary>
    public LlamaModelOptions Options { get; }
    /// <summary>GGUF <c>general.architecture</c> (e.g. llama).</summary>
    public string Architecture { get; }
    /// <summary>llama.cpp's one-line description (type, size, quantisation).</summary>
    public string Description { get; }
    /// <summary>Context length the model was trained with.</summary>
    public int TrainContextLength { get; }
    /// <summary>Hidden (embedding) size.</summary>
    public int EmbeddingSize { get; }
    /// <summary>Size of one input embedding row, the dimension injected image embeddings must have.</summary>
    public int InputEmbeddingSize { get; }
    /// <summary>
    /// Positions each injected embedding row carries: 4 for M-RoPE models (Qwen2-VL family: time, height, width, spare),
    /// else 1. Text tokens always carry one (llama.cpp copies it to every section).
    /// </summary>
    public int PositionsPerEmbedding { get; }
    /// <summary>Transformer layers.</summary>
    public int LayerCount { get; }
    /// <summary>Vocabulary size.</summary>
    public int VocabSize { get; }
    /// <summary>Parameters (0 for a vocab-only load).</summary>
    public long ParameterCount { get; }
    /// <summary>Bytes of weights (0 for a vocab-only load).</summary>
    public long SizeBytes { get; }
    /// <summary>Beginning-of-sequence token, or -1.</summary>
    public int BosToken { get; }
    /// <summary>End-of-sequence token, or -1.</summary>
    public int EosToken { get; }
    /// <summary>Whether tokenising with special tokens prepends BOS.</summary>
    public bool AddsBos { get; }
    /// <summary>The chat template (override, else the GGUF's <c>tokenizer.chat_template</c>), or null when there is none.</summary>
    public string? ChatTemplate { get; }
    /// <summary>Whether only the vocabulary was loaded.</summary>
    public bool IsVocabOnly => Options.VocabOnly;

    /// <summary>Loads a model synchronously.</summary>
    public static LlamaModel Load(string path, LlamaModelOptions? options = null) =>
        LoadCore(path, options ?? new LlamaModelOptions(), null, CancellationToken.None);

    /// <summary>
    /// Loads a model on a worker thread, reporting progress in [0, 1]. Cancelling aborts the native load
    /// (the progress callback returns false) and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="LlamaException">llama.cpp could not load it (not a GGUF, unsupported architecture...).</exception>
    public static Task<LlamaModel> LoadAsync(string path, LlamaModelOptions? options = null, IProgress<float>? progress = null,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Factory.StartNew(() => LoadCore(path, options ?? new LlamaModelOptions(), progress, cancellationToken),
            cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private sealed class LoadState(IProgress<float>? progress, CancellationToken token)
    {
        public IProgress<float>? Progress { get; } = progress;
        public CancellationToken Token { get; } = token;
    }

    private static LlamaModel LoadCore(string path, LlamaModelOptions options, IProgress<float>? progress, CancellationToken token)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {path}", path);
        LlamaLibrary.EnsureInitialised();
        var p = LlamaNative.llama_model_default_params();
        p.NGpuLayers = options.GpuLayers;
        p.VocabOnly = options.VocabOnly ? (byte)1 : (byte)0;
        p.LoadMode = options.UseMemoryMap ? 1 : 0; // LLAMA_LOAD_MODE_MMAP / NONE
        var state = GCHandle.Alloc(new LoadState(progress, token));
        try
        {
            p.ProgressCallback = (IntPtr)(delegate* unmanaged[Cdecl]<float, IntPtr, byte>)&OnProgress;
            p.ProgressCallbackUserData = GCHandle.ToIntPtr(state);
            var model = LlamaNative.llama_model_load_from_file(path, p);
            if (model == IntPtr.Zero)
            {
                token.ThrowIfCancellationRequested();
                throw new LlamaException($"llama.cpp could not load {System.IO.Path.GetFileName(path)} (not a GGUF, truncated, or an unsupported architecture; llama.cpp's log says why)");
            }
            var handle = new SafeLlamaModelHandle(model);
            if (token.IsCancellationRequested)
            {
                handle.Dispose();
                token.ThrowIfCancellationRequested();
            }
            return new LlamaModel(path, handle, options);
        }
        finally
        {
            state.Free();
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static byte OnProgress(float progress, IntPtr userData)
    {
        try
        {
            var state = (LoadState)GCHandle.FromIntPtr(userData).Target!;
            if (state.Token.IsCancellationRequested) return 0;
            state.Progress?.Report(progress);
            return 1;
        }
        catch
        {
            return 0; // never unwind into native code; a failing progress sink aborts the load
        }
    }

    /// <summary>A GGUF metadata value as a string (scalars only), or null when absent.</summary>
    public string? GetMetadata(string key)
    {
        var size = 256;
        while (true)
        {
            var buf = new byte[size];
            int n;
            fixed (byte* p = buf) n = LlamaNative.llama_model_meta_val_str(Handle, key, p, (nuint)buf.Length);
            if (n < 0) return null;
            if (n < size) return Encoding.UTF8.GetString(buf, 0, n);
            size = n + 1;
        }
    }

    /// <summary>Whether a token ends generation (EOS, EOT, ...).</summary>
    public bool IsEndOfGeneration(int token) => LlamaNative.llama_vocab_is_eog(Vocab, token);

    private int[]? _endOfGenerationTokens;

    /// <summary>Every token that ends generation (found once per model by scanning the vocabulary).</summary>
    public IReadOnlyList<int> EndOfGenerationTokens =>
        _endOfGenerationTokens ??= Enumerable.Range(0, VocabSize).Where(IsEndOfGeneration).ToArray();

    /// <summary>Tokenises text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="addSpecial">Add BOS/EOS as the model is configured to.</param>
    /// <param name="parseSpecial">Recognise special-token text such as &lt;s&gt; as the special tokens.</param>
    public int[] Tokenize(string text, bool addSpecial = true, bool parseSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text);
        var tokens = new int[bytes.Length + 4];
        while (true)
        {
            int n;
            fixed (byte* t = bytes)
            fixed (int* o = tokens)
                n = LlamaNative.llama_tokenize(Vocab, t, bytes.Length, o, tokens.Length, addSpecial, parseSpecial);
            if (n == int.MinValue) throw new ArgumentException("text is too long to tokenise", nameof(text));
            if (n >= 0) return tokens.AsSpan(0, n).ToArray();
            tokens = new int[-n];
        }
    }

    /// <summary>The raw bytes of one token (may be part of a UTF-8 character for byte-fallback tokens).</summary>
    /// <param name="token">The token.</param>
    /// <param name="renderSpecial">Render special tokens (e.g. &lt;/s&gt;) as text instead of nothing.</param>
    public byte[] TokenToBytes(int token, bool renderSpecial = false)
    {
        Span<byte> small = stackalloc byte[64];
        int n;
        fixed (byte* p = small) n = LlamaNative.llama_token_to_piece(Vocab, token, p, small.Length, 0, renderSpecial);
        if (n >= 0) return small[..n].ToArray();
        var big = new byte[-n];
        fixed (byte* p = big) n = LlamaNative.llama_token_to_piece(Vocab, token, p, big.Length, 0, renderSpecial);
        return big.AsSpan(0, Math.Max(n, 0)).ToArray();
    }

    /// <summary>
    /// The raw bytes of one token, written into <paramref name="scratch"/> (grown when too small): the decode loop's
    /// allocation-free form of <see cref="TokenToBytes(int, bool)"/>. The span is valid until the next call.
    /// </summary>
    internal ReadOnlySpan<byte> TokenToBytes(int token, ref byte[] scratch)
    {
        int n;
        fixed (byte* p = scratch) n = LlamaNative.llama_token_to_piece(Vocab, token, p, scratch.Length, 0, false);
        if (n >= 0) return scratch.AsSpan(0, n);
        scratch = new byte[-n];
        fixed (byte* p = scratch) n = LlamaNative.llama_token_to_piece(Vocab, token, p, scratch.Length, 0, false);
        return scratch.AsSpan(0, Math.Max(n, 0));
    }

    /// <summary>Turns tokens back into text (the inverse of <see cref="Tokenize"/>).</summary>
    /// <param name="tokens">The tokens.</param>
    /// <param name="removeSpecial">Drop a leading BOS / trailing EOS the model adds.</param>
    /// <param name="renderSpecial">Render special tokens as text.</param>
    public string Detokenize(ReadOnlySpan<int> tokens, bool removeSpecial = false, bool renderSpecial = false)
    {
        var buf = new byte[Math.Max(16, tokens.Length * 8)];
        while (true)
        {
            int n;
            fixed (int* t = tokens)
            fixed (byte* o = buf)
                n = LlamaNative.llama_detokenize(Vocab, t, tokens.Length, o, buf.Length, removeSpecial, renderSpecial);
            if (n >= 0) return Encoding.UTF8.GetString(buf, 0, n);
            buf = new byte[-n];
        }
    }

    /// <summary>
    /// Formats a conversation with the model's chat template through <c>llama_chat_apply_template</c>.
    /// A model without a template (e.g. a base model such as stories260K) gets the plain fallback: the
    /// message contents joined by newlines, no role markers, so a completion model simply continues the text.
    /// </summary>
    /// <param name="messages">The conversation.</param>
    /// <param name="addAssistantPrefix">End with the tokens that open the assistant's reply.</param>
    /// <exception cref="NotSupportedException">The template is not one llama.cpp recognises.</exception>
    public string ApplyChatTemplate(IReadOnlyList<LlamaChatTurn> messages, bool addAssistantPrefix = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (ChatTemplate is null) return string.Join("\n", messages.Select(m => m.Content));

        var pinned = new List<IntPtr>();
        try
        {
            var chat = new LlamaChatMessage[messages.Count];
            var total = 0;
            for (var i = 0; i < messages.Count; i++)
            {
                var role = Marshal.StringToCoTaskMemUTF8(messages[i].Role);
                var content = Marshal.StringToCoTaskMemUTF8(messages[i].Content);
                pinned.Add(role);
                pinned.Add(content);
                chat[i] = new LlamaChatMessage { Role = role, Content = content };
                total += Encoding.UTF8.GetByteCount(messages[i].Content) + messages[i].Role.Length;
            }
            var tmpl = Marshal.StringToCoTaskMemUTF8(ChatTemplate);
            pinned.Add(tmpl);
            var buf = new byte[2 * total + 512];
            while (true)
            {
                int n;
                fixed (LlamaChatMessage* c = chat)
                fixed (byte* o = buf)
                    n = LlamaNative.llama_chat_apply_template((byte*)tmpl, c, (nuint)chat.Length, addAssistantPrefix, o, buf.Length);
                if (n < 0)
                    throw new NotSupportedException("the model's chat template is not one llama_chat_apply_template supports; set a template name (e.g. chatml, llama3) in the model manifest's chatTemplate");
                if (n <= buf.Length) return Encoding.UTF8.GetString(buf, 0, n);
                buf = new byte[n];
            }
        }
        finally
        {
            foreach (var p in pinned) Marshal.FreeCoTaskMem(p);
        }
    }

    /// <summary>Creates a context (KV cache) over this model.</summary>
    /// <exception cref="InvalidOperationException">The model was loaded vocab-only.</exception>
    public LlamaContext CreateContext(LlamaContextOptions? options = null)
    {
        if (IsVocabOnly) throw new InvalidOperationException("a vocab-only model cannot run; load it without VocabOnly");
        return new LlamaContext(this, options ?? new LlamaContextOptions());
    }

    /// <summary>Releases this reference to the native model (contexts still using it keep it alive).</summary>
    public void Dispose() => Handle.Dispose();
}
