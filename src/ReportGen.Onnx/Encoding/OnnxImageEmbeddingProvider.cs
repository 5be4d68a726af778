using ReportGen.Core.Imaging;
using ReportGen.Imaging;

namespace ReportGen.Onnx;

/// <summary>
/// <see cref="IImageEmbeddingProvider"/> over ONNX: decode (PNG/JPEG/DICOM bytes to a <see cref="PixelImage"/>),
/// encode, project into the LLM's embedding space. Bad image bytes surface as <see cref="ImageDecodeException"/>.
/// </summary>
public sealed class OnnxImageEmbeddingProvider : IImageEmbeddingProvider
{
    private readonly ImageEncoder _encoder;
    private readonly Projector _projector;
    private readonly Func<ReadOnlyMemory<byte>, string?, PixelImage> _decode;

    /// <summary>Creates the provider with the standard decoders (<see cref="ImageDecoder"/>: PNG, JPEG, DICOM).</summary>
    /// <param name="encoder">The image encoder.</param>
    /// <param name="projector">The projector into the LLM's embedding size.</param>
    /// <param name="options">Decoder limits; null for the defaults.</param>
    public OnnxImageEmbeddingProvider(ImageEncoder encoder, Projector projector, ImageDecodeOptions? options = null)
        : this(encoder, projector, (bytes, _) => ImageDecoder.Decode(bytes.Span, options))
    {
    }

    /// <summary>Creates the provider.</summary>
    /// <param name="encoder">The image encoder.</param>
    /// <param name="projector">The projector into the LLM's embedding size.</param>
    /// <param name="decode">Bytes and media type to pixels; throws a typed error for bad input.</param>
    public OnnxImageEmbeddingProvider(ImageEncoder encoder, Projector projector, Func<ReadOnlyMemory<byte>, string?, PixelImage> decode)
    {
        _encoder = encoder;
        _projector = projector;
        _decode = decode;
        if (projector.InputDimension > 0 && encoder.Session.Outputs.Count > 0 && !projector.TakesPatches)
        {
            var pooled = encoder.Session.Outputs.FirstOrDefault(o => o.Name == (encoder.Preprocessor.Spec.PooledOutput ?? o.Name));
            if (pooled is { Shape.Length: >= 2 } && pooled.Shape[^1] > 0 && pooled.Shape[^1] != projector.InputDimension)
                throw new ArgumentException($"projector {projector.Session.ModelName} takes {projector.InputDimension} features; encoder '{encoder.ModelId}' gives {pooled.Shape[^1]}");
        }
    }

    /// <inheritdoc />
    public int Dimension => _projector.OutputDimension;

    /// <inheritdoc />
    public Task<ImageEmbeddings> EmbedAsync(ReadOnlyMemory<byte> image, string? mediaType, CancellationToken cancellationToken) =>
        EmbedAsync(image, mediaType, null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>A <paramref name="decoded"/> 2-D image (its <see cref="PixelImage"/>) is encoded as is: the bytes are not decoded again.</remarks>
    public Task<ImageEmbeddings> EmbedAsync(ReadOnlyMemory<byte> image, string? mediaType, DecodedImage? decoded, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.Run(() =>
        {
            var pixels = decoded?.Pixels as PixelImage ?? _decode(image, mediaType);
            cancellationToken.ThrowIfCancellationRequested();
            var encoding = _encoder.EncodeBatch([pixels], cancellationToken)[0];
            cancellationToken.ThrowIfCancellationRequested();
            return _projector.Project(encoding);
        }, cancellationToken);
    }
}
