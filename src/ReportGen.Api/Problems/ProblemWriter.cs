using Microsoft.AspNetCore.Mvc;

namespace ReportGen.Api.Problems;

/// <summary>Writes RFC 7807 problem details from middleware, naming the offending field when there is one.</summary>
public static class ProblemWriter
{
    /// <summary>Creates a problem; <paramref name="field"/> becomes the <c>errors</c> key, as in validation problems.</summary>
    public static ProblemDetails Create(HttpContext context, int status, string title, string detail, string? field = null, string? code = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = $"https://httpstatuses.io/{status}",
            Instance = context.Request.Path,
        };
        if (field is not null)
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
            problem.Extensions["field"] = field;
        }
        if (code is not null) problem.Extensions["code"] = code;
        problem.Extensions["traceId"] = context.TraceIdentifier;
        return problem;
    }

    /// <summary>Writes a problem response (if the response has not started).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, string? field = null, string? code = null)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;
        var writer = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await writer.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = Create(context, status, title, detail, field, code),
        });
    }
}
