using System.Text.Json;

namespace ReportGen.Pipelines.Prompts;

/// <summary>One entry of a prompt file's <c>input_variables</c> (Semantic Kernel's InputVariable).</summary>
/// <param name="Name">The name the template uses.</param>
/// <param name="Description">What it holds, for people and for eval reports.</param>
/// <param name="IsRequired">Rendering without it (and without a default) is an error.</param>
/// <param name="Default">The value used when the caller gives none; null when there is no default.</param>
public sealed record PromptInputVariable(string Name, string? Description, bool IsRequired, JsonElement? Default);
