using System.Text.Json.Serialization;
using ReportGen.Core.Models;

namespace ReportGen.Pipelines.Audit;

/// <summary>A model's identity: its manifest id (or file name), its SHA-256 and its role.</summary>
public sealed record ModelProvenance([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("sha256")] string Sha256, [property: JsonPropertyName("role")] string Role)
{
    /// <summary>
    /// A local LLM named by a manifest id (its entry's hash) or by a path outside the manifest (its file name,
    /// "unverified": nobody vouched for its bytes).
    /// </summary>
    public static ModelProvenance LocalLlm(ModelEntry? entry, string model) =>
        new(entry?.Id ?? Path.GetFileName(model), entry?.Sha256 ?? "unverified", "llm");

    /// <summary>
    /// An LLM on a remote OpenAI-compatible server: the model name and the server's origin. Never the whole URL: it may
    /// carry credentials or a path with a key.
    /// </summary>
    public static ModelProvenance RemoteLlm(string? model, Uri? server) =>
        new(model ?? "remote", server is null ? "remote" : $"remote:{server.Scheme}://{server.Authority}", "llm");
}
