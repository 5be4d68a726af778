using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using ReportGen.Core.Imaging;
using ReportGen.Core.Models;
using ReportGen.Llama.Native;

namespace ReportGen.Llama;

/// <summary>How an mmproj is loaded by <see cref="MultimodalProjector.Load"/>.</summary>
public sealed record MultimodalProjectorOptions
{
    /// <summary>CPU threads for the vision encoder; 0 = one per processor.</summary>
    public int Threads { get; init; }

    /// <summary>Run the encoder on the GPU when the runtime has one (CUDA build).</summary>
    public bool UseGpu { get; init; }

    /// <summary>Run one warm-up encode at load (llama.cpp's default), so the first request does not pay for graph allocation.</summary>
    public bool Warmup { get; init; } = true;
}

/// <summary>
/// A vision projector file (<c>mmproj</c> GGUF) run by llama.cpp's multimodal library (libmtmd) for one loaded LLM:
/// it splits a prompt with media markers into text tokens and image chunks (<c>mtmd_tokenize</c>) and encodes each
/// image chunk into rows of the LLM's input embeddings (<c>mtmd_encode_chunk</c>, <c>mtmd_get_output_embd</c>). The
/// result is a <see cref="LlamaPrompt"/> of <see cref="TokenPart"/>s and <see cref="EmbeddingPart"/>s that the
/// <see cref="SequenceScheduler"/> decodes like any other prompt, batched with other requests. Families whose image
/// tokens attend to each other (Gemma 3) mark their parts <see cref="EmbeddingPart.NonCausal"/>; M-RoPE projectors
/// (the Qwen2-VL family) give their parts <see cref="EmbeddingPart.Mrope"/> positions. Encoding is serialised (one mtmd context); tokenising is thread-safe.
/// </summary>
public sealed unsafe class MultimodalProjector : IDisposable
{
    private readonly Lock _encodeGate = new();

    private MultimodalProjector(LlamaModel model, string path, string projectorType, SafeMtmdContextHandle handle, Preprocessing? view)
    {
        View = view;
        Model = model;
        Path = path;
        ProjectorType = projectorType;
        Handle = handle;
        Marker = Marshal.PtrToStringUTF8(MtmdNative.mtmd_get_marker(handle)) ?? DefaultMarker;
        UsesNonCausalAttention = MtmdNative.mtmd_decode_use_non_causal(handle, IntPtr.Zero);
        UsesMrope = MtmdNative.mtmd_decode_use_mrope(handle);
    }

    internal SafeMtmdContextHandle Handle { get; }

    /// <summary>The LLM the projector maps into.</summary>
    public LlamaModel Model { get; }

    /// <summary>The mmproj file.</summary>
    public string Path { get; }

    /// <summary>The GGUF's <c>clip.projector_type</c> (e.g. <c>mlp</c> for LLaVA 1.5, <c>gemma3</c>), or "unknown".</summary>
    public string ProjectorType { get; }

    /// <summary>The text that stands for one image in a prompt (<c>mtmd_default_marker()</c>: <c>&lt;__media__&gt;</c>).</summary>
    public string Marker { get; }

    /// <summary>Whether an image's tokens are decoded with non-causal attention (Gemma 3: all of them in one <c>llama_decode</c>).</summary>
    public bool UsesNonCausalAttention { get; }

    /// <summary>
    /// Whether image tokens carry M-RoPE (time, height, width) positions (<c>mtmd_decode_use_mrope</c>; libmtmd decides it from
    /// the LLM's rope type: the Qwen2-VL family).
    /// </summary>
    public bool UsesMrope { get; }

    /// <summary>
    /// Where an image lands in the model's square input, for projectors that libmtmd feeds through its fixed-size
    /// preprocessor: LLaVA 1.5 style (<c>mlp</c>, <c>mlp_norm</c>, <c>ldp</c>, <c>ldpv2</c> without anyres grid pinpoints) and
    /// Gemma 3, which scale the image to fit <c>clip.vision.image_size</c> and pad the rest (letterbox, rounded up as clip
    /// does). Grounded boxes, given in that square, map back to the original image through it. Null for the others
    /// (tiling or aspect-keeping dynamic sizes such as Qwen2-VL's, whose view is the whole image).
    /// </summary>
    public Preprocessing? View { get; }

    /// <summary>libmtmd's default media marker.</summary>
    public static string DefaultMarker
    {
        get
        {
            LlamaLibrary.EnsureMtmd();
            return Marshal.PtrToStringUTF8(MtmdNative.mtmd_default_marker()) ?? "<__media__>";
        }
    }

    /// <summary>Loads an mmproj for <paramref name="model"/>. Nothing stays loaded when it throws.</summary>
    /// <exception cref="MtmdNotFoundException">libmtmd has not been built.</exception>
    /// <exception cref="FileNotFoundException">No file at <paramref name="mmprojPath"/>.</exception>
    /// <exception cref="MultimodalProjectorException">Not an mmproj, an unsupported projector, no vision input, an embedding
    /// size that differs from the LLM's; the message names the projector and the reason.</exception>
    public static MultimodalProjector Load(LlamaModel model, string mmprojPath, MultimodalProjectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new MultimodalProjectorOptions();
        if (!File.Exists(mmprojPath)) throw new FileNotFoundException($"mmproj file not found: {mmprojPath}", mmprojPath);
        if (model.IsVocabOnly) throw new ArgumentException("the LLM was loaded vocab-only; an mmproj needs its weights", nameof(model));
        LlamaLibrary.EnsureMtmd();
        var name = System.IO.Path.GetFileName(mmprojPath);
        var type = ReadProjectorType(mmprojPath)
            ?? throw new MultimodalProjectorException($"{name} is not an mmproj GGUF (no clip.projector_type)", "unknown");

        // Name an unknown projector before libmtmd fails on it with a less specific message.
        if (MtmdBuildInfo.Read(LlamaLibrary.Directory) is { } build && !build.ProjectorTypes.Contains(type, StringComparer.Ordinal))
            throw new MultimodalProjectorException($"{name}: projector type '{type}' is not supported by this libmtmd ({build.Commit[..Math.Min(12, build.Commit.Length)]})", type);

        var p = MtmdNative.mtmd_context_params_default();
        p.UseGpu = options.UseGpu ? (byte)1 : (byte)0;
        p.PrintTimings = 0;
        p.NThreads = options.Threads > 0 ? options.Threads : Math.Max(1, Environment.ProcessorCount);
        p.Warmup = options.Warmup ? (byte)1 : (byte)0;
        var errors = "";
        var handle = new SafeMtmdContextHandle(model.Handle,
            () => LlamaLog.CaptureErrors(() => MtmdNative.mtmd_init_from_file(mmprojPath, model.Handle, p), out errors));
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new MultimodalProjectorException($"{name} (projector '{type}') does not load for {System.IO.Path.GetFileName(model.Path)}: {Explain(errors)}", type);
        }
        try
        {
            if (!MtmdNative.mtmd_support_vision(handle))
                throw new MultimodalProjectorException($"{name} (projector '{type}') has no vision encoder (audio only?)", type);
            return new MultimodalProjector(model, mmprojPath, type, handle, ReadView(mmprojPath, type));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Tokenises <paramref name="text"/>, in which each <see cref="Marker"/> stands for the next of <paramref name="images"/>,
    /// and encodes the images: text chunks become <see cref="TokenPart"/>s, image chunks <see cref="EmbeddingPart"/>s.
    /// </summary>
    /// <param name="text">The prompt (already chat-templated), one <see cref="Marker"/> per image.</param>
    /// <param name="images">The images, in marker order.</param>
    /// <param name="addSpecial">Let the tokenizer add BOS (as the model is configured) to the first text chunk.</param>
    /// <param name="parseSpecial">Parse special-token text such as <c>&lt;start_of_turn&gt;</c>.</param>
    /// <param name="maxPositions">Refuse before encoding when the prompt would take this many positions or more (the context size); 0 = no limit.</param>
    /// <param name="cancellationToken">Checked between image encodes.</param>
    /// <param name="stages">When given, the time of each stage is added to it (benchmarks).</param>
    /// <exception cref="ModelInputException">Marker and image counts differ, an image mtmd cannot preprocess, or a prompt too long for <paramref name="maxPositions"/>.</exception>
    public LlamaPrompt Tokenize(string text, IReadOnlyList<RgbImage> images, bool addSpecial, bool parseSpecial, int maxPositions = 0,
        CancellationToken cancellationToken = default, MultimodalStageTimes? stages = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(images);
        using var chunks = Chunk(text, images, addSpecial, parseSpecial, stages);
        var n = (int)MtmdNative.mtmd_input_chunks_size(chunks);
        var positions = 0;
        for (var i = 0; i < n; i++) positions += (int)MtmdNative.mtmd_input_chunk_get_n_tokens(MtmdNative.mtmd_input_chunks_get(chunks, (nuint)i));
        if (maxPositions > 0 && positions >= maxPositions)
            throw new ModelInputException($"the prompt with its {images.Count} image(s) takes {positions} positions but the context holds {maxPositions}");

        var parts = new List<PromptPart>(n);
        for (var i = 0; i < n; i++)
        {
            var chunk = MtmdNative.mtmd_input_chunks_get(chunks, (nuint)i);
            if (MtmdNative.mtmd_input_chunk_get_type(chunk) == ChunkTypeText)
            {
                nuint count;
                var tokens = MtmdNative.mtmd_input_chunk_get_tokens_text(chunk, &count);
                if (count > 0) parts.Add(new TokenPart(new ReadOnlySpan<int>(tokens, (int)count).ToArray()));
                continue;
            }
            cancellationToken.ThrowIfCancellationRequested();
            parts.Add(EncodeChunk(chunks, chunk, stages));
        }
        return new LlamaPrompt(parts);
    }

    /// <summary>Encodes one image on its own: the rows mtmd produces for it (what parity checks compare).</summary>
    public ImageEmbeddings Encode(RgbImage image)
    {
        var prompt = Tokenize(Marker, [image], addSpecial: false, parseSpecial: true);
        return prompt.Parts.OfType<EmbeddingPart>().Single().Embeddings;
    }

    /// <summary>
    /// llama.cpp's own prefill of a prompt with images on sequence 0 of <paramref name="context"/> (cleared first):
    /// <c>mtmd_tokenize</c>, then <c>mtmd_helper_eval_chunks</c> (encode each image, decode text and images one
    /// sequence at a time), what <c>llama-mtmd-cli</c> runs. For benchmarks and parity checks against our path.
    /// </summary>
    /// <param name="context">The context to prefill (sequence 0).</param>
    /// <param name="text">The prompt (already chat-templated), one <see cref="Marker"/> per image.</param>
    /// <param name="images">The images, in marker order.</param>
    /// <param name="addSpecial">Let the tokenizer add BOS.</param>
    /// <param name="parseSpecial">Parse special-token text.</param>
    /// <param name="stages">When given, the bitmap and tokenize stages are added to it (the helper's encode and decode are one call).</param>
    /// <returns>The positions the prompt took (the next token's position).</returns>
    public int ReferencePrefill(LlamaContext context, string text, IReadOnlyList<RgbImage> images, bool addSpecial = true, bool parseSpecial = true,
        MultimodalStageTimes? stages = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.ClearAll();
        using var chunks = Chunk(text, images, addSpecial, parseSpecial, stages);
        int nPast;
        int rc;
        lock (_encodeGate) rc = MtmdNative.mtmd_helper_eval_chunks(Handle, context.Handle, chunks, 0, 0, context.BatchSize, true, &nPast);
        if (rc != 0) throw new LlamaException($"mtmd_helper_eval_chunks failed ({rc})");
        return nPast;
    }

    private EmbeddingPart EncodeChunk(SafeMtmdInputChunksHandle chunks, IntPtr chunk, MultimodalStageTimes? stages)
    {
        var rows = (int)MtmdNative.mtmd_input_chunk_get_n_tokens(chunk);
        var dimension = Model.InputEmbeddingSize;
        var values = new float[(long)rows * dimension];
        var added = false;
        chunks.DangerousAddRef(ref added); // the chunk lives in the list
        try
        {
            lock (_encodeGate)
            {
                var started = Stopwatch.GetTimestamp();
                var rc = LlamaLog.CaptureErrors(() => MtmdNative.mtmd_encode_chunk(Handle, chunk), out var errors);
                if (rc != 0) throw new LlamaException($"mtmd_encode_chunk failed ({rc}) for projector '{ProjectorType}': {Explain(errors)}");
                var encoded = Stopwatch.GetTimestamp();
                var output = MtmdNative.mtmd_get_output_embd(Handle);
                if (output is null) throw new LlamaException("mtmd_get_output_embd returned no embeddings");
                new ReadOnlySpan<float>(output, values.Length).CopyTo(values);
                if (stages is not null) stages.EncodeMs += Stopwatch.GetElapsedTime(started, encoded).TotalMilliseconds;
                if (stages is not null) stages.CopyMs += Stopwatch.GetElapsedTime(encoded, Stopwatch.GetTimestamp()).TotalMilliseconds;
            }
            return new EmbeddingPart(new ImageEmbeddings(rows, dimension, values))
            {
                Positions = MtmdNative.mtmd_input_chunk_get_n_pos(chunk),
                NonCausal = MtmdNative.mtmd_decode_use_non_causal(Handle, chunk),
                Mrope = UsesMrope ? MropeOf(chunk, rows) : null,
            };
        }
        finally
        {
            chunks.DangerousRelease();
        }
    }

    // The rows' positions as libmtmd's helper decodes them (mtmd_helper_decode_image_chunk → set_position_mrope_2d: sections
    // t, y, x, z). mtmd gives them for a known start; each section is the start plus a constant or a constant alone, so two
    // starts (0 and 1) tell which, and the scheduler places the block wherever the sequence has got to.
    private static MropePositions? MropeOf(IntPtr chunk, int rows)
    {
        var image = MtmdNative.mtmd_input_chunk_get_tokens_image(chunk);
        if (image == IntPtr.Zero) return null; // audio: one position per row in every section
        var offsets = new int[rows * MropePositions.Sections];
        var follows = new bool[offsets.Length];
        for (var i = 0; i < rows; i++)
        {
            var at0 = MtmdNative.mtmd_image_tokens_get_decoder_pos(image, 0, (nuint)i);
            var at1 = MtmdNative.mtmd_image_tokens_get_decoder_pos(image, 1, (nuint)i);
            ReadOnlySpan<uint> a = [at0.T, at0.Y, at0.X, at0.Z], b = [at1.T, at1.Y, at1.X, at1.Z];
            for (var s = 0; s < MropePositions.Sections; s++)
            {
                offsets[i * MropePositions.Sections + s] = (int)a[s];
                follows[i * MropePositions.Sections + s] = b[s] != a[s];
            }
        }
        return new MropePositions(offsets, follows);
    }

    /// <summary>mtmd_tokenize into a chunk list the caller disposes (also used by the reference prefill in tests).</summary>
    internal SafeMtmdInputChunksHandle Chunk(string text, IReadOnlyList<RgbImage> images, bool addSpecial, bool parseSpecial, MultimodalStageTimes? stages = null)
    {
        var markers = CountMarkers(text);
        if (markers != images.Count)
            throw new ModelInputException($"the prompt has {markers} image marker(s) '{Marker}' but {images.Count} image(s) were given");
        var bitmaps = new SafeMtmdBitmapHandle[images.Count];
        var chunks = new SafeMtmdInputChunksHandle(MtmdNative.mtmd_input_chunks_init());
        try
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < images.Count; i++) bitmaps[i] = Bitmap(images[i]);
            var copied = Stopwatch.GetTimestamp();
            if (stages is not null) stages.BitmapMs += Stopwatch.GetElapsedTime(started, copied).TotalMilliseconds;
            var utf8 = Encoding.UTF8.GetBytes(text);
            var pointers = new IntPtr[Math.Max(1, images.Count)];
            for (var i = 0; i < images.Count; i++) pointers[i] = bitmaps[i].DangerousGetHandle();
            int rc;
            string errors;
            fixed (byte* t = utf8)
            fixed (IntPtr* bp = pointers)
            {
                var input = new MtmdInputText { Text = (IntPtr)t, TextLength = (nuint)utf8.Length, AddSpecial = addSpecial ? (byte)1 : (byte)0, ParseSpecial = parseSpecial ? (byte)1 : (byte)0 };
                var inputPointer = (IntPtr)(&input);
                var bitmapPointers = (IntPtr)bp;
                var count = (nuint)images.Count;
                rc = LlamaLog.CaptureErrors(() => MtmdNative.mtmd_tokenize(Handle, chunks, (MtmdInputText*)inputPointer, (IntPtr*)bitmapPointers, count), out errors);
            }
            GC.KeepAlive(bitmaps);
            if (stages is not null) stages.TokenizeMs += Stopwatch.GetElapsedTime(copied, Stopwatch.GetTimestamp()).TotalMilliseconds;
            return rc switch
            {
                0 => chunks,
                1 => throw new ModelInputException($"the prompt's image markers do not match the {images.Count} image(s): {Explain(errors)}"),
                _ => throw new ModelInputException($"the projector '{ProjectorType}' could not preprocess the image: {Explain(errors)}"),
            };
        }
        catch
        {
            chunks.Dispose();
            throw;
        }
        finally
        {
            foreach (var b in bitmaps) b?.Dispose();
        }
    }

    private int CountMarkers(string text)
    {
        var count = 0;
        for (var at = text.IndexOf(Marker, StringComparison.Ordinal); at >= 0; at = text.IndexOf(Marker, at + Marker.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static SafeMtmdBitmapHandle Bitmap(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        image.Validate();
        fixed (byte* px = image.Pixels)
        {
            var bitmap = new SafeMtmdBitmapHandle(MtmdNative.mtmd_bitmap_init((uint)image.Width, (uint)image.Height, px));
            if (bitmap.IsInvalid) throw new LlamaException("mtmd_bitmap_init failed");
            return bitmap;
        }
    }

    private const int ChunkTypeText = 0;

    // The native error lines, as one line (the hosts print one line per failure).
    private static string Explain(string errors) =>
        errors.Length == 0 ? "see the llama.cpp log" : string.Join(' ', errors.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).TrimEnd(';', ' ');

    /// <summary>
    /// The view of a fixed-size letterboxing projector (<see cref="View"/>) whose square input is <paramref name="side"/>
    /// pixels: also how boxes from the same model behind a remote llama-server map back.
    /// </summary>
    public static Preprocessing LetterboxView(int side) => new()
    {
        Width = side, Height = side, Resize = "letterbox", LetterboxRounding = "ceil", Crop = "none",
        InputName = "mmproj", // libmtmd builds its own input tensor
    };

    // mtmd.cpp picks mtmd_image_preprocessor_fixed_size for these (the mlp family only without image_grid_pinpoints), and
    // clip.cpp leaves their padding at its default, PAD_CEIL (mtmd-image.cpp img_tool::resize).
    private static readonly string[] FixedSizeLetterbox = ["mlp", "mlp_norm", "ldp", "ldpv2", "gemma3"];

    private static Preprocessing? ReadView(string path, string type)
    {
        if (!FixedSizeLetterbox.Contains(type, StringComparer.Ordinal)) return null;
        var gguf = MtmdNative.gguf_init_from_file(path, new GgufInitParams { NoAlloc = 1 });
        if (gguf == IntPtr.Zero) return null;
        try
        {
            const int GgufTypeUint32 = 4;
            var size = MtmdNative.gguf_find_key(gguf, "clip.vision.image_size");
            if (size < 0 || MtmdNative.gguf_get_kv_type(gguf, size) != GgufTypeUint32) return null;
            if (MtmdNative.gguf_find_key(gguf, "clip.vision.image_grid_pinpoints") >= 0) return null; // LLaVA 1.6 tiles
            return LetterboxView((int)MtmdNative.gguf_get_val_u32(gguf, size));
        }
        finally
        {
            MtmdNative.gguf_free(gguf);
        }
    }

    /// <summary>The GGUF's <c>clip.projector_type</c> without loading tensors; null when the file has none.</summary>
    internal static string? ReadProjectorType(string path)
    {
        var gguf = MtmdNative.gguf_init_from_file(path, new GgufInitParams { NoAlloc = 1 });
        if (gguf == IntPtr.Zero) return null;
        try
        {
            var key = MtmdNative.gguf_find_key(gguf, "clip.projector_type");
            const int GgufTypeString = 8;
            return key >= 0 && MtmdNative.gguf_get_kv_type(gguf, key) == GgufTypeString
                ? Marshal.PtrToStringUTF8(MtmdNative.gguf_get_val_str(gguf, key))
                : null;
        }
        finally
        {
            MtmdNative.gguf_free(gguf);
        }
    }

    /// <summary>Frees the mtmd context (the LLM stays loaded).</summary>
    public void Dispose() => Handle.Dispose();
}

/// <summary>
/// Where the time of <see cref="MultimodalProjector.Tokenize"/> (or <see cref="MultimodalProjector.ReferencePrefill"/>) went,
/// in milliseconds added up over its images; for benchmarks that show which stage a difference is in.
/// </summary>
public sealed class MultimodalStageTimes
{
    /// <summary>Copying the decoded pixels into mtmd bitmaps (<c>mtmd_bitmap_init</c>).</summary>
    public double BitmapMs { get; internal set; }

    /// <summary><c>mtmd_tokenize</c>: text tokens and image preprocessing (resize, normalise).</summary>
    public double TokenizeMs { get; internal set; }

    /// <summary>The vision encoder and projector (<c>mtmd_encode_chunk</c>).</summary>
    public double EncodeMs { get; internal set; }

    /// <summary>Copying the embeddings out of libmtmd's buffer.</summary>
    public double CopyMs { get; internal set; }
}

/// <summary>An mmproj does not fit (wrong file, unsupported projector, embedding size unlike the LLM's, no vision encoder).</summary>
public sealed class MultimodalProjectorException(string message, string projectorType) : LlamaException(message)
{
    /// <summary>The mmproj's <c>clip.projector_type</c> ("unknown" when it has none).</summary>
    public string ProjectorType { get; } = projectorType;
}
