using System.Globalization;
using ReportGen.Core.Imaging;
using ReportGen.Core.Models;
using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Drafting;

/// <summary>One image file of a draft request, as the host received it.</summary>
/// <param name="Bytes">The file.</param>
/// <param name="Name">A name to quote in errors (the CLI's file name); null where the name came from a client (HTTP).</param>
public sealed record DraftStudyFile(ReadOnlyMemory<byte> Bytes, string? Name = null);

/// <summary>
/// A draft request as the host received it, before any check: the files and fields of <c>POST /v1/reports/draft</c>
/// and of <c>reportgen draft</c> (and each pair of <c>eval draft</c>). <see cref="DraftStudyBuilder.Build"/> turns it
/// into a checked <see cref="DraftStudy"/>.
/// </summary>
public sealed record DraftStudyInput
{
    /// <summary>The current frontal image (PNG, JPEG, DICOM); for modality ct, a zip of the series' DICOM files.</summary>
    public DraftStudyFile? Frontal { get; init; }
    /// <summary>The current lateral image (cxr only).</summary>
    public DraftStudyFile? Lateral { get; init; }
    /// <summary>The prior frontal radiograph (cxr only).</summary>
    public DraftStudyFile? Prior { get; init; }
    /// <summary>The prior study's report text.</summary>
    public string? PriorReport { get; init; }
    /// <summary>Why the study was requested (MAIRA-2's INDICATION).</summary>
    public string? Indication { get; init; }
    /// <summary>How it was acquired (views, contrast).</summary>
    public string? Technique { get; init; }
    /// <summary>Which earlier study it is compared with.</summary>
    public string? Comparison { get; init; }
    /// <summary>Ask for findings with boxes.</summary>
    public bool Grounded { get; init; }
    /// <summary><c>cxr</c> or <c>ct</c>, any case; null or empty is cxr.</summary>
    public string? Modality { get; init; }
    /// <summary>Most tokens to generate, 1..<see cref="DraftStudyBuilder.MaxOutputTokens"/>; null: the prompt's.</summary>
    public int? MaxTokens { get; init; }
}

/// <summary>
/// A checked draft study: every image decoded once (<see cref="StudyImage.Decoded"/>), every text field within its
/// limits. <see cref="ToRequest"/> makes the <see cref="DraftRequest"/> for a model.
/// </summary>
public sealed record DraftStudy
{
    /// <summary>The current frontal image, or the CT series.</summary>
    public required StudyImage Frontal { get; init; }
    /// <summary>
    /// For a model that takes only 2-D images (a remote vision-language engine), the CT series in <see cref="Frontal"/> as
    /// evenly spaced slices, each with the CT windows as its colour channels, as our 2-D encoders see them; they go to the
    /// model in place of the series. Null otherwise.
    /// </summary>
    public IReadOnlyList<StudyImage>? SeriesSlices { get; init; }
    /// <summary>The current lateral image.</summary>
    public StudyImage? Lateral { get; init; }
    /// <summary>The prior frontal radiograph.</summary>
    public StudyImage? Prior { get; init; }
    /// <summary>The prior study's report text.</summary>
    public string? PriorReport { get; init; }
    /// <summary>Why the study was requested.</summary>
    public string? Indication { get; init; }
    /// <summary>How it was acquired.</summary>
    public string? Technique { get; init; }
    /// <summary>Which earlier study it is compared with.</summary>
    public string? Comparison { get; init; }
    /// <summary>Ask for findings with boxes.</summary>
    public bool Grounded { get; init; }
    /// <summary><c>cxr</c> or <c>ct</c>.</summary>
    public required string Modality { get; init; }
    /// <summary>Most tokens to generate; null: the prompt's.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>How many images the study holds (a CT series counts once).</summary>
    public int ImageCount => 1 + (Lateral is null ? 0 : 1) + (Prior is null ? 0 : 1);

    /// <summary>The frontal image's size and format (null for a CT series): the draft JSON's <c>image</c>.</summary>
    public DraftImageSize? FrontalSize =>
        Frontal.Decoded is { Kind: DecodedImageKind.Image } d ? new DraftImageSize(d.Width, d.Height, d.Format) : null;

    /// <summary>
    /// The request for a model whose encoder preprocesses with <paramref name="encoder"/> (null for a text-only model):
    /// the crop geometry that maps the model's boxes back to the frontal image's pixels comes from it.
    /// </summary>
    /// <param name="encoder">The vision encoder's preprocessing, or null.</param>
    /// <param name="evidence">Retrieved similar studies offered as context, or null.</param>
    public DraftRequest ToRequest(Preprocessing? encoder, IReadOnlyList<RetrievedStudy>? evidence = null) => new()
    {
        Frontal = Frontal, SeriesSlices = SeriesSlices, Lateral = Lateral, PriorFrontal = Prior, PriorReport = PriorReport,
        Indication = Indication, Technique = Technique, Comparison = Comparison, Grounded = Grounded,
        Modality = Modality, MaxOutputTokens = MaxTokens, Evidence = evidence,
        FrontalGeometry = encoder is not null && FrontalSize is { } size ? CropGeometry.For(encoder, size.Width, size.Height) : null,
    };
}

/// <summary>
/// A draft input that no model is asked about: <see cref="Field"/> is the request field (<c>frontal</c>,
/// <c>max_tokens</c>, ...; the CLI's option names it in the message), <see cref="Problem"/> what a host maps to a
/// status (400, 413, 415; the CLI exits 2), <see cref="Code"/> the decoder's code for an image.
/// </summary>
/// <param name="field">The request field at fault.</param>
/// <param name="message">One line naming the field (as the host calls it) and the problem.</param>
/// <param name="problem">The kind of problem.</param>
/// <param name="code">A machine-readable code (the image decoder's), when there is one.</param>
public sealed class DraftInputException(string field, string message, InputProblem problem = InputProblem.Invalid, string? code = null) : Exception(message)
{
    /// <summary>The request field at fault.</summary>
    public string Field { get; } = field;
    /// <summary>The kind of problem.</summary>
    public InputProblem Problem { get; } = problem;
    /// <summary>A machine-readable code, when there is one.</summary>
    public string? Code { get; } = code;
}

/// <summary>
/// The draft front door, shared by <c>POST /v1/reports/draft</c>, <c>reportgen draft</c> and <c>reportgen eval draft</c>:
/// checks a <see cref="DraftStudyInput"/> once (bad input is a <see cref="DraftInputException"/> naming its field),
/// decodes each image once and keeps the pixels for the embedding provider. The rules:
/// <list type="bullet">
/// <item>modality is cxr (default) or ct; max_tokens is 1..<see cref="MaxOutputTokens"/>;</item>
/// <item>frontal is required; no file may be empty or over the host's per-image limit (413);</item>
/// <item>ct: frontal is a zip of the series' DICOM files, and lateral and prior are refused;</item>
/// <item>cxr: every image (prior too: it is shown to the model as the prior frontal radiograph) is a single 2-D
/// image, neither a CT series nor a CT slice;</item>
/// <item>text fields hold no control characters and are at most <see cref="MaxShortFieldChars"/>
/// (<see cref="MaxPriorReportChars"/> for the prior report) characters (413); empty is absent.</item>
/// </list>
/// </summary>
/// <param name="decoder">Decodes the image files.</param>
/// <param name="maxImageBytes">Largest image file accepted (the API's <c>ReportGen:MaxImageBytes</c>).</param>
/// <param name="label">How the host names a field in messages (the CLI: <c>frontal</c> is <c>--image</c>); null: the field's own name.</param>
public sealed class DraftStudyBuilder(IStudyImageDecoder decoder, long maxImageBytes, Func<string, string>? label = null)
{
    /// <summary>Longest indication, technique or comparison, in characters.</summary>
    public const int MaxShortFieldChars = 4096;

    /// <summary>Longest prior report, in characters.</summary>
    public const int MaxPriorReportChars = 65536;

    /// <summary>Largest max_tokens accepted.</summary>
    public const int MaxOutputTokens = 4096;

    /// <summary>The image fields, in the order the model sees them.</summary>
    public static readonly IReadOnlyList<string> ImageFields = ["frontal", "lateral", "prior"];

    /// <summary>The text fields.</summary>
    public static readonly IReadOnlyList<string> TextFields = ["prior_report", "indication", "technique", "comparison", "grounded", "modality", "max_tokens"];

    private string L(string field) => label?.Invoke(field) ?? field;

    /// <summary>Checks <paramref name="input"/>, decodes its images and returns the study.</summary>
    /// <exception cref="DraftInputException">A field is missing, malformed, over a limit or not allowed for the modality.</exception>
    public DraftStudy Build(DraftStudyInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var modality = Modality(input.Modality);
        if (input.MaxTokens is { } max && max is < 1 or > MaxOutputTokens)
            throw new DraftInputException("max_tokens", $"{L("max_tokens")}: must be an integer between 1 and {MaxOutputTokens}, not {max}");
        var frontal = input.Frontal ?? throw new DraftInputException("frontal",
            $"{L("frontal")}: required: the current frontal image (PNG, JPEG or DICOM; for {L("modality")} ct the series' DICOM files as a zip)");
        if (modality == "ct")
        {
            if (input.Lateral is not null) throw new DraftInputException("lateral", $"{L("lateral")}: is for {L("modality")} cxr only");
            if (input.Prior is not null) throw new DraftInputException("prior", $"{L("prior")}: is for {L("modality")} cxr only");
        }
        return new DraftStudy
        {
            Frontal = modality == "ct" ? Series("frontal", frontal) : Image("frontal", frontal),
            Lateral = input.Lateral is null ? null : Image("lateral", input.Lateral),
            Prior = input.Prior is null ? null : Image("prior", input.Prior),
            PriorReport = Text("prior_report", input.PriorReport, MaxPriorReportChars),
            Indication = Text("indication", input.Indication, MaxShortFieldChars),
            Technique = Text("technique", input.Technique, MaxShortFieldChars),
            Comparison = Text("comparison", input.Comparison, MaxShortFieldChars),
            Grounded = input.Grounded,
            Modality = modality,
            MaxTokens = input.MaxTokens,
        };
    }

    /// <summary>A boolean text field (the HTTP form's <c>grounded</c>): true/false, 1/0, yes/no, on/off; absent is false.</summary>
    /// <exception cref="DraftInputException">Any other value.</exception>
    public bool Flag(string field, string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "false" or "0" or "no" or "off" => false,
        "true" or "1" or "yes" or "on" => true,
        var other => throw new DraftInputException(field, $"{L(field)}: must be true or false, not '{other}'"),
    };

    /// <summary>An integer text field (the HTTP form's <c>max_tokens</c>); absent is null. The range is checked by <see cref="Build"/>.</summary>
    /// <exception cref="DraftInputException">Not a non-negative integer.</exception>
    public int? Integer(string field, string? text) =>
        text is null ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new DraftInputException(field, $"{L(field)}: must be an integer between 1 and {MaxOutputTokens}");

    private string Modality(string? text)
    {
        var modality = string.IsNullOrWhiteSpace(text) ? "cxr" : text.Trim().ToLowerInvariant();
        return modality is "cxr" or "ct" ? modality : throw new DraftInputException("modality", $"{L("modality")}: must be cxr or ct, not '{text!.Trim()}'");
    }

    // A 2-D image (cxr): a CT series or a CT slice is refused, whichever field it came in.
    private StudyImage Image(string field, DraftStudyFile file)
    {
        var decoded = Decode(field, file);
        if (decoded.Kind == DecodedImageKind.Series)
            throw new DraftInputException(field, $"{L(field)}: {Named(file)}is a CT series; use {L("modality")} ct (the series as {L("frontal")})",
                code: "is_series");
        if (string.Equals(decoded.DicomModality, "CT", StringComparison.OrdinalIgnoreCase))
            throw new DraftInputException(field, $"{L(field)}: {Named(file)}is a CT slice (DICOM modality CT); use {L("modality")} ct with the whole series");
        return new StudyImage(file.Bytes, decoded.MediaType) { Decoded = decoded };
    }

    private StudyImage Series(string field, DraftStudyFile file)
    {
        var decoded = Decode(field, file);
        if (decoded.Kind != DecodedImageKind.Series)
            throw new DraftInputException(field, $"{L(field)}: {L("modality")} ct needs a series (its DICOM files as a zip); {Named(file)}is a single image");
        return new StudyImage(file.Bytes, decoded.MediaType) { Decoded = decoded };
    }

    private DecodedImage Decode(string field, DraftStudyFile file)
    {
        CheckSize(field, file.Bytes.Length, file.Name);
        try
        {
            return decoder.Decode(file.Bytes, maxImageBytes);
        }
        catch (ImageInputException e)
        {
            throw new DraftInputException(field, $"{L(field)}: cannot decode {Named(file)}".TrimEnd() + $": {e.Message}", e.Problem, e.Code);
        }
    }

    /// <summary>Refuses an empty image file or one over the per-image limit (a host may call it before reading the file).</summary>
    /// <exception cref="DraftInputException">Empty (400) or too large (413, code too_large).</exception>
    public void CheckSize(string field, long length, string? name = null)
    {
        var named = name is { Length: > 0 } ? name + " " : "";
        if (length == 0) throw new DraftInputException(field, $"{L(field)}: {named}is an empty file");
        if (length > maxImageBytes)
            throw new DraftInputException(field, $"{L(field)}: {named}is {length} bytes; the limit is {maxImageBytes} bytes per image", InputProblem.TooLarge, "too_large");
    }

    private static string Named(DraftStudyFile file) => file.Name is { Length: > 0 } name ? name + " " : "";

    // A text field: blank is absent; too long is 413; otherwise the one report-text rule (ReportText.Validate: control
    // characters, bytes that were not UTF-8) decides, so draft fields answer as every other text field does.
    private string? Text(string field, string? text, int maxChars)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (text.Length > maxChars)
            throw new DraftInputException(field, $"{L(field)}: longer than {maxChars} characters", InputProblem.TooLarge);
        try
        {
            ReportText.Validate(text, field);
        }
        catch (ReportTextException e)
        {
            throw new DraftInputException(field, $"{L(field)}: {e.Message}", InputProblem.Invalid, e.Code);
        }
        return text;
    }
}
