using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ReportGen.Api.Problems;

/// <summary>
/// What endpoint metadata cannot say in the OpenAPI document: the errors the middleware answers for every route
/// (401 from the key check, 429 from the rate limiter, 413/415 from the body checks, 503 while a model loads), in the
/// envelope the route really uses (problem+json, or OpenAI's error shape on <c>/v1/chat</c> and <c>/v1/models</c>),
/// and the NDJSON body and query parameters of <c>POST /v1/jobs</c>, which the handler reads itself.
/// </summary>
internal static class OpenApiResponses
{
    private const string Problem = "ProblemDetails";
    private const string OpenAiError = "OpenAiError";

    public static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[Problem] = ProblemSchema();
        document.Components.Schemas[OpenAiError] = OpenAiErrorSchema();
        foreach (var (path, item) in document.Paths)
        {
            if (item.Operations is null) continue;
            foreach (var (method, operation) in item.Operations)
            {
                // One line for tools that show the description, not the summary.
                operation.Description ??= operation.Summary;
                operation.Responses ??= [];
                foreach (var response in operation.Responses.Values.OfType<OpenApiResponse>())
                    foreach (var media in (response.Content ?? new Dictionary<string, OpenApiMediaType>()).Values)
                        media.Schema ??= new OpenApiSchema { Type = JsonSchemaType.String };   // streams, text, HTML
                if (operation.OperationId == "submitJob") DescribeJobSubmission(operation);
                foreach (var status in ErrorStatuses(path, method))
                    operation.Responses.TryAdd(status.ToString(System.Globalization.CultureInfo.InvariantCulture), Error(document, path, status));
            }
        }
        return Task.CompletedTask;
    }

    // Which errors a route can answer, by where it sits and what it reads.
    private static IEnumerable<int> ErrorStatuses(string path, HttpMethod method)
    {
        var guarded = path.StartsWith("/v1/", StringComparison.Ordinal);
        if (guarded) yield return StatusCodes.Status401Unauthorized;
        if (method == HttpMethod.Post)
        {
            yield return StatusCodes.Status400BadRequest;
            yield return StatusCodes.Status413PayloadTooLarge;
            yield return StatusCodes.Status415UnsupportedMediaType;
            if (!path.StartsWith("/v1/jobs", StringComparison.Ordinal))
            {
                yield return StatusCodes.Status503ServiceUnavailable;
                // Behind remote inference engines (ReportGen:Llm:RemoteUrl): one down or broken, or too slow.
                yield return StatusCodes.Status502BadGateway;
                yield return StatusCodes.Status504GatewayTimeout;
            }
        }
        if (path.Contains('{', StringComparison.Ordinal)) yield return StatusCodes.Status404NotFound;
        if (guarded) yield return StatusCodes.Status429TooManyRequests;
    }

    private static OpenApiResponse Error(OpenApiDocument document, string path, int status)
    {
        var openAi = OpenAiErrorWriter.IsOpenAiRoute(new PathString(path));
        return new OpenApiResponse
        {
            Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [openAi ? "application/json" : "application/problem+json"] = new() { Schema = new OpenApiSchemaReference(openAi ? OpenAiError : Problem, document) },
            },
        };
    }

    private static void DescribeJobSubmission(OpenApiOperation operation)
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "One JSON object per line: {\"id\": \"...\", \"text\": \"report text\"}.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/x-ndjson"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        };
        operation.Parameters ??= [];
        operation.Parameters.Add(Query("operation", required: true, "The job's operation: structure, classify or sections."));
        operation.Parameters.Add(Query("engine", required: false, "structure: rules (default), hybrid or llm; classify: its engine, as in /v1/reports/classify."));
        operation.Parameters.Add(Query("taxonomy", required: false, "classify: the taxonomy id."));
        operation.Parameters.Add(Query("labels", required: false, "classify: an ad-hoc label list, comma-separated, instead of a taxonomy."));
    }

    /// <summary>
    /// Adds <paramref name="mediaType"/> beside the typed 200 answer. Endpoint metadata keeps one answer type per status,
    /// so a second <c>Produces</c> for 200 would replace the JSON one and generated clients would lose its type.
    /// </summary>
    public static RouteHandlerBuilder AlsoAnswers(this RouteHandlerBuilder builder, string mediaType, JsonSchemaType type, string description) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            if (operation.Responses?.GetValueOrDefault("200") is OpenApiResponse { Content: { } content })
                content[mediaType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = type, Description = description } };
            return Task.CompletedTask;
        });

    private static OpenApiParameter Query(string name, bool required, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Required = required,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 7807 problem; field names the request field at fault, code is a stable machine-readable reason.",
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["field"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String },
        },
    };

    private static OpenApiSchema OpenAiErrorSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "OpenAI's error envelope; param names the request field at fault.",
        Required = new HashSet<string> { "error" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["error"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "message", "type" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    ["param"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                    ["code"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
                },
            },
        },
    };
}
