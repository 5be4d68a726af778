using System.Text.Json.Serialization;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Audit;

/// <summary>A prompt's identity: its name and the SHA-256 of the prompt file's bytes.</summary>
public sealed record PromptProvenance([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("sha256")] string Sha256)
{
    /// <summary>The identity of a loaded prompt file.</summary>
    public static PromptProvenance Of(PromptTemplate prompt) => new(prompt.Name, prompt.ContentHash);
}
