using Microsoft.Extensions.AI;

namespace ReportGen.Pipelines.Structuring;

/// <summary>Renders the chat messages that ask a model for RadGraph entities of one report.</summary>
public interface IRadGraphPrompt
{
    /// <summary>The messages for <paramref name="radgraphText"/> (the space-joined radgraph words of the report).</summary>
    IReadOnlyList<ChatMessage> Render(string radgraphText);
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
    public IReadOnlyList<ChatMessage> Render(string radgraphText) =>
    [
        new(ChatRole.System, System),
        new(ChatRole.User, "Example: No left pleural effusion .\n" +
            """{"entities":[{"id":1,"tokens":"left","label":"ANAT-DP","relations":[{"type":"modify","target":2}]},{"id":2,"tokens":"pleural","label":"ANAT-DP","relations":[]},{"id":3,"tokens":"effusion","label":"OBS-DA","relations":[{"type":"located_at","target":2}]}]}""" +
            "\n\nReport: " + radgraphText),
    ];
}
