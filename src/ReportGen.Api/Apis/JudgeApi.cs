using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using ReportGen.Api.Hosting;
using ReportGen.Api.Pipelines;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Judging;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Api.Apis;

/// <summary>
/// <c>POST /v1/reports/judge</c>: scores a candidate report against a reference with the model-free rules judge or
/// an LLM judge (GREEN, RadFact, CheXprompt) on the hosted model. The response is the judge's own result, serialised
/// as it is, plus provenance. There is no streaming variant: every judge returns one result and nothing partial.
/// </summary>
public static class JudgeApi
{
    /// <summary>The judging methods.</summary>
    public static readonly IReadOnlyList<string> Methods = ["rules", "green", "radfact", "chexprompt"];

    private static readonly JsonSerializerOptions ResultJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Maps the endpoint.</summary>
    public static RouteGroupBuilder MapJudgeApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/reports/judge", Judge).WithTags("Reports")
            .WithSummary("Score a candidate report against a reference: method rules (no model), green, radfact or chexprompt (hosted LLM)");
        return v1;
    }

    /// <summary>Judges one candidate against one reference.</summary>
    public static async Task<JudgeResponse> Judge(JudgeRequest request, PromptLibrary prompts, IServiceProvider services,
        CancellationToken cancellationToken)
    {
        var method = request.Method?.Trim().ToLowerInvariant() ?? "rules";
        if (!Methods.Contains(method))
            throw new RequestFieldException("method", $"unknown method '{request.Method}'; use {string.Join(", ", Methods)}", StatusCodes.Status400BadRequest);
        var candidate = ValidReport(request.Candidate, "candidate");
        var reference = ValidReport(request.Reference, "reference");
        if (request.MaxTokens is < 1 or > 8192)
            throw new RequestFieldException("max_tokens", "max_tokens must be between 1 and 8192", StatusCodes.Status400BadRequest);

        var start = Stopwatch.GetTimestamp();
        if (method == "rules")
        {
            var judgement = services.GetRequiredService<RulesJudge>().Judge(candidate, reference);
            return new JudgeResponse(method, Serialise(judgement), new Provenance
            {
                Pipeline = "judge",
                Engine = "rules",
                Ruleset = "rules-judge: radgraph-rules/chexpert-labeler-phrases@44ddeb3 + chexpert-labeler@44ddeb3",
                ElapsedMs = Provenance.Since(start),
            });
        }

        var hosted = services.GetService<IChatClient>()
            ?? throw new RequestFieldException("method", $"the {method} judge needs a model; none is configured on this service (ReportGen:Llm:Model), use method \"rules\"",
                StatusCodes.Status503ServiceUnavailable);
        var chat = new ServiceFailureCapture(hosted);
        var (promptName, result) = method switch
        {
            "green" => (GreenJudge.PromptName, Serialise(await new GreenJudge(chat, prompts, request.MaxTokens).JudgeAsync(candidate, reference, cancellationToken))),
            "chexprompt" => (CheXpromptJudge.PromptName, Serialise(await new CheXpromptJudge(chat, prompts, request.MaxTokens).JudgeAsync(candidate, reference, cancellationToken))),
            _ => (RadFactJudge.PromptName, Serialise(await new RadFactJudge(chat, prompts, request.MaxTokens).JudgeAsync(candidate, reference, cancellationToken))),
        };
        // The judges score a failed model call as "unparseable"; a full queue or an oversized prompt is the caller's to know.
        chat.ThrowIfFailed();
        var model = services.GetService<LlmHost>()?.Provenance;
        return new JudgeResponse(method, result, new Provenance
        {
            Pipeline = "judge",
            Engine = "llm",
            Models = model is null ? [] : [model],
            Prompt = PromptProvenance.Of(prompts[promptName]),
            ElapsedMs = Provenance.Since(start),
        });
    }

    // One report-text rule everywhere (Core): empty/binary -> 400, too large -> 413, naming the field.
    private static string ValidReport(string? text, string field)
    {
        ReportText.Validate(text, field);
        return text!;
    }

    private static JsonObject Serialise<T>(T judgement) => JsonSerializer.SerializeToNode(judgement, ResultJson)!.AsObject();
}

/// <summary>A judging request.</summary>
/// <param name="Candidate">The report to score.</param>
/// <param name="Reference">The ground-truth report.</param>
/// <param name="Method">rules (default, no model), green, radfact or chexprompt.</param>
/// <param name="MaxTokens">Overrides the judge prompt's max_tokens (LLM methods).</param>
public sealed record JudgeRequest(
    [property: JsonPropertyName("candidate")] string? Candidate,
    [property: JsonPropertyName("reference")] string? Reference,
    [property: JsonPropertyName("method")] string? Method,
    [property: JsonPropertyName("max_tokens")] int? MaxTokens);

/// <summary>A judgement: the judge's result as it reports it (snake_case) and provenance.</summary>
/// <param name="Method">The method used.</param>
/// <param name="Result">The judge's result record, serialised field by field.</param>
/// <param name="Provenance">What produced it.</param>
public sealed record JudgeResponse(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("result")] JsonObject Result,
    [property: JsonPropertyName("provenance")] Provenance Provenance);
