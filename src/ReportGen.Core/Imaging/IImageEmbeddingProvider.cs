namespace ReportGen.Core.Imaging;

/// <summary>
/// A block of image embeddings ready to be injected into an LLM prompt (LLaVA style):
/// <paramref name="Tokens"/> rows of <paramref name="Dimension"/> floats, row-major.
/// </summary>
/// <param name="Tokens">Number of embedding rows (image tokens).</param>
/// <param name="Dimension">Floats per row; must equal the LLM's embedding size.</param>
/// <param name="Values">Tokens × Dimension values.</param>
public sealed record ImageEmbeddings(int Tokens, int Dimension, float[] Values)
{
    /// <summary>Checks the shape; throws <see cref="ArgumentException"/> naming the mismatch.</summary>
    public void Validate()
    {
        if (Tokens <= 0 || Dimension <= 0 || Values.Length != (long)Tokens * Dimension)
            throw new ArgumentException($"image embeddings shape [{Tokens}, {Dimension}] does not match {Values.Length} values");
    }
}

/// <summary>
/// Turns an encoded image (PNG, JPEG, DICOM bytes) into embeddings in an LLM's embedding space
/// (image encoder, then projector). Implemented by the ONNX side; consumed by the LLM chat client.
/// </summary>
public interface IImageEmbeddingProvider
{
    /// <summary>The LLM embedding size the provider projects into.</summary>
    int Dimension { get; }

    /// <summary>Decodes, encodes and projects one image.</summary>
    /// <param name="image">The file bytes.</param>
    /// <param name="mediaType">The media type if known (image/png, image/jpeg, application/dicom).</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    Task<ImageEmbeddings> EmbedAsync(ReadOnlyMemory<byte> image, string? mediaType, CancellationToken cancellationToken);

    /// <summary>
    /// Encodes and projects one image that was already decoded where it entered the service (a draft's front door):
    /// a provider that understands <see cref="DecodedImage.Pixels"/> uses them instead of decoding the bytes again.
    /// </summary>
    /// <param name="image">The file bytes.</param>
    /// <param name="mediaType">The media type if known.</param>
    /// <param name="decoded">The decoded image, or null to decode <paramref name="image"/>.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    Task<ImageEmbeddings> EmbedAsync(ReadOnlyMemory<byte> image, string? mediaType, DecodedImage? decoded, CancellationToken cancellationToken) =>
        EmbedAsync(image, mediaType, cancellationToken);
}
