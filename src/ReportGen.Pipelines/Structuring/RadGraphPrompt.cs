using Microsoft.Extensions.AI;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Structuring;

/// <summary>Renders the chat messages that ask a model for RadGraph entities of one report.</summary>
public interface IRadGraphPrompt
{
    /// <summary>The messages for <paramref name="radgraphText"/> (the space-joined radgraph words of the report).</summary>
    IReadOnlyList<ChatMessage> Render(string radgraphText);

    /// <summary>Chat options from the prompt's execution settings (JSON-schema response format), or null for the service's own.</summary>
    ChatOptions? CreateChatOptions();
}

/// <summary>
/// The prompt file <c>prompts/structure-radgraph.yaml</c> (Semantic Kernel prompt YAML, rendered by
/// <see cref="PromptLibrary"/>), with its few-shot examples (optional) and its JSON-schema response format.
/// </summary>
public sealed class RadGraphPromptFile(PromptTemplate template, IReadOnlyList<(string Report, string Output)>? examples = null) : IRadGraphPrompt
{
    /// <summary>The prompt's name in the library.</summary>
    public const string Name = "structure-radgraph";

    /// <summary>The structuring prompt from <paramref name="library"/>.</summary>
    public static RadGraphPromptFile From(PromptLibrary library) => new(library[Name]);

    /// <inheritdoc />
    public IReadOnlyList<ChatMessage> Render(string radgraphText) => template.Render(new Dictionary<string, object?>
    {
        ["report"] = radgraphText,
        ["examples"] = (examples ?? []).Select(e => new Dictionary<string, object?> { ["report"] = e.Report, ["output"] = e.Output }).ToList(),
    });

    /// <inheritdoc />
    public ChatOptions? CreateChatOptions() => template.CreateChatOptions();
}

/// <summary>
/// The built-in instructions, used when no prompt file is configured. The prompt file
/// <c>prompts/structure-radgraph.yaml</c> (rendered by the prompt library) replaces it in the service.
/// </summary>
public sealed class BuiltInRadGraphPrompt : IRadGraphPrompt
{
    private const string System = """
        You annotate radiology reports with RadGraph v1 entities and relations.
        Entities are single words or short word spans copied exactly from the text:
        ANAT-DP (anatomy), OBS-DP (observation present), OBS-U (observation uncertain), OBS-DA (observation absent, negated).
        Modifiers of an observation (small, mild, acute, new) take that observation's label; anatomy is always ANAT-DP.
        Relations: modify (a modifier to what it modifies), located_at (an observation to its anatomy),
        suggestive_of (an observation to the observation it suggests).
        Answer with JSON only: {"entities":[{"id":1,"tokens":"...","label":"...","relations":[{"type":"located_at","target":2}]}]}.
        """;

    /// <inheritdoc />
    public ChatOptions? CreateChatOptions() => null;

    /// <inheritdoc />
    public IReadOnlyList<ChatMessage> Render(string radgraphText) =>
    [
        new(ChatRole.System, System),
        new(ChatRole.User, "Example: No left pleural effusion .\n" +
            """{"entities":[{"id":1,"tokens":"left","label":"ANAT-DP","relations":[{"type":"modify","target":2}]},{"id":2,"tokens":"pleural","label":"ANAT-DP","relations":[]},{"id":3,"tokens":"effusion","label":"OBS-DA","relations":[{"type":"located_at","target":2}]}]}""" +
            "\n\nReport: " + radgraphText),
    ];
}
