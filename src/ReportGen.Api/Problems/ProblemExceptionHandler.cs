using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace ReportGen.Api.Problems;

/// <summary>
/// Turns exceptions into problem details: malformed JSON names the JSON path, oversized bodies are 413,
/// wrong content types 415, a full queue 503 with Retry-After, a client that went away gets nothing.
/// Anything unexpected is a 500 without internals (and its message is never logged with request content).
/// </summary>
public sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger, IEnumerable<IExceptionProblemMapper> mappers) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client disconnected: its work is cancelled; there is nobody to answer.
            context.Response.StatusCode = 499;
            return true;
        }
        foreach (var mapper in mappers)
        {
            if (mapper.TryMap(exception) is { } mapped)
            {
                if (mapped.RetryAfterSeconds is { } retry) context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await ProblemWriter.WriteAsync(context, mapped.Status, mapped.Title, mapped.Detail, mapped.Field, mapped.Code);
                return true;
            }
        }
        switch (exception)
        {
            case BadHttpRequestException bad:
                var (field, detail) = Describe(bad);
                var title = bad.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => "Request body too large",
                    StatusCodes.Status415UnsupportedMediaType => "Unsupported content type",
                    _ => "Malformed request",
                };
                await ProblemWriter.WriteAsync(context, bad.StatusCode, title, detail, field);
                return true;
            case TimeoutException:
                await ProblemWriter.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "Deadline exceeded", "The request took longer than its deadline and was cancelled.");
                return true;
            default:
                // Log the type only: messages of pipeline exceptions may quote input text.
                logger.LogError("Unhandled {ExceptionType} on {Path}", exception.GetType().FullName, context.Request.Path);
                await ProblemWriter.WriteAsync(context, StatusCodes.Status500InternalServerError, "Internal error", "An unexpected error occurred; it has been logged with trace id " + context.TraceIdentifier + ".");
                return true;
        }
    }

    private static (string Field, string Detail) Describe(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            var path = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
            if (json.Data[CheckedJsonElementConverter.InnerPathKey] is string inner)
            {
                var field = inner.Length == 0 ? path : inner.StartsWith('[') ? path + inner : $"{path}.{inner}";
                return (field, $"'{field}' is not valid text: bytes that are not UTF-8, or an unpaired surrogate escape.");
            }
            return (path, $"Invalid JSON at {json.Path ?? "$"}" + (json.LineNumber is { } l ? $" (line {l + 1}, byte {json.BytePositionInLine})" : "") + ".");
        }
        return bad.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => ("body", "The request body is larger than the configured limit."),
            StatusCodes.Status415UnsupportedMediaType => ("Content-Type", "Expected application/json (or multipart/form-data where documented)."),
            _ when bad.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase) => ("body", "A JSON body is required."),
            _ when bad.Message.Contains("Required parameter", StringComparison.OrdinalIgnoreCase) => (ParameterName(bad.Message) ?? "query", bad.Message),
            _ when bad.Message.Contains("Failed to bind parameter", StringComparison.OrdinalIgnoreCase) => (ParameterName(bad.Message) ?? "query", bad.Message),
            _ => ("body", "The request could not be read: " + bad.Message),
        };
    }

    // Framework messages name parameters as: Required parameter "int k" was not provided ...
    private static string? ParameterName(string message)
    {
        var start = message.IndexOf('"');
        var end = start < 0 ? -1 : message.IndexOf('"', start + 1);
        if (end <= start) return null;
        var quoted = message[(start + 1)..end];
        return quoted.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
    }
}

/// <summary>A typed domain failure translated to an HTTP problem.</summary>
/// <param name="Status">HTTP status.</param>
/// <param name="Title">Short title.</param>
/// <param name="Detail">What is wrong, without patient text.</param>
/// <param name="Field">The request field at fault, when known.</param>
/// <param name="Code">A machine-readable code.</param>
/// <param name="RetryAfterSeconds">For 503/429: when to retry.</param>
public sealed record MappedProblem(int Status, string Title, string Detail, string? Field = null, string? Code = null, int? RetryAfterSeconds = null);

/// <summary>Maps one family of domain exceptions (image decoding, pipeline input, scheduler) to problems.</summary>
public interface IExceptionProblemMapper
{
    /// <summary>The problem, or null when this mapper does not know the exception.</summary>
    MappedProblem? TryMap(Exception exception);
}
