using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ReportGen.Api.Security;

/// <summary>
/// Says in the OpenAPI document what <see cref="ApiKeyAuthentication"/> enforces: every <c>/v1</c> operation needs a
/// key, sent as <c>X-Api-Key</c> or as a bearer token; health, metrics, the editor page and the document stay open.
/// A client generated from the document then sends the key.
/// </summary>
internal static class OpenApiSecurity
{
    private const string ApiKey = "ApiKey";
    private const string Bearer = "Bearer";

    public static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKey] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Api-Key",
            Description = "A key from ReportGen:ApiKeys (16+ characters).",
        };
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The same key as a bearer token (Authorization: Bearer KEY), as OpenAI clients send it.",
        };
        foreach (var (path, item) in document.Paths)
        {
            if (!path.StartsWith("/v1/", StringComparison.Ordinal) || item.Operations is null) continue;
            foreach (var operation in item.Operations.Values)
            {
                // Either scheme satisfies the requirement (two requirement objects = OR).
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKey, document)] = [] });
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] });
            }
        }
        return Task.CompletedTask;
    }
}
