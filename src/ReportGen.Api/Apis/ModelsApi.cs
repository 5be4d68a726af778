using ReportGen.Core.Models;

namespace ReportGen.Api.Apis;

/// <summary><c>GET /v1/models</c>: the manifest with each file's status (never the file paths' contents).</summary>
public static class ModelsApi
{
    /// <summary>Maps the endpoint.</summary>
    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/models", List).WithTags("Models").WithSummary("Models the service knows, and whether each file is present and verified");
        return v1;
    }

    /// <summary>Lists models in an OpenAI-compatible envelope with ReportGen fields.</summary>
    public static IResult List(ModelResolver resolver) => TypedResults.Ok(new ModelList("list",
        resolver.Manifest.Models.Select(m =>
        {
            var r = resolver.Resolve(m);
            return new ModelInfo(m.Id, "model", "reportgen", m.Role.ToManifestName(), m.File, m.Sha256, m.Size, m.Licence, m.Source,
                r.Status switch { ModelFileStatus.Ok => "available", ModelFileStatus.Missing => "missing", _ => "hash_mismatch" });
        }).ToList()));
}

/// <summary>The model list.</summary>
public sealed record ModelList(string Object, IReadOnlyList<ModelInfo> Data);

/// <summary>One model.</summary>
public sealed record ModelInfo(string Id, string Object, string OwnedBy, string Role, string File, string Sha256, long Size, string Licence, string Source, string Status);
