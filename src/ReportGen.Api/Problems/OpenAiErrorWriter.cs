using System.Text.Json.Serialization;

namespace ReportGen.Api.Problems;

/// <summary>
/// Problems on the OpenAI-compatible routes (<c>/v1/chat/*</c>, <c>/v1/models*</c>) are written in OpenAI's error
/// shape, <c>{"error": {"message", "type", "param", "code"}}</c>, which OpenAI SDKs read; every other route answers
/// RFC 7807 problem+json. Same status, same field (<c>param</c>) and code, only the envelope differs.
/// </summary>
public sealed class OpenAiErrorWriter(Microsoft.Extensions.Options.IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    /// <summary>True for the routes OpenAI clients call.</summary>
    public static bool IsOpenAiRoute(PathString path) =>
        path.StartsWithSegments("/v1/chat") || path.StartsWithSegments("/v1/models");

    /// <inheritdoc />
    public bool CanWrite(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return IsOpenAiRoute(context.HttpContext.Request.Path);
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // The same customisation the problem+json writer applies (it names the field of framework-written problems).
        options.Value.CustomizeProblemDetails?.Invoke(context);
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        var param = problem.Extensions.TryGetValue("field", out var f) ? f as string : null;
        var code = problem.Extensions.TryGetValue("code", out var c) ? c as string : null;
        var error = new OpenAiError(new OpenAiErrorBody(problem.Detail ?? problem.Title ?? "error", Type(status), param, code));
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(error, context.HttpContext.RequestAborted));
    }

    // OpenAI's error types by status.
    private static string Type(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status403Forbidden => "permission_error",
        StatusCodes.Status404NotFound => "not_found_error",
        StatusCodes.Status429TooManyRequests => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };
}

/// <summary>OpenAI's error envelope.</summary>
public sealed record OpenAiError([property: JsonPropertyName("error")] OpenAiErrorBody Error);

/// <summary>OpenAI's error body: <c>param</c> is the request field at fault.</summary>
public sealed record OpenAiErrorBody(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);
