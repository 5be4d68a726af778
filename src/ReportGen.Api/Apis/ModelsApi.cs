using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using ReportGen.Core.Models;

namespace ReportGen.Api.Apis;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>: the manifest with each file's status, in OpenAI's model shape.</summary>
public static class ModelsApi
{
    /// <summary>Maps the endpoints.</summary>
    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/models", List).WithTags("Models").WithName("listModels")
            .WithSummary("Models the service knows, and whether each file is present and verified");
        v1.MapGet("/models/{id}", Get).WithTags("Models").WithName("getModel")
            .WithSummary("One model of the manifest, and whether its file is present and verified");
        return v1;
    }

    /// <summary>Lists models in an OpenAI-compatible envelope with ReportGen fields.</summary>
    public static Ok<ModelList> List(ModelResolver resolver) =>
        TypedResults.Ok(new ModelList("list", resolver.Manifest.Models.Select(m => Info(resolver, m)).ToList()));

    /// <summary>One model by manifest id; 404 naming <c>id</c> when the manifest has none.</summary>
    public static Ok<ModelInfo> Get(string id, ModelResolver resolver) =>
        resolver.Manifest.Models.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal)) is { } entry
            ? TypedResults.Ok(Info(resolver, entry))
            : throw new RequestFieldException("id", $"no model '{id}' in the manifest", StatusCodes.Status404NotFound, "model_not_found");

    private static ModelInfo Info(ModelResolver resolver, ModelEntry m)
    {
        var r = resolver.Resolve(m);
        // OpenAI's "created" is when the model was made available: here, when its file was written (0 when absent).
        var created = r.Path is { } path && File.Exists(path) ? new DateTimeOffset(File.GetLastWriteTimeUtc(path)).ToUnixTimeSeconds() : 0;
        return new ModelInfo(m.Id, "model", created, "reportgen", m.Role.ToManifestName(), m.File, m.Sha256, m.Size, m.Licence, m.Source,
            r.Status switch { ModelFileStatus.Ok => "available", ModelFileStatus.Missing => "missing", _ => "hash_mismatch" });
    }
}

/// <summary>The model list.</summary>
public sealed record ModelList(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<ModelInfo> Data);

/// <summary>One model: OpenAI's <c>id, object, created, owned_by</c>, then ReportGen's manifest fields.</summary>
public sealed record ModelInfo(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("licence")] string Licence,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("status")] string Status);
