using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;
using ReportGen.Api.Fhir;
using ReportGen.Api.Hosting;
using ReportGen.Api.PipelineResults;
using ReportGen.Pipelines.Audit;
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
    /// <summary>Maps the endpoints.</summary>
    public static RouteGroupBuilder MapDraftApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/reports/draft", Draft).WithTags("Reports").WithName("draftReport")
            .Accepts<DraftForm>("multipart/form-data")
            .Produces<JsonObject>(StatusCodes.Status200OK)
            .WithSummary("Draft findings from a study's images (PNG, JPEG, DICOM; a CT series as a zip) and text fields; Accept: application/fhir+json gives a FHIR R4 DiagnosticReport");
        v1.MapPost("/reports/draft/stream", DraftStream).WithTags("Reports").WithName("draftReportStream").Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .Accepts<DraftForm>("multipart/form-data")
            .WithSummary("As /draft, as Server-Sent Events: one 'finding' event per finding as the model writes it, then 'result'");
        return v1;
    }

    /// <summary>Drafts the whole report.</summary>
    public static async Task<JsonHttpResult<JsonObject>> Draft(HttpContext context, DraftStudyBuilder studies, PromptLibrary prompts, StructuringService structuring,
        HostedModels models, CancellationToken cancellationToken)
    {
        var study = await ReadAsync(context, studies, cancellationToken);
        var form = await context.Request.ReadFormAsync(cancellationToken);   // read once by ReadAsync; this is the cached form
        var fhirStudy = FhirStudy.Parse(Text(form, FhirStudy.SubjectField), Text(form, FhirStudy.EffectiveField));
        var (service, request, provenanceOf) = await PrepareAsync(models, study, prompts, cancellationToken);
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await service.DraftAsync(request, cancellationToken);
        var provenance = provenanceOf(start);
        if (context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(ReportsApi.FhirJson, StringComparison.OrdinalIgnoreCase)))
            return TypedResults.Json(FhirDiagnosticReport.FromStructuring(structuring.StructureWithRules(ReportText(result)), provenance, fhirStudy), contentType: ReportsApi.FhirJson);
        return TypedResults.Json(Response(result, request, study.FrontalSize, provenance));
    }

    /// <summary>Drafts and streams findings as they are produced.</summary>
    public static async Task<ServerSentEventsResult<object>> DraftStream(HttpContext context, DraftStudyBuilder studies, PromptLibrary prompts, HostedModels models,
        CancellationToken cancellationToken)
    {
        var study = await ReadAsync(context, studies, cancellationToken);
        var (service, request, provenanceOf) = await PrepareAsync(models, study, prompts, cancellationToken);
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
            yield return new(Response(final!, request, study.FrontalSize, provenanceOf(start)), "result");
        }
        return TypedResults.ServerSentEvents(Events());
    }

    // Maps the multipart form to the draft front door (DraftStudyBuilder), which checks and decodes everything once.
    private static async Task<DraftStudy> ReadAsync(HttpContext context, DraftStudyBuilder builder, CancellationToken cancellationToken)
    {
        var form = await ReadFormAsync(context.Request, cancellationToken);
        foreach (var field in DraftStudyBuilder.TextFields)
            if (form.Files.Any(f => f.Name == field)) throw new RequestFieldException(field, $"{field} is a text field, not a file", StatusCodes.Status400BadRequest);
        foreach (var field in DraftStudyBuilder.ImageFields)
            if (form.ContainsKey(field))
                throw new RequestFieldException(field, $"{field} must be a file part (a part with a filename), not a text field", StatusCodes.Status400BadRequest);
        return builder.Build(new DraftStudyInput
        {
            Frontal = await ReadFile(form, "frontal", builder, cancellationToken),
            Lateral = await ReadFile(form, "lateral", builder, cancellationToken),
            Prior = await ReadFile(form, "prior", builder, cancellationToken),
            PriorReport = Text(form, "prior_report"), Indication = Text(form, "indication"),
            Technique = Text(form, "technique"), Comparison = Text(form, "comparison"),
            Grounded = builder.Flag("grounded", Text(form, "grounded")),
            Modality = Text(form, "modality"),
            MaxTokens = builder.Integer("max_tokens", Text(form, "max_tokens")),
        });
    }

    private static async Task<IFormCollection> ReadFormAsync(HttpRequest http, CancellationToken cancellationToken)
    {
        var mediaType = http.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, "multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new RequestFieldException("Content-Type", "send the study as multipart/form-data (frontal, lateral, prior files; text fields)", StatusCodes.Status415UnsupportedMediaType);
        try
        {
            return await http.ReadFormAsync(cancellationToken);
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
    }

    private static async Task<(DraftingService Service, DraftRequest Request, Func<long, Provenance> ProvenanceOf)> PrepareAsync(
        HostedModels models, DraftStudy study, PromptLibrary prompts, CancellationToken cancellationToken)
    {
        var (host, chat) = await models.RequireModelSetAsync(cancellationToken);
        if (host.RemoteVision is { } remote) return PrepareRemote(host, remote, chat, study, prompts);
        var set = host.SetDefinition!;
        if (set.Modality != study.Modality)
            throw new RequestFieldException("modality", $"the configured model set '{set.Id}' drafts {set.Modality}, not {study.Modality}", StatusCodes.Status400BadRequest);
        // Boxes come back in the encoder's view; the request's geometry maps them to the original image's pixels.
        var request = study.ToRequest(host.EncoderPreprocessing);
        var prompt = prompts[host.DraftPromptName];
        var setModels = host.SetProvenance;
        return (new DraftingService(chat, prompts, promptName: host.DraftPromptName), request,
            start => PipelineProvenance.ForDraft(set.Id, setModels, prompt, study.ImageCount, Provenance.Since(start)));
    }

    // A remote vision-language engine: the same prompt per family and output contract; the images go as PNG of the pixels
    // the local path would use, and boxes map back through the family's letterbox (the engine preprocesses what we send).
    private static (DraftingService Service, DraftRequest Request, Func<long, Provenance> ProvenanceOf) PrepareRemote(
        LlmHost host, RemoteVisionModel remote, Microsoft.Extensions.AI.IChatClient chat, DraftStudy study, PromptLibrary prompts)
    {
        var sent = remote.ForRemote(study);
        var promptName = remote.PromptFor(study.Modality);
        var prompt = prompts[promptName];
        var models = host.SetProvenance;
        return (new DraftingService(chat, prompts, promptName: promptName), sent.ToRequest(remote.View),
            start => PipelineProvenance.ForDraft("remote:" + remote.Family, models, prompt, study.ImageCount, Provenance.Since(start)));
    }

    // One text field: absent is null; given twice is a 400 naming it (its content is the front door's to check).
    private static string? Text(IFormCollection form, string field)
    {
        if (!form.TryGetValue(field, out var values) || StringValues.IsNullOrEmpty(values)) return null;
        if (values.Count > 1) throw new RequestFieldException(field, $"{field} is given {values.Count} times", StatusCodes.Status400BadRequest);
        return values[0];
    }

    private static async Task<DraftStudyFile?> ReadFile(IFormCollection form, string field, DraftStudyBuilder builder, CancellationToken cancellationToken)
    {
        var files = form.Files.GetFiles(field);
        if (files.Count == 0) return null;
        if (files.Count > 1) throw new RequestFieldException(field, $"{field} holds {files.Count} files; send one", StatusCodes.Status400BadRequest);
        var file = files[0];
        builder.CheckSize(field, file.Length);   // before reading it into memory
        var bytes = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return new DraftStudyFile(bytes);
    }

    // The draft JSON contract shared with `reportgen draft` (DraftJson), with the API's provenance.
    private static JsonObject Response(DraftResult result, DraftRequest request, DraftImageSize? frontal, Provenance provenance) =>
        DraftJson.Result(result, request, frontal, JsonSerializer.SerializeToNode(provenance)!.AsObject());

    // The drafted report as text for the rules structurer (FHIR observations): model output may hold control characters
    // that the report-text rule refuses; they become spaces.
    private static string ReportText(DraftResult result)
    {
        var text = new StringBuilder("FINDINGS: ").AppendJoin(' ', result.Findings.Select(f => f.Text));
        if (!string.IsNullOrWhiteSpace(result.Impression)) text.Append("\nIMPRESSION: ").Append(result.Impression);
        return new string([.. text.ToString().Select(c => ReportGen.Core.Text.ReportText.IsForbiddenControl(c) ? ' ' : c)]);
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
        /// <summary>Why the study was requested (up to 4096 characters).</summary>
        [JsonPropertyName("indication")] public string? Indication { get; init; }
        /// <summary>How the study was acquired: views, contrast (up to 4096 characters).</summary>
        [JsonPropertyName("technique")] public string? Technique { get; init; }
        /// <summary>Which earlier study the findings are compared with (up to 4096 characters).</summary>
        [JsonPropertyName("comparison")] public string? Comparison { get; init; }
        /// <summary>true: grounded findings with boxes.</summary>
        [JsonPropertyName("grounded")] public bool? Grounded { get; init; }
        /// <summary>cxr (default) or ct.</summary>
        [JsonPropertyName("modality")] public string? Modality { get; init; }
        /// <summary>Max tokens to generate (1..4096; default: the prompt's).</summary>
        [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }
        /// <summary>FHIR answers: the patient, as a reference such as Patient/123 (DiagnosticReport.subject).</summary>
        [JsonPropertyName("subject")] public string? Subject { get; init; }
        /// <summary>FHIR answers: when the study was done, a FHIR dateTime such as 2024-05-17T09:30:00+02:00 (effectiveDateTime).</summary>
        [JsonPropertyName("effective")] public string? Effective { get; init; }
    }
}
