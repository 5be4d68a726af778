using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using ReportGen.Api.Fhir;
using ReportGen.Api.Hosting;
using ReportGen.Api.PipelineResults;
using ReportGen.Api.Problems;
using ReportGen.Pipelines.Audit;
using ReportGen.Core.Labels;
using ReportGen.Core.RadGraph;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Api.Apis;

/// <summary><c>/v1/reports/structure</c> and <c>/v1/reports/classify</c> (JSON, SSE and FHIR).</summary>
public static class ReportsApi
{
    /// <summary>FHIR's JSON media type.</summary>
    public const string FhirJson = "application/fhir+json";

    /// <summary>Maps the endpoints.</summary>
    public static RouteGroupBuilder MapReportsApi(this RouteGroupBuilder v1)
    {
        var reports = v1.MapGroup("/reports").WithTags("Reports");
        reports.MapPost("/structure", Structure).WithName("structureReport")
            .Produces<StructureResponse>(StatusCodes.Status200OK).AlsoAnswers(FhirJson, JsonSchemaType.Object, "A FHIR R4 DiagnosticReport")
            .WithSummary("Sections, sentences and RadGraph entities/relations of a report; Accept: application/fhir+json gives a FHIR R4 DiagnosticReport");
        reports.MapPost("/structure/stream", StructureStream).WithName("structureReportStream").Produces<string>(StatusCodes.Status200OK, "text/event-stream").WithSummary("As /structure, as Server-Sent Events: one 'sentence' event per sentence, then 'result'");
        reports.MapPost("/classify", Classify).WithName("classifyReport").WithSummary("Labels from a taxonomy (id, inline) or an ad-hoc label list, in any supported language");
        reports.MapPost("/classify/stream", ClassifyStream).WithName("classifyReportStream").Produces<string>(StatusCodes.Status200OK, "text/event-stream").WithSummary("As /classify, as Server-Sent Events: one 'label' event per label, then 'result'");
        return v1;
    }

    /// <summary>
    /// OpenAPI: a RadGraph relation is written by its own converter as a <c>[type, target id]</c> pair, which the schema
    /// generator cannot see (it left <c>relations</c> an array of nothing); this says so.
    /// </summary>
    public static Task DescribeRelations(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        if (context.JsonTypeInfo.Type != typeof(RadGraphEntity) || schema.Properties is null) return Task.CompletedTask;
        schema.Properties["relations"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            Description = "Outgoing relations, each [type, target entity id], e.g. [\"located_at\", \"2\"]; type is modify, located_at or suggestive_of.",
            Items = new OpenApiSchema { Type = JsonSchemaType.Array, MinItems = 2, MaxItems = 2, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
        };
        return Task.CompletedTask;
    }

    /// <summary>Structures one report.</summary>
    public static async Task<Results<Ok<StructureResponse>, JsonHttpResult<JsonObject>>> Structure(StructureRequest request, HttpContext context, StructuringService service,
        HostedModels models, CancellationToken cancellationToken)
    {
        var study = FhirStudy.Parse(request.Subject, request.Effective);   // checked whatever the answer's form, so a bad value is always a 400
        var (result, provenance) = await RunStructure(request, service, models.Provenance, cancellationToken);
        if (WantsFhir(context)) return TypedResults.Json(FhirDiagnosticReport.FromStructuring(result, provenance, study), contentType: FhirJson);
        return TypedResults.Ok(StructureResponse.From(result, provenance));
    }

    /// <summary>Structures one report and streams it sentence by sentence.</summary>
    public static async Task<ServerSentEventsResult<object>> StructureStream(StructureRequest request, StructuringService service, HostedModels models, CancellationToken cancellationToken)
    {
        var (result, provenance) = await RunStructure(request, service, models.Provenance, cancellationToken);
        var response = StructureResponse.From(result, provenance);
        async IAsyncEnumerable<System.Net.ServerSentEvents.SseItem<object>> Events()
        {
            foreach (var sentence in response.Sentences)
            {
                yield return new(sentence, "sentence");
                await Task.Yield();
            }
            yield return new(response, "result");
        }
        return TypedResults.ServerSentEvents(Events());
    }

    /// <summary>Classifies one report.</summary>
    public static async Task<Ok<ClassifyResponse>> Classify(ClassifyRequest request, ClassificationService service, HostedModels models, CancellationToken cancellationToken) =>
        TypedResults.Ok(await RunClassify(request, service, models.Provenance, cancellationToken));

    /// <summary>Classifies one report and streams label by label.</summary>
    public static async Task<ServerSentEventsResult<object>> ClassifyStream(ClassifyRequest request, ClassificationService service, HostedModels models, CancellationToken cancellationToken)
    {
        var response = await RunClassify(request, service, models.Provenance, cancellationToken);
        async IAsyncEnumerable<System.Net.ServerSentEvents.SseItem<object>> Events()
        {
            foreach (var (label, value) in response.Labels)
            {
                yield return new(new { label, value }, "label");
                await Task.Yield();
            }
            yield return new(response, "result");
        }
        return TypedResults.ServerSentEvents(Events());
    }

    private static async Task<(StructuringResult, Provenance)> RunStructure(StructureRequest request, StructuringService service, ModelProvenance? model, CancellationToken cancellationToken)
    {
        var engine = ParseEngine(request.Engine, StructuringEngines.Parse, "rules, llm or hybrid");
        if (engine != StructuringEngine.Rules && !service.HasModel)
            throw new RequestFieldException("engine", $"the {request.Engine} engine needs a model; none is configured (use engine \"rules\")", StatusCodes.Status400BadRequest);
        var start = Stopwatch.GetTimestamp();
        var result = await service.StructureAsync(request.Text, engine, cancellationToken);
        return (result, PipelineProvenance.ForStructure(result, model, Provenance.Since(start)));
    }

    private static async Task<ClassifyResponse> RunClassify(ClassifyRequest request, ClassificationService service, ModelProvenance? model, CancellationToken cancellationToken)
    {
        var engine = ParseEngine(request.Engine, ClassificationEngines.Parse, ClassificationEngines.Names);
        for (var i = 0; i < (request.Labels?.Count ?? 0); i++)
        {
            if (request.Labels![i] is null) throw new RequestFieldException($"labels[{i}]", "every label must be a string", StatusCodes.Status400BadRequest);
        }
        Taxonomy? inline = null;
        string? taxonomyId = null;
        switch (request.Taxonomy?.ValueKind)
        {
            case null or JsonValueKind.Null or JsonValueKind.Undefined:
                break;
            case JsonValueKind.String:
                taxonomyId = request.Taxonomy.Value.GetString();
                break;
            case JsonValueKind.Object:
                try
                {
                    inline = TaxonomyLibrary.Parse(request.Taxonomy.Value.GetRawText(), "request taxonomy");
                }
                catch (Exception ex) when (ex is ClassificationException or FormatException or InvalidDataException or YamlDotNet.Core.YamlException)
                {
                    throw new RequestFieldException("taxonomy", "invalid inline taxonomy: " + ex.Message, StatusCodes.Status400BadRequest);
                }
                break;
            default:
                throw new RequestFieldException("taxonomy", "taxonomy must be an id (string) or a taxonomy object", StatusCodes.Status400BadRequest);
        }
        var start = Stopwatch.GetTimestamp();
        var result = await service.ClassifyAsync(new ClassificationRequest
        {
            Text = request.Text ?? "",
            TaxonomyId = taxonomyId,
            Taxonomy = inline,
            Labels = request.Labels,
            Engine = engine,
            Language = request.Language,
        }, cancellationToken);
        var provenance = PipelineProvenance.ForClassify(result, model, Provenance.Since(start));
        return new ClassifyResponse(result.Language, result.Labels.ToDictionary(l => l.Key, l => l.Value.ToWireName()), result.Warnings, provenance) { Truncated = result.Truncated };
    }

    private static T ParseEngine<T>(string? name, Func<string?, T?> parse, string allowed) where T : struct =>
        name is null ? default : parse(name) ?? throw new RequestFieldException("engine", $"unknown engine '{name}'; use {allowed}", StatusCodes.Status400BadRequest);

    private static bool WantsFhir(HttpContext context) =>
        context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(FhirJson, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Structuring request.</summary>
/// <param name="Text">The report text (any supported language).</param>
/// <param name="Engine">rules (default), llm or hybrid.</param>
/// <param name="Subject">FHIR answers: the patient, as a reference such as <c>Patient/123</c> (DiagnosticReport.subject); left out when not given.</param>
/// <param name="Effective">FHIR answers: when the study was done, a FHIR dateTime such as <c>2024-05-17T09:30:00+02:00</c> (effectiveDateTime); left out when not given.</param>
public sealed record StructureRequest(string? Text, string? Engine = null, string? Subject = null, string? Effective = null);

/// <summary>Structuring response.</summary>
public sealed record StructureResponse(
    [property: JsonPropertyName("sections")] IReadOnlyList<SectionDto> Sections,
    [property: JsonPropertyName("sentences")] IReadOnlyList<string> Sentences,
    [property: JsonPropertyName("radgraph")] RadGraphDocument RadGraph,
    [property: JsonPropertyName("diagnostics")] StructuringDiagnostics Diagnostics,
    [property: JsonPropertyName("provenance")] Provenance Provenance)
{
    /// <summary>True when the model's answer was cut off by its token limit (the annotation is incomplete).</summary>
    [JsonPropertyName("truncated")]
    public bool Truncated => Diagnostics.ModelOutputTruncated;

    /// <summary>The language the report reads as (ISO 639-1, or <c>und</c>).</summary>
    [JsonPropertyName("language")]
    public string Language { get; init; } = "en";

    /// <summary>What makes the annotation less trustworthy than usual (e.g. <c>language_not_english: ...</c>).</summary>
    [JsonPropertyName("warnings")]
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Builds the response from a pipeline result.</summary>
    public static StructureResponse From(StructuringResult result, Provenance provenance) => new(
        result.Sections.Sections.Select(s => new SectionDto(s.Kind.ToString().ToLowerInvariant(), s.Header, s.Text)).ToList(),
        result.Sentences.Select(s => s.Text).ToList(),
        result.RadGraph, result.Diagnostics, provenance) { Language = result.Language, Warnings = result.Warnings };
}

/// <summary>One section.</summary>
public sealed record SectionDto([property: JsonPropertyName("kind")] string Kind, [property: JsonPropertyName("header")] string? Header, [property: JsonPropertyName("text")] string Text);

/// <summary>Classification request: exactly one of <paramref name="Taxonomy"/> (id or inline object) and <paramref name="Labels"/>.</summary>
public sealed record ClassifyRequest(string? Text, JsonElement? Taxonomy = null, IReadOnlyList<string>? Labels = null, string? Engine = null, string? Language = null);

/// <summary>Classification response.</summary>
public sealed record ClassifyResponse(
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels,
    [property: JsonPropertyName("warnings")] IReadOnlyList<string> Warnings,
    [property: JsonPropertyName("provenance")] Provenance Provenance)
{
    /// <summary>True when the model's answer was cut off by its token limit and not read.</summary>
    [JsonPropertyName("truncated")]
    public bool Truncated { get; init; }
}
