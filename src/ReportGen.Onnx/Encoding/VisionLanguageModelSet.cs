using Microsoft.Extensions.Logging;
using ReportGen.Core.Imaging;
using ReportGen.Core.Models;
using ReportGen.Imaging;
using ReportGen.Imaging.Ct;

namespace ReportGen.Onnx;

/// <summary>
/// A loaded vision-language model set (<see cref="ModelSet"/> in models.json): the image encoder and projector,
/// ready as the <see cref="IImageEmbeddingProvider"/> a chat client injects images with, plus the resolved LLM file
/// (the caller loads the LLM: this project does not depend on the llama runtime). One composition for the CLI and
/// the API:
/// <code>
/// using var set = VisionLanguageModelSet.Load(resolver, "stories260k-mobilenet");
/// var llm = LlamaModel.Load(set.Llm.Path!);            // + SequenceScheduler
/// var chat = new LlamaChatClient(scheduler, set);        // the set is the image-embedding provider
/// </code>
/// A CT set takes a series (a zip of DICOM files) as one image of media type <see cref="CtSeriesMediaType"/>: its
/// slices are sampled per the manifest (<see cref="CtSampling"/>), windowed, encoded and projected, and the image
/// tokens of all slices are concatenated in slice order. Thread-safe; dispose once.
/// </summary>
public sealed class VisionLanguageModelSet : IImageEmbeddingProvider, IDisposable
{
    /// <summary>Media type of a CT series: the bytes are a zip of the series' DICOM files.</summary>
    public const string CtSeriesMediaType = DecodedImage.CtSeriesMediaType;

    private readonly ImageEncoder _encoder;
    private readonly Projector _projector;
    private readonly OnnxImageEmbeddingProvider _images;
    private readonly ImageDecodeOptions? _decodeOptions;

    private VisionLanguageModelSet(ModelSet definition, ResolvedModel llm, ResolvedModel encoder, ResolvedModel projector,
        ImageEncoder encoderSession, Projector projectorSession, ImageDecodeOptions? decodeOptions)
    {
        Definition = definition;
        Llm = llm;
        Encoder = encoder;
        Projector = projector;
        _encoder = encoderSession;
        _projector = projectorSession;
        _decodeOptions = decodeOptions;
        _images = new OnnxImageEmbeddingProvider(encoderSession, projectorSession, decodeOptions);
    }

    /// <summary>Loads the set <paramref name="setId"/>: resolves (and hash-checks) its three files and opens encoder and projector.</summary>
    /// <param name="resolver">Finds the files (REPORTGEN_MODELS, models/, shared/models).</param>
    /// <param name="setId">A set id from the manifest's <c>sets</c>.</param>
    /// <param name="options">ONNX Runtime options (CPU by default).</param>
    /// <param name="decodeOptions">Image decoder limits; null for the defaults.</param>
    /// <param name="logger">Runtime warnings.</param>
    /// <exception cref="KeyNotFoundException">No set has that id.</exception>
    /// <exception cref="FileNotFoundException">A file is missing or does not match its hash.</exception>
    /// <exception cref="ArgumentException">The set is not an encoder-projector set, the encoder's features do not fit the projector, or the projector's output is not the LLM size it claims.</exception>
    public static VisionLanguageModelSet Load(ModelResolver resolver, string setId, OnnxSessionOptions? options = null,
        ImageDecodeOptions? decodeOptions = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        var set = resolver.Manifest.FindSet(setId)
            ?? throw new KeyNotFoundException($"unknown model set '{setId}'; sets: {string.Join(", ", resolver.Manifest.Sets.Select(s => s.Id))}");
        if (set.Kind != ModelSetKind.EncoderProjector)
            throw new ArgumentException($"model set '{setId}' is of kind mmproj (a llama.cpp mmproj GGUF), not an ONNX encoder + projector set", nameof(setId));
        ResolvedModel Require(string? id)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(id); // the manifest validated encoder-projector sets

            resolver.RequirePath(id); // throws with a message that says what to do
            return resolver.Resolve(id);
        }
        var llm = Require(set.Llm);
        var encoderModel = Require(set.Encoder);
        var projectorModel = Require(set.Projector);
        ImageEncoder? encoder = null;
        Projector? projector = null;
        try
        {
            encoder = ImageEncoder.Load(encoderModel.Entry, encoderModel.Path!, options, logger);
            projector = ReportGen.Onnx.Projector.Load(projectorModel.Path!, options, logger);
            return new VisionLanguageModelSet(set, llm, encoderModel, projectorModel, encoder, projector, decodeOptions);
        }
        catch
        {
            encoder?.Dispose();
            projector?.Dispose();
            throw;
        }
    }

    /// <summary>The manifest's definition of the set.</summary>
    public ModelSet Definition { get; }

    /// <summary>The set's id.</summary>
    public string Id => Definition.Id;

    /// <summary><c>cxr</c> or <c>ct</c>.</summary>
    public string Modality => Definition.Modality;

    /// <summary>The LLM: manifest entry, verified path and SHA-256 (load it with the llama runtime).</summary>
    public ResolvedModel Llm { get; }

    /// <summary>The image encoder's manifest entry, path and SHA-256.</summary>
    public ResolvedModel Encoder { get; }

    /// <summary>The projector's manifest entry, path and SHA-256.</summary>
    public ResolvedModel Projector { get; }

    /// <summary>The encoder's preprocessing (resize, crop): what maps model-view boxes back to original pixels.</summary>
    public Preprocessing EncoderPreprocessing => _encoder.Preprocessor.Spec;

    /// <summary>The LLM embedding size the projector produces.</summary>
    public int Dimension => _projector.OutputDimension;

    /// <summary>
    /// Embeds one image: PNG, JPEG or DICOM bytes (2-D), or a CT series zip when <paramref name="mediaType"/> is
    /// <see cref="CtSeriesMediaType"/> (or the bytes are a zip).
    /// </summary>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image or series.</exception>
    public Task<ImageEmbeddings> EmbedAsync(ReadOnlyMemory<byte> image, string? mediaType, CancellationToken cancellationToken) =>
        EmbedAsync(image, mediaType, null, cancellationToken);

    /// <summary>
    /// As <see cref="EmbedAsync(ReadOnlyMemory{byte}, string?, CancellationToken)"/>, using the image or volume the front
    /// door already decoded (<see cref="DecodedImage.Pixels"/>) instead of decoding the bytes again.
    /// </summary>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image or series.</exception>
    public Task<ImageEmbeddings> EmbedAsync(ReadOnlyMemory<byte> image, string? mediaType, DecodedImage? decoded, CancellationToken cancellationToken)
    {
        if (decoded?.Pixels is CtVolume volume) return Task.Run(() => EmbedVolume(volume, cancellationToken), cancellationToken);
        if (mediaType != CtSeriesMediaType && ImageDecoder.Sniff(image.Span) != ImageFormat.Zip)
            return _images.EmbedAsync(image, mediaType, decoded, cancellationToken);
        return Task.Run(() => EmbedVolume(CtSeriesReader.ReadZip(image.Span, _decodeOptions), cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Embeds a CT volume: a 3-D encoder (NCDHW preprocessing) takes its depth of windowed slices at once; a 2-D encoder
    /// takes <see cref="CtSampling.Slices"/> evenly spaced slices, and the image tokens of each are concatenated in order.
    /// </summary>
    public ImageEmbeddings EmbedVolume(CtVolume volume, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var sampling = Definition.Ct ?? new CtSampling();
        var windows = sampling.Windows.Select(CtWindow.ByName).ToArray();
        if (_encoder.Preprocessor.Depth > 0)
        {
            var slices = volume.SampleSlices(_encoder.Preprocessor.Depth, windows);
            return _projector.Project(_encoder.EncodeVolume(slices, cancellationToken));
        }
        var sampled = volume.SampleSlices(sampling.Slices, windows);
        var encodings = _encoder.EncodeBatch(sampled, cancellationToken);
        var projected = encodings.Select(e => _projector.Project(e)).ToArray();
        var dimension = projected[0].Dimension;
        var values = projected.SelectMany(p => p.Values).ToArray();
        return new ImageEmbeddings(projected.Sum(p => p.Tokens), dimension, values);
    }

    /// <summary>The pooled encoder vector of a 2-D image (for similarity search over stored studies).</summary>
    public float[] EncodePooled(PixelImage image) => _encoder.Encode(image).Pooled;

    /// <summary>Releases the encoder and projector sessions.</summary>
    public void Dispose()
    {
        _encoder.Dispose();
        _projector.Dispose();
    }
}
