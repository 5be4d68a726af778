using ReportGen.Core.Models;
using ReportGen.Core.Imaging;

namespace ReportGen.Llama;

/// <summary>One piece of a prompt: text, or a block of embeddings decoded in place of tokens.</summary>
public abstract record PromptPart;

/// <summary>Prompt text (tokenised by the model).</summary>
/// <param name="Text">The text.</param>
public sealed record TextPart(string Text) : PromptPart;

/// <summary>Text already tokenised by the model's vocabulary (as libmtmd returns the text around an image).</summary>
/// <param name="Tokens">The token ids, special tokens included.</param>
public sealed record TokenPart(int[] Tokens) : PromptPart;

/// <summary>Image embeddings decoded at this position, LLaVA style (each row takes one KV cell).</summary>
/// <param name="Embeddings">[tokens, n_embd] floats.</param>
public sealed record EmbeddingPart(ImageEmbeddings Embeddings) : PromptPart
{
    /// <summary>Positions the block advances the sequence by (<c>mtmd_input_chunk_get_n_pos</c>); null = one per row.</summary>
    public int? Positions { get; init; }

    /// <summary>
    /// The rows attend to each other both ways (<c>mtmd_decode_use_non_causal</c>, Gemma 3): the whole block is decoded
    /// in one <c>llama_decode</c> of its own with causal attention off, so it must fit one batch.
    /// </summary>
    public bool NonCausal { get; init; }

    /// <summary>
    /// The rows' M-RoPE positions (Qwen2-VL family: <c>mtmd_decode_use_mrope</c>), or null: one position per row, which an
    /// M-RoPE model gets in all four sections.
    /// </summary>
    public MropePositions? Mrope { get; init; }
}

/// <summary>
/// The four-section M-RoPE positions (time, height, width, spare; llama.cpp's section order) of an image block's rows, as
/// libmtmd's <c>mtmd_image_tokens_get_decoder_pos</c> gives them for a block that starts at position p: section s of row
/// i is <c>Offsets[4i+s] + (FollowsStart[4i+s] ? p : 0)</c>. Kept relative so the block can start anywhere in a sequence.
/// </summary>
/// <param name="Offsets">Per row, the four sections for a block starting at position 0.</param>
/// <param name="FollowsStart">Per row and section, whether the value moves with the block's start.</param>
public sealed record MropePositions(int[] Offsets, bool[] FollowsStart)
{
    /// <summary>Sections per row.</summary>
    public const int Sections = 4;

    /// <summary>Rows described.</summary>
    public int Rows => Offsets.Length / Sections;

    /// <summary>Writes row <paramref name="row"/>'s four sections for a block starting at <paramref name="start"/>.</summary>
    public void Write(int row, int start, Span<int> sections)
    {
        for (var s = 0; s < Sections; s++)
        {
            var i = row * Sections + s;
            sections[s] = Offsets[i] + (FollowsStart[i] ? start : 0);
        }
    }
}

/// <summary>A prompt: text, optionally interleaved with embedding blocks.</summary>
/// <param name="Parts">The parts, in order.</param>
public sealed record LlamaPrompt(IReadOnlyList<PromptPart> Parts)
{
    /// <summary>The default image placeholder for <see cref="WithImages"/>.</summary>
    public const string ImagePlaceholder = "<image>";

    /// <summary>A text-only prompt.</summary>
    public static LlamaPrompt FromText(string text) => new([new TextPart(text)]);

    /// <summary>A text-only prompt.</summary>
    public static implicit operator LlamaPrompt(string text) => FromText(text);

    /// <summary>Splits <paramref name="text"/> at each <paramref name="placeholder"/> and puts the images there, in order.</summary>
    /// <exception cref="ModelInputException">The number of placeholders differs from the number of images.</exception>
    public static LlamaPrompt WithImages(string text, IReadOnlyList<ImageEmbeddings> images, string placeholder = ImagePlaceholder)
    {
        var pieces = text.Split(placeholder);
        if (pieces.Length - 1 != images.Count)
            throw new ModelInputException($"the prompt has {pieces.Length - 1} '{placeholder}' placeholders but {images.Count} images were given");
        var parts = new List<PromptPart>();
        for (var i = 0; i < pieces.Length; i++)
        {
            if (pieces[i].Length > 0) parts.Add(new TextPart(pieces[i]));
            if (i < images.Count) parts.Add(new EmbeddingPart(images[i]));
        }
        return new LlamaPrompt(parts);
    }
}

/// <summary>Why generation ended.</summary>
public enum LlamaFinishReason
{
    /// <summary>The model produced an end-of-generation token.</summary>
    EndOfGeneration,
    /// <summary>A stop sequence was produced (it is not part of the text).</summary>
    StopSequence,
    /// <summary>The token limit (or the context budget) was reached.</summary>
    Length,
}

/// <summary>What to generate and when to stop.</summary>
public sealed record GenerationOptions
{
    /// <summary>Most tokens to generate (clamped to what the context can hold).</summary>
    public int MaxTokens { get; init; } = 256;
    /// <summary>Text that ends generation when produced (matched across token boundaries, excluded from the output).</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];
    /// <summary>Token selection.</summary>
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;
    /// <summary>Prepend BOS (as the model is configured) to the first text part.</summary>
    public bool AddSpecialTokens { get; init; } = true;
    /// <summary>Parse special-token text (e.g. &lt;|im_start|&gt; from a chat template) into special tokens.</summary>
    public bool ParseSpecialTokens { get; init; }
}

/// <summary>A finished generation.</summary>
/// <param name="Text">The generated text (without the stop sequence).</param>
/// <param name="PromptTokens">Positions the prompt took (tokens plus embedding rows).</param>
/// <param name="CompletionTokens">Tokens generated (an end-of-generation token is not counted).</param>
/// <param name="FinishReason">Why it ended.</param>
public sealed record GenerationResult(string Text, int PromptTokens, int CompletionTokens, LlamaFinishReason FinishReason)
{
    /// <summary>The generated token ids, in order (for audits and for comparing generations token by token).</summary>
    public IReadOnlyList<int> Tokens { get; init; } = [];

    /// <summary>Leading prompt positions whose KV was reused from an earlier request rather than decoded.</summary>
    public int CachedPromptTokens { get; init; }
}
