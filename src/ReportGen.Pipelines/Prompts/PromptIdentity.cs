using System.Text.Json.Serialization;

namespace ReportGen.Pipelines.Prompts;

/// <summary>
/// Which prompt file produced a result: its name and the SHA-256 of its bytes (<see cref="PromptTemplate.ContentHash"/>).
/// LLM results carry it so an audit can tell which prompt text was sent; rules results have none.
/// </summary>
/// <param name="Name">The prompt's <c>name</c> (e.g. structure-radgraph).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the prompt file.</param>
public sealed record PromptIdentity([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("sha256")] string Sha256)
{
    /// <summary>The identity of <paramref name="template"/>.</summary>
    public static PromptIdentity Of(PromptTemplate template) => new(template.Name, template.ContentHash);
}
