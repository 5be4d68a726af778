using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ReportGen.Api.Hosting;

namespace ReportGen.Api.Security;

/// <summary>
/// Checks <c>X-Api-Key</c> (or <c>Authorization: Bearer</c>) against the configured keys in constant time,
/// and records the key's name for rate limiting. Off only in Development with no keys configured.
/// Health, metrics, OpenAPI and the editor demo page stay open.
/// </summary>
public sealed class ApiKeyAuthentication(RequestDelegate next, IOptions<ReportGenApiOptions> options)
{
    /// <summary>HttpContext.Items key holding the authenticated key's name.</summary>
    public const string ClientNameItem = "reportgen.client";

    // Keys are compared as SHA-256 digests so the comparison length never depends on the input.
    private readonly (string Name, byte[] Digest)[] _keys =
        options.Value.ApiKeys.Select(k => (k.Name, SHA256.HashData(Encoding.UTF8.GetBytes(k.Key)))).ToArray();

    /// <summary>Runs the check.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        if (!RequiresKey(context.Request.Path) || _keys.Length == 0)
        {
            context.Items[ClientNameItem] = "anonymous:" + context.Connection.RemoteIpAddress;
            return next(context);
        }
        var presented = Presented(context.Request);
        if (presented is null)
        {
            // RFC 9110 §11.6.1: a 401 names the scheme to use; keys also go as "Authorization: Bearer KEY".
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"reportgen\"";
            return Problems.ProblemWriter.WriteAsync(context, StatusCodes.Status401Unauthorized, "API key required",
                "Send the key in the X-Api-Key header.", field: "X-Api-Key");
        }
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        string? name = null;
        foreach (var (keyName, keyDigest) in _keys)
        {
            // Check every key: the time taken does not reveal which one matched.
            if (CryptographicOperations.FixedTimeEquals(digest, keyDigest)) name = keyName;
        }
        if (name is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"reportgen\", error=\"invalid_token\"";
            return Problems.ProblemWriter.WriteAsync(context, StatusCodes.Status401Unauthorized, "Invalid API key",
                "The key in X-Api-Key is not accepted.", field: "X-Api-Key");
        }
        context.Items[ClientNameItem] = name;
        return next(context);
    }

    private static bool RequiresKey(PathString path) => path.StartsWithSegments("/v1");

    private static string? Presented(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var key) && !string.IsNullOrEmpty(key)) return key.ToString();
        var auth = request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth["Bearer ".Length..].Trim() : null;
    }
}
