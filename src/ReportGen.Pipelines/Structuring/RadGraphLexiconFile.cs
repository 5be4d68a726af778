using ReportGen.Core.Hosting;
using ReportGen.Pipelines.Prompts;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ReportGen.Pipelines.Structuring;

/// <summary>
/// The word lists of <c>prompts/lexicons/radgraph.yaml</c> (snake_case keys, each a list of lower-case words or
/// phrases); what each list means is written beside it in the file. An unknown key is an error, so a misspelt list
/// name cannot silently drop its words.
/// </summary>
internal sealed class RadGraphLexiconFile
{
    /// <summary>The file's place under a prompts folder.</summary>
    public const string RelativePath = "lexicons/radgraph.yaml";

    public List<string> Anatomy { get; set; } = [];
    public List<string> AnatomyAttributes { get; set; } = [];
    public List<string> AnatomyParts { get; set; } = [];
    public List<string> AnatomyModifiers { get; set; } = [];
    public List<string> Observations { get; set; } = [];
    public List<string> ObservationModifiers { get; set; } = [];
    public List<string> StandAloneModifiers { get; set; } = [];
    public List<string> LeadingModifiers { get; set; } = [];
    public List<string> ObservationStems { get; set; } = [];
    public List<string> ObservationSuffixes { get; set; } = [];
    public List<string> NotFindings { get; set; } = [];
    public List<string> AnatomyPrefixes { get; set; } = [];
    public List<string> Units { get; set; } = [];
    public List<string> NegationBefore { get; set; } = [];
    public List<string> NegationAfter { get; set; } = [];
    public List<string> UncertaintyBefore { get; set; } = [];
    public List<string> SuggestiveUncertain { get; set; } = [];
    public List<string> AttributiveHedges { get; set; } = [];
    public List<string> UncertaintyAfter { get; set; } = [];
    public List<string> SuggestiveCertain { get; set; } = [];
    public List<string> Versus { get; set; } = [];
    public List<string> ScopeBreaks { get; set; } = [];
    public List<string> Verbs { get; set; } = [];
    public List<string> Prepositions { get; set; } = [];
    public List<string> NotEntities { get; set; } = [];
    public List<string> Determiners { get; set; } = [];

    /// <summary>
    /// Reads the lexicon from the first prompts folder that has it: <c>REPORTGEN_PROMPTS</c>, <c>prompts/</c> beside the
    /// binaries (the build copies it there), the checkout's <c>prompts/</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">No folder has it (the message lists where it looked).</exception>
    /// <exception cref="InvalidDataException">The file is not a valid lexicon.</exception>
    public static RadGraphLexiconFile LoadDefault()
    {
        var folders = new List<string>();
        if (Environment.GetEnvironmentVariable(PromptLibrary.FolderEnvironmentVariable) is { Length: > 0 } fromEnvironment) folders.Add(fromEnvironment);
        folders.Add(Path.Combine(AppContext.BaseDirectory, "prompts"));
        if (Workspace.RepoRoot is { } root) folders.Add(Path.Combine(root, "prompts"));
        var paths = folders.Select(f => Path.Combine(f, RelativePath)).ToList();
        var path = paths.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"RadGraph lexicon not found (tried {string.Join(", ", paths)})");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses lexicon YAML; <paramref name="source"/> names it in error messages.</summary>
    public static RadGraphLexiconFile Parse(string yaml, string source)
    {
        try
        {
            var file = Deserializer.Deserialize<RadGraphLexiconFile?>(yaml) ?? throw new InvalidDataException($"{source}: empty RadGraph lexicon");
            if (file.Anatomy.Count == 0 || file.Observations.Count == 0) throw new InvalidDataException($"{source}: a RadGraph lexicon needs anatomy and observations");
            return file;
        }
        catch (YamlException ex)
        {
            throw new InvalidDataException($"{source}: not a valid RadGraph lexicon ({ex.Message})", ex);
        }
    }

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();
}
