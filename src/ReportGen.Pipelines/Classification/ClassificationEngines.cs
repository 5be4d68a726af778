namespace ReportGen.Pipelines.Classification;

/// <summary>The one reading of a classification engine's name, for every host (HTTP, batch jobs, CLI, eval).</summary>
public static class ClassificationEngines
{
    /// <summary>The names, as requests spell them.</summary>
    public const string Names = "rules or llm";

    /// <summary>"rules" | "llm" (any case, surrounding space ignored) → the engine; null for anything else (never a fallback).</summary>
    public static ClassificationEngine? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "rules" => ClassificationEngine.Rules,
        "llm" => ClassificationEngine.Llm,
        _ => null,
    };

    /// <summary>The engine's name: <c>rules</c> or <c>llm</c>.</summary>
    public static string Name(this ClassificationEngine engine) => engine == ClassificationEngine.Llm ? "llm" : "rules";
}
