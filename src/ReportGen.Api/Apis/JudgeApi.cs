using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using ReportGen.Api.Hosting;
using ReportGen.Api.PipelineResults;
using ReportGen.Pipelines.Audit;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Judging;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Api.Apis;

/// <summary>
/// <c>POST /v1/reports/judge</c>: scores a candidate report against a reference with the model-free rules judge or
/// an LLM judge (GREEN, RadFact, CheXprompt) on the hosted model. The response is the one judgement record
/// (<see cref="JudgeReport"/>) that <c>reportgen judge</c> prints too. There is no streaming variant: every judge returns one result and nothing partial.
/// </summary>
public static class JudgeApi
{
    /// <summary>
    /// OpenAPI: <c>candidate</c> and <c>reference</c> are bound as raw JSON (<see cref="JsonElement"/>, which documents as
    /// "anything"); this says what they really are, a string or the grounded findings object, and lists green_format's values.
    /// </summary>
    public static Task DescribeRequest(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(context);
        if (context.JsonTypeInfo.Type != typeof(JudgeRequest)) return Task.CompletedTask;
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (name, what) in new[] { ("candidate", "The report to score"), ("reference", "The ground-truth report") })
            schema.Properties[name] = ReportSchema($"{what}: report text, or the drafting output's grounded findings (normalised box coordinates in [0, 1], min <= max).");
        schema.Properties["green_format"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String | JsonSchemaType.Null,
            Enum = [JsonValue.Create("json"), JsonValue.Create("native")],
            Description = "green only: json (default; judge-green, constrained JSON) or native (judge-green-native, GREEN's own bracketed output).",
        };
        schema.Required ??= new HashSet<string>();
        schema.Required.Add("candidate");
        schema.Required.Add("reference");
        return Task.CompletedTask;
    }

    private static OpenApiSchema ReportSchema(string description)
    {
        var coordinate = new OpenApiSchema { Type = JsonSchemaType.Number, Minimum = "0", Maximum = "1" };
        var box = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "x_min", "y_min", "x_max", "y_max" },
            Properties = new Dictionary<string, IOpenApiSchema> { ["x_min"] = coordinate, ["y_min"] = coordinate, ["x_max"] = coordinate, ["y_max"] = coordinate },
        };
        var finding = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "text" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["text"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["boxes"] = new OpenApiSchema { Type = JsonSchemaType.Array | JsonSchemaType.Null, Items = box },
            },
        };
        return new OpenApiSchema
        {
            Description = description,
            OneOf =
            [
                new OpenApiSchema { Type = JsonSchemaType.String, Description = "report text" },
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "grounded findings, as POST /v1/reports/draft returns them",
                    Required = new HashSet<string> { "findings" },
                    Properties = new Dictionary<string, IOpenApiSchema> { ["findings"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = finding } },
                },
            ],
        };
    }

    /// <summary>Maps the endpoint.</summary>
    public static RouteGroupBuilder MapJudgeApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/reports/judge", Judge).WithTags("Reports").WithName("judgeReport").Produces<JudgeReport>(StatusCodes.Status200OK)
            .WithSummary("Score a candidate report against a reference: method rules (no model), green, radfact or chexprompt (hosted LLM)");
        return v1;
    }

    /// <summary>Judges one candidate against one reference (the judging front door, <see cref="JudgeSettings"/>, checks and dispatches).</summary>
    public static async Task<JsonHttpResult<JudgeReport>> Judge(JudgeRequest request, PromptLibrary prompts, RulesJudge rules, HostedModels models, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var settings = JudgeSettings.Parse(request.Method, request.GreenFormat, request.MaxTokens);
        var candidate = ReadReport(request.Candidate, "candidate");
        var reference = ReadReport(request.Reference, "reference");
        var chat = settings.NeedsModel
            ? models.RequireChat("method", $"the {settings.MethodName} judge needs a model; none is configured on this service (ReportGen:Llm:Model), use method \"rules\"")
            : null;
        // A full queue or a prompt the model refuses is not a judgement: the judges let it through and it is mapped once
        // (ModelProblemMapper); only a call that failed (server down) is a "failed" judgement.
        var start = Stopwatch.GetTimestamp();
        var run = await settings.JudgeAsync(candidate, reference, rules, chat, prompts, loggers.CreateLogger<JudgeSettings>(), cancellationToken);
        var provenance = PipelineProvenance.ForJudge(run.PromptName is null ? null : prompts[run.PromptName], models.Provenance, Provenance.Since(start));
        // The one judgement record, as `reportgen judge` prints it.
        return TypedResults.Json(JudgeReport.Of(run, provenance), JudgeReport.Json);
    }

    /// <summary>
    /// A report field: a string is report text; an object is the drafting output <c>{"findings": [{"text", "boxes"}]}</c>
    /// read by <see cref="GroundedReport.Read"/>, whose faults name their path under the field
    /// (<c>candidate.findings[0].boxes[0].x_min</c>). Either way the text obeys the one report-text rule (Core): empty or
    /// binary is 400, too large 413.
    /// </summary>
    internal static GroundedReport ReadReport(JsonElement? value, string field)
    {
        switch (value?.ValueKind)
        {
            case null or JsonValueKind.Undefined or JsonValueKind.Null:
                ReportText.Validate(null, field);
                throw new RequestFieldException(field, $"{field} is required", StatusCodes.Status400BadRequest);
            case JsonValueKind.String:
                var text = value.Value.GetString();
                ReportText.Validate(text, field);
                return new GroundedReport([], text!);
            case JsonValueKind.Object:
                // Size first, on the raw object, so a huge grounded report is 413 before it is parsed into phrases.
                var raw = value.Value.GetRawText();
                if (System.Text.Encoding.UTF8.GetByteCount(raw) > ReportText.DefaultMaxBytes)
                    throw new ReportTextException(field, ReportTextProblem.TooLarge, $"'{field}' is larger than the limit of {ReportText.DefaultMaxBytes} bytes");
                GroundedReport report;
                try
                {
                    report = GroundedReport.Read(raw);
                }
                catch (JudgeInputException ex)
                {
                    throw new RequestFieldException(ex.Field == "input" ? field : $"{field}.{ex.Field}", $"{field}: {ex.Message}", StatusCodes.Status400BadRequest);
                }
                ReportText.Validate(report.Text, field);
                return report;
            default:
                throw new RequestFieldException(field, $"{field} must be a string (report text) or an object {{\"findings\": [{{\"text\", \"boxes\"}}]}}, not {value.Value.ValueKind.ToString().ToLowerInvariant()}",
                    StatusCodes.Status400BadRequest);
        }
    }
}

/// <summary>A judging request.</summary>
/// <param name="Candidate">The report to score: report text (a string), or the drafting output object
/// <c>{"findings": [{"text", "boxes": [{"x_min", "y_min", "x_max", "y_max"}]}]}</c> (normalised coordinates).</param>
/// <param name="Reference">The ground-truth report, in either form.</param>
/// <param name="Method">rules (default, no model), green, radfact or chexprompt.</param>
/// <param name="MaxTokens">Overrides the judge prompt's max_tokens (LLM methods).</param>
/// <param name="GreenFormat">green only: json (default, judge-green with constrained JSON) or native (judge-green-native, GREEN's bracketed text).</param>
public sealed record JudgeRequest(
    [property: JsonPropertyName("candidate")] JsonElement? Candidate,
    [property: JsonPropertyName("reference")] JsonElement? Reference,
    [property: JsonPropertyName("method")] string? Method = null,
    [property: JsonPropertyName("max_tokens")] int? MaxTokens = null,
    [property: JsonPropertyName("green_format")] string? GreenFormat = null);
