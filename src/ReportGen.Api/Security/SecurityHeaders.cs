namespace ReportGen.Api.Security;

/// <summary>Conservative security headers on every response (the API serves JSON; the editor page is same-origin).</summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    /// <summary>Adds the headers before the response starts.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var h = context.Response.Headers;
            h["X-Content-Type-Options"] = "nosniff";
            h["X-Frame-Options"] = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            h["Cross-Origin-Resource-Policy"] = "same-origin";
            h["Content-Security-Policy"] = context.Request.Path.StartsWithSegments("/editor")
                ? "default-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
                : "default-src 'none'; frame-ancestors 'none'";
            if (context.Request.Path.StartsWithSegments("/v1")) h["Cache-Control"] = "no-store";
            // CORS answers differ by Origin (allowed or not); a shared cache must not serve one origin's answer to another.
            // The framework adds Vary only for policies with several origins.
            if (context.Request.Headers.Origin.Count > 0 && !h.Vary.Any(v => v?.Contains("Origin", StringComparison.OrdinalIgnoreCase) == true))
                h.Append("Vary", "Origin");
            return Task.CompletedTask;
        });
        return next(context);
    }
}
