namespace ReportGen.Pipelines.Prompts;

/// <summary>A prompt file is malformed: bad YAML, a missing field, a template that does not compile, inconsistent variables.</summary>
public sealed class PromptFileException(string file, string problem)
    : Exception($"prompt file '{file}': {problem}")
{
    /// <summary>The file (or source name) at fault.</summary>
    public string File { get; } = file;

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; } = problem;
}

/// <summary>A prompt could not be rendered with the given arguments (e.g. a required variable is missing).</summary>
/// <remarks>Messages name prompts and variables, never argument values (they may be report text).</remarks>
public sealed class PromptRenderException(string prompt, string problem)
    : Exception($"prompt '{prompt}': {problem}")
{
    /// <summary>The prompt's name.</summary>
    public string Prompt { get; } = prompt;
}
