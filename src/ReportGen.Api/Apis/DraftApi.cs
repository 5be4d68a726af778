using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ReportGen.Api.Fhir;
using ReportGen.Api.Hosting;
using ReportGen.Api.Pipelines;
using ReportGen.Imaging;
using ReportGen.Onnx;
using ReportGen.Pipelines.Drafting;
using ReportGen.Pipelines.Prompts;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Api.Apis;

/// <summary>
/// <c>POST /v1/reports/draft</c> (and <c>/draft/stream</c>): drafts findings for a study from its images and text
/// fields (MAIRA-2's inputs) with the hosted vision-language model set (<c>ReportGen:Llm:ModelSet</c>). Multipart
/// form: <c>frontal</c> (required), <c>lateral</c>, <c>prior</c> image files; <c>prior_report</c>, <c>indication</c>,
/// <c>technique</c>, <c>comparison</c>, <c>grounded</c>, <c>modality</c>, <c>max_tokens</c> text fields. Every input
/// is checked (and every image decoded) before the model is asked, so bad input is a 4xx naming its field.
/// </summary>
public static class DraftApi
{
    /// <summary>Longest indication, technique or comparison, in characters.</summary>
    public const int MaxShortFieldChars = 4096;

    /// <summary>Longest prior report, in characters.</summary>
    public const int MaxPriorReportChars = 65536;

    private static readonly string[] ImageFields = ["frontal", "lateral", "prior"];
    private static readonly string[] TextFields = ["prior_report", "indication", "technique", "comparison", "grounded", "modality", "max_tokens"];

    /// <summary>Maps the endpoints.</summary>
    public static RouteGroupBuilder MapDraftApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/reports/draft", Draft).WithTags("Reports")
            .Accepts<DraftForm>("multipart/form-data")
            .Produces<JsonObject>(StatusCodes.Status200OK)
            .WithSummary("Draft findings from a study's images (PNG, JPEG, DICOM; a CT series as a zip) and text fields; Accept: application/fhir+json gives a FHIR R4 DiagnosticReport");
        v1.MapPost("/reports/draft/stream", DraftStream).WithTags("Reports")
            .Accepts<DraftForm>("multipart/form-data")
            .WithSummary("As /draft, as Server-Sent Events: one 'finding' event per finding as the model writes it, then 'result'");
        return v1;
    }

    /// <summary>Drafts the whole report.</summary>
    public static async Task<IResult> Draft(HttpContext context, IOptions<ReportGenApiOptions> limits, PromptLibrary prompts, StructuringService structuring, CancellationToken cancellationToken)
    {
        var input = await ReadAsync(context, limits.Value, cancellationToken);
        var (service, request, provenanceOf) = await PrepareAsync(context.RequestServices, input, prompts, cancellationToken);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await service.DraftAsync(request, cancellationToken);
        var provenance = provenanceOf(start);
        if (context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(ReportsApi.FhirJson, StringComparison.OrdinalIgnoreCase)))
            return TypedResults.Json(FhirDiagnosticReport.FromStructuring(structuring.StructureWithRules(ReportText(result)), provenance), contentType: ReportsApi.FhirJson);
        return TypedResults.Json(Response(result, request, input.FrontalImage, provenance));
    }

    /// <summary>Drafts and streams findings as they are produced.</summary>
    public static async Task<IResult> DraftStream(HttpContext context, IOptions<ReportGenApiOptions> limits, PromptLibrary prompts, CancellationToken cancellationToken)
    {
        var input = await ReadAsync(context, limits.Value, cancellationToken);
        var (service, request, provenanceOf) = await PrepareAsync(context.RequestServices, input, prompts, cancellationToken);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        DraftResult? final = null;
        var findings = service.StreamFindingsAsync(request, cancellationToken, r => final = r).GetAsyncEnumerator(cancellationToken);
        // The first finding before the 200: a full queue or a rejected prompt is then a problem response, not a broken stream.
        bool any;
        try
        {
            any = await findings.MoveNextAsync();
        }
        catch
        {
            await findings.DisposeAsync();
            throw;
        }
        async IAsyncEnumerable<SseItem<object>> Events()
        {
            await using var owned = findings;
            var index = 0;
            for (var more = any; more; more = await findings.MoveNextAsync())
            {
                var finding = new JsonObject { ["index"] = index++ };
                foreach (var (key, value) in DraftJson.Finding(findings.Current)) finding[key] = value?.DeepClone();
                yield return new(finding, "finding");
            }
            yield return new(Response(final!, request, input.FrontalImage, provenanceOf(start)), "result");
        }
        return TypedResults.ServerSentEvents(Events());
    }

    /// <summary>The checked inputs of one request.</summary>
    private sealed record DraftInput(
        StudyImage Frontal, PixelImage? FrontalImage, StudyImage? Lateral, StudyImage? Prior, string? PriorReport,
        string? Indication, string? Technique, string? Comparison, bool Grounded, string Modality, int? MaxTokens);

    private static async Task<DraftInput> ReadAsync(HttpContext context, ReportGenApiOptions limits, CancellationToken cancellationToken)
    {
        var http = context.Request;
        var mediaType = http.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, "multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new RequestFieldException("Content-Type", "send the study as multipart/form-data (frontal, lateral, prior files; text fields)", StatusCodes.Status415UnsupportedMediaType);
        IFormCollection form;
        try
        {
            form = await http.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            // The form reader's own limits (body, value, headers) and malformed multipart framing.
            var tooLarge = ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase);
            throw new RequestFieldException("body", (tooLarge ? "the form exceeds a size limit: " : "malformed multipart body: ") + ex.Message,
                tooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest);
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested && ex is not BadHttpRequestException)
        {
            // The multipart reader's "unexpected end of stream": the body ended before its closing boundary.
            throw new RequestFieldException("body", "malformed multipart body: it ends before the closing boundary", StatusCodes.Status400BadRequest);
        }

        foreach (var field in TextFields)
            if (form.Files.Any(f => f.Name == field)) throw new RequestFieldException(field, $"{field} is a text field, not a file", StatusCodes.Status400BadRequest);
        foreach (var field in ImageFields)
            if (form.ContainsKey(field))
                throw new RequestFieldException(field, $"{field} must be a file part (a part with a filename), not a text field", StatusCodes.Status400BadRequest);
        var modality = (Text(form, "modality", 16) ?? "cxr").Trim().ToLowerInvariant();
        if (modality is not ("cxr" or "ct")) throw new RequestFieldException("modality", $"modality must be cxr or ct, not '{modality}'", StatusCodes.Status400BadRequest);
        var grounded = Text(form, "grounded", 16)?.Trim().ToLowerInvariant() switch
        {
            null or "" or "false" or "0" or "no" or "off" => false,
            "true" or "1" or "yes" or "on" => true,
            var other => throw new RequestFieldException("grounded", $"grounded must be true or false, not '{other}'", StatusCodes.Status400BadRequest),
        };
        int? maxTokens = null;
        if (Text(form, "max_tokens", 16) is { } max)
            maxTokens = int.TryParse(max, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var m) && m is >= 1 and <= 4096
                ? m : throw new RequestFieldException("max_tokens", "max_tokens must be an integer between 1 and 4096", StatusCodes.Status400BadRequest);

        var frontalBytes = await ReadFile(form, "frontal", limits.MaxImageBytes, cancellationToken)
            ?? throw new RequestFieldException("frontal", "frontal is required: the current frontal image (PNG, JPEG or DICOM; for modality ct a zip of the series' DICOM files)",
                StatusCodes.Status400BadRequest);
        var lateralBytes = await ReadFile(form, "lateral", limits.MaxImageBytes, cancellationToken);
        var priorBytes = await ReadFile(form, "prior", limits.MaxImageBytes, cancellationToken);
        var decode = new ImageDecodeOptions { MaxInputBytes = limits.MaxImageBytes };
        StudyImage frontal;
        PixelImage? frontalImage = null;
        if (modality == "ct")
        {
            if (lateralBytes is not null) throw new RequestFieldException("lateral", "lateral is for modality cxr", StatusCodes.Status400BadRequest);
            if (priorBytes is not null) throw new RequestFieldException("prior", "prior is for modality cxr", StatusCodes.Status400BadRequest);
            if (ImageDecoder.Sniff(frontalBytes) != ImageFormat.Zip)
                throw new RequestFieldException("frontal", "modality ct needs the series as a zip of its DICOM files", StatusCodes.Status400BadRequest);
            Checked("frontal", () => Imaging.Ct.CtSeriesReader.ReadZip(frontalBytes, decode));
            frontal = new StudyImage(frontalBytes, VisionLanguageModelSet.CtSeriesMediaType);
        }
        else
        {
            frontalImage = Image2D("frontal", frontalBytes, decode);
            frontal = new StudyImage(frontalBytes, MediaType(frontalBytes));
        }
        StudyImage? Optional(string field, byte[]? bytes)
        {
            if (bytes is null) return null;
            Image2D(field, bytes, decode);
            return new StudyImage(bytes, MediaType(bytes));
        }

        return new DraftInput(frontal, frontalImage, Optional("lateral", lateralBytes), Optional("prior", priorBytes),
            Text(form, "prior_report", MaxPriorReportChars), Text(form, "indication", MaxShortFieldChars),
            Text(form, "technique", MaxShortFieldChars), Text(form, "comparison", MaxShortFieldChars), grounded, modality, maxTokens);
    }

    private static async Task<(DraftingService Service, DraftRequest Request, Func<long, Provenance> ProvenanceOf)> PrepareAsync(
        IServiceProvider services, DraftInput input, PromptLibrary prompts, CancellationToken cancellationToken)
    {
        var host = services.GetService<LlmHost>();
        if (host is not { HasModelSet: true } || services.GetService<IChatClient>() is not { } chat)
            throw new RequestFieldException("model", "no vision-language model set configured (ReportGen:Llm:ModelSet)", StatusCodes.Status503ServiceUnavailable, "no_model_set");
        try
        {
            await host.Client.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new LlmUnavailableException("the model set is still loading; retry shortly");
        }
        var set = host.ModelSet!;
        if (set.Modality != input.Modality)
            throw new RequestFieldException("modality", $"the configured model set '{set.Id}' drafts {set.Modality}, not {input.Modality}", StatusCodes.Status400BadRequest);
        var request = new DraftRequest
        {
            Frontal = input.Frontal, Lateral = input.Lateral, PriorFrontal = input.Prior, PriorReport = input.PriorReport,
            Indication = input.Indication, Technique = input.Technique, Comparison = input.Comparison, Grounded = input.Grounded,
            Modality = input.Modality, MaxOutputTokens = input.MaxTokens,
            // Boxes come back in the encoder's view; the geometry maps them to the original image's pixels.
            FrontalGeometry = input.FrontalImage is { } px ? CropGeometry.For(set.EncoderPreprocessing, px.Width, px.Height) : null,
        };
        var prompt = PromptProvenance.Of(prompts[DraftingService.PromptName]);
        var models = host.SetProvenance;
        return (new DraftingService(chat, prompts), request, start => new Provenance
        {
            Pipeline = "draft",
            Engine = "llm",
            Models = models,
            Prompt = prompt,
            ElapsedMs = Provenance.Since(start),
        });
    }

    // One text field: absent is null; given twice, too long or holding control characters is a 4xx naming it.
    private static string? Text(IFormCollection form, string field, int maxChars)
    {
        if (!form.TryGetValue(field, out var values) || StringValues.IsNullOrEmpty(values)) return null;
        if (values.Count > 1) throw new RequestFieldException(field, $"{field} is given {values.Count} times", StatusCodes.Status400BadRequest);
        var text = values[0]!;
        if (text.Length > maxChars) throw new RequestFieldException(field, $"{field} is longer than {maxChars} characters", StatusCodes.Status413PayloadTooLarge);
        // The one text rule (control characters, bytes that are not UTF-8); a blank value is simply not given.
        if (!string.IsNullOrWhiteSpace(text)) ReportGen.Core.Text.ReportText.Validate(text, field);
        return text;
    }

    private static async Task<byte[]?> ReadFile(IFormCollection form, string field, long maxBytes, CancellationToken cancellationToken)
    {
        var files = form.Files.GetFiles(field);
        if (files.Count == 0) return null;
        if (files.Count > 1) throw new RequestFieldException(field, $"{field} holds {files.Count} files; send one", StatusCodes.Status400BadRequest);
        var file = files[0];
        if (file.Length == 0) throw new RequestFieldException(field, $"{field} is an empty file", StatusCodes.Status400BadRequest);
        if (file.Length > maxBytes)
            throw new RequestFieldException(field, $"{field} is {file.Length} bytes; the limit is {maxBytes} bytes per image", StatusCodes.Status413PayloadTooLarge, ImageDecodeErrorCodes.TooLarge);
        var bytes = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }

    private static PixelImage Image2D(string field, byte[] bytes, ImageDecodeOptions decode)
    {
        var decoded = Checked(field, () => ImageDecoder.DecodeAny(bytes, decode));
        if (decoded.Volume is not null || decoded.Image is null)
            throw new RequestFieldException(field, $"{field} is a CT series; send it as frontal with modality ct", StatusCodes.Status400BadRequest, ImageDecodeErrorCodes.IsSeries);
        if (field != "prior" && string.Equals(decoded.Image.Metadata.Modality, "CT", StringComparison.OrdinalIgnoreCase))
            throw new RequestFieldException(field, $"{field} is a CT slice (DICOM modality CT); send the whole series as frontal with modality ct", StatusCodes.Status400BadRequest);
        return decoded.Image;
    }

    // The decoder's typed failures, as problems naming the field with the decoder's code.
    private static T Checked<T>(string field, Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (ImageDecodeException ex)
        {
            var status = ex.Code switch
            {
                ImageDecodeErrorCodes.TooLarge or ImageDecodeErrorCodes.DecompressionBomb => StatusCodes.Status413PayloadTooLarge,
                ImageDecodeErrorCodes.Unsupported or ImageDecodeErrorCodes.UnsupportedTransferSyntax => StatusCodes.Status415UnsupportedMediaType,
                _ => StatusCodes.Status400BadRequest,
            };
            throw new RequestFieldException(field, $"{field}: {ex.Message}", status, ex.Code);
        }
    }

    private static string MediaType(ReadOnlySpan<byte> bytes) => ImageDecoder.Sniff(bytes) switch
    {
        ImageFormat.Png => "image/png",
        ImageFormat.Jpeg => "image/jpeg",
        ImageFormat.Dicom => "application/dicom",
        _ => "application/octet-stream",
    };

    // The draft JSON contract shared with `reportgen draft` (DraftJson), with the API's provenance.
    private static JsonObject Response(DraftResult result, DraftRequest request, PixelImage? frontal, Provenance provenance) =>
        DraftJson.Result(result, request, frontal is null ? null : new DraftImageSize(frontal.Width, frontal.Height, frontal.Metadata.Format),
            JsonSerializer.SerializeToNode(provenance)!.AsObject());

    // The drafted report as text for the rules structurer (FHIR observations): model output may hold control characters.
    private static string ReportText(DraftResult result)
    {
        var text = new StringBuilder("FINDINGS: ").AppendJoin(' ', result.Findings.Select(f => f.Text));
        if (!string.IsNullOrWhiteSpace(result.Impression)) text.Append("\nIMPRESSION: ").Append(result.Impression);
        return new string([.. text.ToString().Select(c => c < ' ' && c is not ('\n' or '\t') || c == '\x7f' ? ' ' : c)]);
    }

    /// <summary>The multipart form (documentation: the endpoint reads the form itself to name the field at fault).</summary>
    public sealed class DraftForm
    {
        /// <summary>The current frontal image (PNG, JPEG or DICOM); for modality ct, a zip of the series' DICOM files.</summary>
        [JsonPropertyName("frontal")] public required IFormFile Frontal { get; init; }
        /// <summary>The current lateral image.</summary>
        [JsonPropertyName("lateral")] public IFormFile? Lateral { get; init; }
        /// <summary>The prior frontal image.</summary>
        [JsonPropertyName("prior")] public IFormFile? Prior { get; init; }
        /// <summary>The prior report.</summary>
        [JsonPropertyName("prior_report")] public string? PriorReport { get; init; }
        /// <summary>Indication.</summary>
        [JsonPropertyName("indication")] public string? Indication { get; init; }
        /// <summary>Technique.</summary>
        [JsonPropertyName("technique")] public string? Technique { get; init; }
        /// <summary>Comparison.</summary>
        [JsonPropertyName("comparison")] public string? Comparison { get; init; }
        /// <summary>true: grounded findings with boxes.</summary>
        [JsonPropertyName("grounded")] public bool? Grounded { get; init; }
        /// <summary>cxr (default) or ct.</summary>
        [JsonPropertyName("modality")] public string? Modality { get; init; }
        /// <summary>Max tokens to generate (1..4096; default: the prompt's).</summary>
        [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }
    }
}
