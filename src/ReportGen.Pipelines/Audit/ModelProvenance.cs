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
    /// An LLM on remote OpenAI-compatible servers (one URL, or the replicas of a comma-separated <c>RemoteUrl</c>): the
    /// model name and each server's origin, in the configured order. Never a whole URL: it may carry credentials or a
    /// path with a key; entries that are no absolute URL are left out rather than echoed.
    /// </summary>
    public static ModelProvenance RemoteLlm(string? model, IEnumerable<string> servers)
    {
        var origins = servers.Select(s => Uri.TryCreate(s, UriKind.Absolute, out var u) ? $"{u.Scheme}://{u.Authority}" : null)
            .OfType<string>().ToList();
        return new(model ?? "remote", origins.Count == 0 ? "remote" : "remote:" + string.Join(",", origins), "llm");
    }
}
