using ReportGen.Pipelines.Prompts;

namespace ReportGen.Cli;

/// <summary>
/// The prompt files the CLI's LLM engines render (<c>REPORTGEN_PROMPTS</c>, beside the binaries, or the checkout).
/// There is no built-in fallback: a result must name the prompt file that produced it.
/// </summary>
internal static class CliPrompts
{
    /// <summary>The prompt library, or null after one stderr line saying why it could not be loaded.</summary>
    public static PromptLibrary? Load(string command, TextWriter stderr)
    {
        try
        {
            return PromptLibrary.LoadDefault();
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or PromptFileException)
        {
            stderr.WriteLine($"reportgen {command}: the LLM engines need the prompt files: {ex.Message}");
            return null;
        }
    }
}
