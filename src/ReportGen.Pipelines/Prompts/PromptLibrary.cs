using ReportGen.Core.Hosting;

namespace ReportGen.Pipelines.Prompts;

/// <summary>
/// All prompt files of one folder (<c>*.yaml</c>/<c>*.yml</c> at its top level; subfolders such as
/// <c>taxonomies/</c> hold other files), loaded and validated together at start-up so a broken prompt stops
/// the service at boot, not on the first request. Eval can load an alternate folder to compare prompt variants.
/// </summary>
public sealed class PromptLibrary
{
    /// <summary>Environment variable naming the prompts folder explicitly.</summary>
    public const string FolderEnvironmentVariable = "REPORTGEN_PROMPTS";

    private readonly Dictionary<string, PromptTemplate> _byName;

    private PromptLibrary(string folder, Dictionary<string, PromptTemplate> byName)
    {
        Folder = folder;
        _byName = byName;
    }

    /// <summary>The folder the prompts came from.</summary>
    public string Folder { get; }

    /// <summary>Every prompt, ordered by name.</summary>
    public IReadOnlyList<PromptTemplate> Prompts => [.. _byName.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];

    /// <summary>The prompt with this name.</summary>
    /// <exception cref="KeyNotFoundException">No prompt has that name; the message lists those that exist.</exception>
    public PromptTemplate this[string name] => _byName.TryGetValue(name, out var prompt)
        ? prompt
        : throw new KeyNotFoundException($"no prompt named '{name}' in {Folder} (have: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))})");

    /// <summary>Looks a prompt up by name.</summary>
    public bool TryGet(string name, out PromptTemplate prompt) => _byName.TryGetValue(name, out prompt!);

    /// <summary>
    /// Loads every prompt file in <paramref name="folder"/>: each must be valid YAML in the prompt schema, compile, and
    /// declare the variables its template uses; names must be unique. All problems are reported together.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="PromptFileException">One or more files are invalid (all of them listed, each named).</exception>
    public static PromptLibrary Load(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"prompts folder '{folder}' does not exist");
        var files = Directory.EnumerateFiles(folder, "*.yaml").Concat(Directory.EnumerateFiles(folder, "*.yml"))
            .Order(StringComparer.Ordinal).ToList();
        var byName = new Dictionary<string, PromptTemplate>(StringComparer.Ordinal);
        var problems = new List<PromptFileException>();
        foreach (var file in files)
        {
            try
            {
                var prompt = PromptTemplate.Load(file);
                if (byName.TryGetValue(prompt.Name, out var first))
                {
                    problems.Add(new PromptFileException(file, $"name '{prompt.Name}' is already used by {Path.GetFileName(first.Source)}"));
                    continue;
                }
                byName[prompt.Name] = prompt;
            }
            catch (PromptFileException e)
            {
                problems.Add(e);
            }
        }
        return problems.Count switch
        {
            0 => new PromptLibrary(Path.GetFullPath(folder), byName),
            1 => throw problems[0],
            _ => throw new PromptFileException(folder, $"{problems.Count} invalid prompt files:{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(p => "  " + p.Message))),
        };
    }

    /// <summary>Loads <see cref="DefaultFolder"/>.</summary>
    public static PromptLibrary LoadDefault() => Load(DefaultFolder());

    /// <summary>
    /// Where the prompts are: <c>REPORTGEN_PROMPTS</c> when set, else <c>prompts/</c> beside the binaries (the build
    /// copies them there), else the checkout's <c>prompts/</c>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">None of these exists (the message lists what was tried).</exception>
    public static string DefaultFolder() => DefaultFolder(Environment.GetEnvironmentVariable);

    // The environment is a parameter so tests can vary it without touching the process-wide variable other tests read.
    internal static string DefaultFolder(Func<string, string?> environment)
    {
        var fromEnvironment = environment(FolderEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment)
                ? Path.GetFullPath(fromEnvironment)
                : throw new DirectoryNotFoundException($"{FolderEnvironmentVariable} names '{fromEnvironment}', which does not exist");
        }
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "prompts") };
        if (Workspace.RepoRoot is { } root) candidates.Add(Path.Combine(root, "prompts"));
        return candidates.FirstOrDefault(Directory.Exists)
            ?? throw new DirectoryNotFoundException($"no prompts folder found (tried {string.Join(", ", candidates)}); set {FolderEnvironmentVariable}");
    }
}
