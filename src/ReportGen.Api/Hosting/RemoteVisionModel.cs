using System.Collections.Concurrent;
using ReportGen.Api.Apis;
using ReportGen.Core.Imaging;
using ReportGen.Core.Models;
using ReportGen.Imaging;
using ReportGen.Imaging.Ct;
using ReportGen.Imaging.Png;
using ReportGen.Llama;
using ReportGen.Pipelines.Drafting;
using ReportGen.Pipelines.Remote;

namespace ReportGen.Api.Hosting;

/// <summary>
/// A vision-language model served by a remote engine (<see cref="LlmOptions.RemoteVisionFamily"/>): which drafting
/// prompt it gets, how its grounded boxes map back, and how our decoded images travel to it. The engine runs its own
/// image preprocessing, so boxes are in the coordinates of the image we send (the study image's full pixels, as PNG);
/// for the letterboxing families they map back through the same letterbox as the local mmproj path.
/// </summary>
public sealed class RemoteVisionModel
{
    /// <summary>The families, each as the GGUF <c>clip.projector_type</c> that picks the same prompt locally, and its published input side.</summary>
    private static readonly IReadOnlyDictionary<string, (string? ProjectorType, int? Side)> Families = new Dictionary<string, (string?, int?)>
    {
        ["llava"] = ("mlp", 336),
        ["gemma3"] = ("gemma3", 896),
        ["qwen2vl"] = ("qwen2vl_merger", null),
        ["other"] = (null, null),
    };

    private readonly ConcurrentDictionary<string, bool> _seesImages = new();

    /// <summary>The configured family (lower case).</summary>
    public string Family { get; private init; } = "";

    /// <summary>The drafting prompt, the one the local mmproj path uses for the same family.</summary>
    public string PromptName { get; private init; } = DraftingService.PromptName;

    /// <summary>The square letterbox the remote model sees the image through (llava, gemma3); null: the whole image.</summary>
    public Preprocessing? View { get; private init; }

    /// <summary>The settings' model, or null when no family is configured.</summary>
    /// <exception cref="InvalidOperationException">An unknown family.</exception>
    public static RemoteVisionModel? FromOptions(LlmOptions options) =>
        Create(options.RemoteVisionFamily, options.RemoteVisionImageSize, "ReportGen:Llm:RemoteVisionFamily");

    /// <summary>The model of <paramref name="family"/> (null when it is empty); <paramref name="setting"/> names it in the error.</summary>
    /// <exception cref="InvalidOperationException">An unknown family.</exception>
    public static RemoteVisionModel? Create(string? family, int? imageSize, string setting)
    {
        if (string.IsNullOrWhiteSpace(family)) return null;
        var name = family.Trim().ToLowerInvariant();
        if (!Families.TryGetValue(name, out var f))
            throw new InvalidOperationException($"{setting} '{family}' is not one of {string.Join(", ", Families.Keys)}");
        var side = imageSize ?? f.Side;
        return new RemoteVisionModel
        {
            Family = name,
            PromptName = DraftingService.PromptFor(f.ProjectorType),
            View = f.Side is null || side is null ? null : MultimodalProjector.LetterboxView(side.Value),
        };
    }

    /// <summary>
    /// The drafting prompt for a study of <paramref name="modality"/>: the family's (<see cref="PromptName"/>, written for
    /// chest radiographs as its model card asks for them), or for ct the modality-neutral <see cref="DraftingService.PromptName"/>
    /// that local CT sets draft with.
    /// </summary>
    public string PromptFor(string modality) => modality == "ct" ? DraftingService.PromptName : PromptName;

    /// <summary>
    /// The study as the remote engine gets it: each image as the pixels our local path hands to llama.cpp (DICOM windowed,
    /// grey as RGB), losslessly as PNG, so a llama-server decodes exactly those bytes. A CT series goes as
    /// <see cref="CtSlices"/> evenly spaced slices with the lung, mediastinum and bone windows as their RGB channels (what
    /// a local 2-D encoder set samples by default; <see cref="DraftStudy.SeriesSlices"/>), in order.
    /// </summary>
    /// <exception cref="DraftInputException">An image, or a series' slices together, too large to send (413).</exception>
    public DraftStudy ForRemote(DraftStudy study)
    {
        ArgumentNullException.ThrowIfNull(study);
        if (study.Modality == "ct") return study with { SeriesSlices = Slices(study.Frontal) };
        return study with
        {
            Frontal = Png(study.Frontal, "frontal"),
            Lateral = study.Lateral is { } lateral ? Png(lateral, "lateral") : null,
            Prior = study.Prior is { } prior ? Png(prior, "prior") : null,
        };
    }

    /// <summary>How a CT series is sampled for a remote engine: the defaults of a local 2-D encoder set (models.json <c>ct</c>).</summary>
    public static CtSampling CtSlices { get; } = new();

    private static List<StudyImage> Slices(StudyImage series)
    {
        var volume = series.Decoded?.Pixels as CtVolume ?? CtSeriesReader.ReadZip(series.Bytes.Span);
        var windows = CtSlices.Windows.Select(CtWindow.ByName).ToArray();
        var slices = volume.SampleSlices(CtSlices.Slices, windows).Select(slice => Png(RgbImageDecoder.ToRgb(slice), "frontal", decoded: null)).ToList();
        // The slices share one request: together they stay within what three radiographs may take.
        var total = slices.Sum(s => (long)s.Bytes.Length);
        if (total > 3L * MaxImageBytes)
            throw new DraftInputException("frontal", $"frontal: the series' {slices.Count} slices ({volume.Width}x{volume.Height}) are {total / (1 << 20)} MiB as PNG; a remote engine takes at most {3 * MaxImageBytes / (1 << 20)} MiB of images per request",
                InputProblem.TooLarge, "image_too_large_for_remote");
        return slices;
    }

    private static StudyImage Png(StudyImage image, string field) =>
        Png(new RgbImageDecoder().Decode(image.Bytes, image.MediaType, image.Decoded), field, image.Decoded);

    private static StudyImage Png(RgbImage rgb, string field, DecodedImage? decoded)
    {
        var png = PngEncoder.EncodeRgb(rgb);
        if (png.Length > MaxImageBytes)
            throw new DraftInputException(field, $"{field} is {rgb.Width}x{rgb.Height} pixels, {png.Length / (1 << 20)} MiB as PNG; a remote engine takes at most {MaxImageBytes / (1 << 20)} MiB per image (llama-server reads at most 100 MB per request, and the image goes as base64)",
                InputProblem.TooLarge, "image_too_large_for_remote");
        return new StudyImage(png, PngEncoder.MediaType) { Decoded = decoded };
    }

    /// <summary>Largest PNG sent per image: three of them as base64 stay under llama-server's 100 MB request limit.</summary>
    public const int MaxImageBytes = 24 << 20;

    /// <summary>
    /// Refuses (422 naming <c>image</c>) when an endpoint says it takes no images: llama-server's <c>/props</c>
    /// <c>modalities.vision</c> (false without <c>--mmproj</c>). Other engines do not tell; their own refusal comes back
    /// as a 4xx. A positive answer is remembered per endpoint.
    /// </summary>
    public async Task CheckSeesImagesAsync(RemoteEnginePool pool, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        foreach (var endpoint in pool.Endpoints.Where(e => e.Info.Kind == RemoteEngineKind.LlamaServer && !_seesImages.ContainsKey(e.Name)))
        {
            if (await pool.SeesImagesAsync(endpoint, cancellationToken) is not { } vision) continue;
            if (!vision)
                throw new RequestFieldException("image", $"the model at {endpoint.Name} takes no images (its /props says modalities.vision is false): start llama-server with --mmproj, or unset ReportGen:Llm:RemoteVisionFamily",
                    StatusCodes.Status422UnprocessableEntity, "remote_model_without_vision");
            _seesImages[endpoint.Name] = true;
        }
    }
}
