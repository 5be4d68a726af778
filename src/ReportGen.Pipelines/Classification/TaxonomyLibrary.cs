using ReportGen.Core.Hosting;
using ReportGen.Core.Labels;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ReportGen.Pipelines.Classification;

/// <summary>
/// The taxonomies in a folder of <c>*.yaml</c> files (<c>prompts/taxonomies</c>), plus parsing of taxonomies sent
/// inline (same schema, YAML or JSON) and ad-hoc label lists. Every taxonomy is validated when it is loaded.
/// </summary>
public sealed class TaxonomyLibrary
{
    /// <summary>Environment variable naming the taxonomy folder explicitly.</summary>
    public const string EnvironmentVariable = "REPORTGEN_TAXONOMIES";

    private readonly Dictionary<string, Taxonomy> _byId;

    private TaxonomyLibrary(string? folder, Dictionary<string, Taxonomy> byId)
    {
        Folder = folder;
        _byId = byId;
    }

    /// <summary>The folder the taxonomies came from (null for an in-memory library).</summary>
    public string? Folder { get; }

    /// <summary>The known taxonomy ids, sorted.</summary>
    public IReadOnlyList<string> Ids => [.. _byId.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// The default folder: <c>REPORTGEN_TAXONOMIES</c>, else <c>taxonomies/</c> beside the binaries, else
    /// <c>prompts/taxonomies</c> in the checkout; null when none exists.
    /// </summary>
    public static string? DefaultFolder()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv)) return fromEnv;
        var besideBinaries = Path.Combine(AppContext.BaseDirectory, "taxonomies");
        if (Directory.Exists(besideBinaries)) return besideBinaries;
        if (Workspace.RepoRoot is { } root && Directory.Exists(Path.Combine(root, "prompts", "taxonomies")))
        {
            return Path.Combine(root, "prompts", "taxonomies");
        }
        return null;
    }

    /// <summary>Loads the default folder (see <see cref="DefaultFolder"/>); an empty library when there is none.</summary>
    public static TaxonomyLibrary LoadDefault() =>
        DefaultFolder() is { } folder ? Load(folder) : new TaxonomyLibrary(null, new(StringComparer.OrdinalIgnoreCase));

    /// <summary>Loads and validates every <c>*.yaml</c> in a folder.</summary>
    /// <exception cref="ClassificationException">A file is malformed or invalid, or two files share an id.</exception>
    public static TaxonomyLibrary Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"taxonomy folder '{folder}' does not exist");
        }
        var byId = new Dictionary<string, Taxonomy>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            var taxonomy = Parse(File.ReadAllText(file), Path.GetFileName(file));
            if (!byId.TryAdd(taxonomy.Id, taxonomy))
            {
                throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"taxonomy id '{taxonomy.Id}' is defined twice (second in {Path.GetFileName(file)})");
            }
        }
        return new TaxonomyLibrary(folder, byId);
    }

    /// <summary>An in-memory library (tests, the API composing its own set).</summary>
    public static TaxonomyLibrary FromTaxonomies(IEnumerable<Taxonomy> taxonomies)
    {
        var byId = new Dictionary<string, Taxonomy>(StringComparer.OrdinalIgnoreCase);
        foreach (var t in taxonomies)
        {
            TaxonomyValidator.Validate(t);
            byId[t.Id] = t;
        }
        return new TaxonomyLibrary(null, byId);
    }

    /// <summary>The taxonomy with this id (case-insensitive).</summary>
    /// <exception cref="ClassificationException">Code <see cref="ClassificationErrorCode.UnknownTaxonomy"/>, listing the known ids.</exception>
    public Taxonomy Get(string id)
    {
        if (_byId.TryGetValue(id.Trim(), out var taxonomy)) return taxonomy;
        var known = _byId.Count == 0 ? "none (no taxonomy folder found; set REPORTGEN_TAXONOMIES)" : string.Join(", ", Ids);
        throw new ClassificationException(ClassificationErrorCode.UnknownTaxonomy, $"unknown taxonomy '{Truncate(id)}'; known taxonomies: {known}");
    }

    /// <summary>Whether a taxonomy with this id exists.</summary>
    public bool Contains(string id) => _byId.ContainsKey(id.Trim());

    /// <summary>
    /// Parses one taxonomy (YAML, or JSON, which YAML reads too) in the file schema and validates it.
    /// <paramref name="source"/> names it in error messages.
    /// </summary>
    public static Taxonomy Parse(string text, string source = "inline taxonomy")
    {
        TaxonomyFile file;
        try
        {
            file = Deserializer.Deserialize<TaxonomyFile?>(text) ?? throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"{source}: empty taxonomy");
        }
        catch (YamlException ex)
        {
            throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"{source}: not a valid taxonomy ({ex.Message})");
        }
        var taxonomy = file.ToTaxonomy(source);
        TaxonomyValidator.Validate(taxonomy);
        return taxonomy;
    }

    /// <summary>
    /// An ad-hoc taxonomy from a comma-separated list ("A,B,C"): each label's text is its only synonym, in
    /// every language.
    /// </summary>
    public static Taxonomy FromLabelList(string commaSeparated) =>
        FromLabels(commaSeparated.Split(',', StringSplitOptions.TrimEntries));

    /// <summary>An ad-hoc taxonomy from label names (see <see cref="FromLabelList"/>).</summary>
    public static Taxonomy FromLabels(IEnumerable<string> names)
    {
        var labels = names.Select(n => n.Trim()).Where(n => n.Length > 0)
            .Select(n => new TaxonomyLabel(n, n, new Dictionary<string, IReadOnlyList<string>>()))
            .ToList();
        var taxonomy = new Taxonomy("adhoc", "Ad-hoc labels", "Labels given with the request.", labels);
        TaxonomyValidator.Validate(taxonomy);
        return taxonomy;
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "...";

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    // The file schema (snake_case in YAML). Kept separate from the Core records so the wire shape can evolve.
    private sealed class TaxonomyFile
    {
        public string? Id { get; set; }
        public string? Name { get; set; }
        public string? Description { get; set; }
        public string? Matching { get; set; }
        public NoFindingFile? NoFinding { get; set; }
        public List<ImplicationFile>? Implications { get; set; }
        public Dictionary<string, List<string>>? OtherFindings { get; set; }
        public Dictionary<string, List<string>>? AbnormalDescriptors { get; set; }
        public List<LabelFile>? Labels { get; set; }
        public List<ExampleFile>? Examples { get; set; }

        public Taxonomy ToTaxonomy(string source)
        {
            if (string.IsNullOrWhiteSpace(Id)) throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"{source}: 'id' is required");
            if (Matching is not null and not "substring" and not "word_start")
            {
                throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"{source}: 'matching' must be substring or word_start");
            }
            var labels = (Labels ?? []).Select(l => l.ToLabel(source)).ToList();
            return new Taxonomy(Id.Trim(), Name ?? Id, Description ?? "", labels)
            {
                Matching = Matching ?? "word_start",
                NoFindingLabel = NoFinding?.Label,
                NoFindingIgnores = NoFinding?.Ignores ?? [],
                OtherFindings = ToLanguageMap(OtherFindings),
                AbnormalDescriptors = ToLanguageMap(AbnormalDescriptors),
                Implications = [.. (Implications ?? []).Select(i => i.ToImplication(source))],
                Examples = [.. (Examples ?? []).Select(e => e.ToExample(source))],
            };
        }
    }

    private sealed class NoFindingFile
    {
        public string? Label { get; set; }
        public List<string>? Ignores { get; set; }
    }

    private sealed class ImplicationFile
    {
        public string? Phrase { get; set; }
        public string? Label { get; set; }
        public string? Value { get; set; }

        public LabelImplication ToImplication(string source) =>
            string.IsNullOrWhiteSpace(Phrase) || string.IsNullOrWhiteSpace(Label) || LabelValues.FromWireName(Value) is not { } v
                ? throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"{source}: an implication needs phrase, label and value (positive|negative|uncertain)")
                : new LabelImplication(Phrase, Label, v);
    }

    private sealed class LabelFile
    {
        public string? Name { get; set; }
        public string? Description { get; set; }
        public Dictionary<string, List<string>>? Synonyms { get; set; }
        public Dictionary<string, List<string>>? Exclusions { get; set; }
        public List<string>? PositionalPrefixes { get; set; }
        public List<string>? PositionalExceptions { get; set; }
        public Dictionary<string, List<string>>? OrganMentions { get; set; }
        public Dictionary<string, List<string>>? NotWith { get; set; }

        public TaxonomyLabel ToLabel(string source)
        {
            if (string.IsNullOrWhiteSpace(Name)) throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"{source}: every label needs a 'name'");
            return new TaxonomyLabel(Name.Trim(), Description ?? Name.Trim(), ToLanguageMap(Synonyms))
            {
                Exclusions = ToLanguageMap(Exclusions),
                PositionalPrefixes = PositionalPrefixes ?? [],
                PositionalExceptions = PositionalExceptions ?? [],
                OrganMentions = ToLanguageMap(OrganMentions),
                NotWith = ToLanguageMap(NotWith),
            };
        }
    }

    private sealed class ExampleFile
    {
        public string? Text { get; set; }
        public Dictionary<string, string>? Labels { get; set; }

        public TaxonomyExample ToExample(string source)
        {
            if (string.IsNullOrWhiteSpace(Text)) throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"{source}: an example needs 'text'");
            var labels = new Dictionary<string, LabelValue>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in Labels ?? [])
            {
                labels[name] = LabelValues.FromWireName(value)
                    ?? throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"{source}: example label '{name}' has value '{value}' (use positive|negative|uncertain|not_mentioned)");
            }
            return new TaxonomyExample(Text, labels);
        }
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> ToLanguageMap(Dictionary<string, List<string>>? map) =>
        (map ?? []).ToDictionary(kv => kv.Key.Trim().ToLowerInvariant(), kv => (IReadOnlyList<string>)[.. kv.Value.Where(s => !string.IsNullOrEmpty(s))]);
}

/// <summary>Checks a taxonomy: at least one label, no duplicate names, references that resolve.</summary>
public static class TaxonomyValidator
{
    /// <summary>Throws a <see cref="ClassificationException"/> naming the problem.</summary>
    public static void Validate(Taxonomy taxonomy)
    {
        if (taxonomy.Labels.Count == 0)
        {
            throw new ClassificationException(ClassificationErrorCode.EmptyLabels, $"taxonomy '{taxonomy.Id}' has no labels");
        }
        var duplicates = taxonomy.Labels
            .GroupBy(l => l.Name.Trim(), StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToList();
        if (duplicates.Count > 0)
        {
            throw new ClassificationException(ClassificationErrorCode.DuplicateLabels, $"taxonomy '{taxonomy.Id}' repeats labels (case-insensitive): {string.Join(", ", duplicates)}");
        }
        if (taxonomy.Labels.Any(l => l.Name.Length > 200))
        {
            throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"taxonomy '{taxonomy.Id}' has a label longer than 200 characters");
        }
        if (taxonomy.NoFindingLabel is { } nf && taxonomy.Find(nf) is null)
        {
            throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"taxonomy '{taxonomy.Id}': no_finding label '{nf}' is not one of its labels");
        }
        foreach (var name in taxonomy.NoFindingIgnores.Concat(taxonomy.Implications.Select(i => i.Label)).Concat(taxonomy.Examples.SelectMany(e => e.Labels.Keys)))
        {
            if (taxonomy.Find(name) is null)
            {
                throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, $"taxonomy '{taxonomy.Id}' refers to '{name}', which is not one of its labels");
            }
        }
    }
}
