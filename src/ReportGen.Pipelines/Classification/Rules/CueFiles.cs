using System.Reflection;
using ReportGen.Core.Text;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ReportGen.Pipelines.Classification.Rules;

/// <summary>
/// Loads the negation and uncertainty cues of each language from <c>prompts/cues/&lt;language&gt;.yaml</c>,
/// compiled into this assembly (so the rules engine never depends on a folder beside the binaries). Phrases are
/// folded and tokenized exactly like report text, so a clinician may write "n'est pas" or "fravær af" as is.
/// </summary>
internal static class CueFiles
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>The cues of a space-delimited language (en, es, fr, da, de).</summary>
    /// <exception cref="InvalidOperationException">The file is missing or malformed (a build defect).</exception>
    public static LanguageCues Load(string language)
    {
        var file = Read<LanguageFile>(language);
        var scope = file.Scope ?? new ScopeFile();
        return new LanguageCues
        {
            Language = language,
            Or = Fold(file.Or ?? "or"),
            Nor = file.Nor is { } nor ? Fold(nor) : null,
            PreNegationUncertaintyBefore = Cues(file.PreNegationUncertainty?.Before),
            PreNegationUncertaintyAfter = Cues(file.PreNegationUncertainty?.After),
            NegationBefore = Cues(file.Negation?.Before),
            NegationAfter = Cues(file.Negation?.After),
            UncertaintyBefore = Cues(file.Uncertainty?.Before),
            UncertaintyAfter = Cues(file.Uncertainty?.After),
            BackwardTerminators = Words(scope.EndsBefore),
            ForwardTerminators = Words(scope.EndsAfter),
            And = scope.And is { } and ? Fold(and) : null,
            AndClauseStarters = Words(scope.AndClauseStarters),
            Verbs = Words(scope.Verbs),
            AlwaysUncertainMentions = [.. (file.AlwaysUncertain ?? []).Select(Fold)],
            DescriptorHedges = Words(file.DescriptorHedges),
            OrListOpeners = [.. (file.OrLists ?? []).Select(p => Cue.Of(Tokens(p), crossesComma: true))],
            NextSentenceHedges = [.. (file.NextSentenceHedges ?? []).Select(Tokens)],
            ClauseHedges = [.. (file.ClauseHedges ?? []).Select(h => Tokens(h).Split(' '))],
            Artifacts = [.. (file.Artifacts ?? []).Select(Fold)],
            Abbreviations = [.. (file.Abbreviations ?? []).Select(kv => (Fold(kv.Key), Fold(kv.Value)))],
            OrdinalPeriods = file.OrdinalPeriods,
        };
    }

    /// <summary>The Japanese cues (postpositional: matched as substrings after the finding).</summary>
    /// <exception cref="InvalidOperationException">The file is missing or malformed (a build defect).</exception>
    public static JapaneseCues LoadJapanese()
    {
        var file = Read<JapaneseFile>("ja");
        return new JapaneseCues(
            PreNegationUncertainty: [.. file.PreNegationUncertainty ?? []],
            Negation: [.. file.Negation ?? []],
            Uncertainty: [.. file.Uncertainty ?? []],
            Positive: [.. file.Positive ?? []],
            UncertaintyBefore: [.. file.UncertaintyBefore ?? []],
            NoChange: [.. file.NoChange ?? []],
            Alternatives: [.. file.Alternatives ?? []],
            Particles: file.Particles ?? "",
            TopicMarkers: [.. file.TopicMarkers ?? []],
            ClauseEnds: [.. file.ClauseEnds ?? []],
            NextSentenceHedges: [.. file.NextSentenceHedges ?? []],
            Causal: [.. file.Causal ?? []],
            AlwaysUncertain: [.. file.AlwaysUncertain ?? []],
            Artifacts: [.. file.Artifacts ?? []]);
    }

    private static T Read<T>(string language) where T : class
    {
        var name = $"cues/{language}.yaml";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"cue file {name} is not compiled into {typeof(CueFiles).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        try
        {
            return Deserializer.Deserialize<T?>(reader) ?? throw new InvalidOperationException($"cue file {name} is empty");
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new InvalidOperationException($"cue file {name}: {ex.Message}", ex);
        }
    }

    private static string Fold(string s) => TextFolding.Fold(s.Trim());

    /// <summary>A phrase as the tokens report text would have ("n'est pas" → n ' est pas).</summary>
    private static string Tokens(string phrase) => string.Join(' ', new Sentence(Fold(phrase)).Tokens.Select(t => t.Text));

    private static HashSet<string> Words(List<string>? words) => [.. (words ?? []).Select(Fold)];

    private static List<Cue> Cues(List<CueGroupFile>? groups) =>
        [.. (groups ?? []).SelectMany(g => (g.Words ?? []).Select(w => Cue.Of(Tokens(w), g.Within ?? int.MaxValue, g.AcrossCommas)))];

    // The file schema (snake_case in YAML); see the header of prompts/cues/en.yaml.
    private sealed class LanguageFile
    {
        public string? Language { get; set; }
        public string? Or { get; set; }
        public string? Nor { get; set; }
        public SidesFile? PreNegationUncertainty { get; set; }
        public SidesFile? Negation { get; set; }
        public SidesFile? Uncertainty { get; set; }
        public ScopeFile? Scope { get; set; }
        public List<string>? AlwaysUncertain { get; set; }
        public List<string>? OrLists { get; set; }
        public List<string>? NextSentenceHedges { get; set; }
        public List<string>? ClauseHedges { get; set; }
        public List<string>? Artifacts { get; set; }
        public List<string>? DescriptorHedges { get; set; }
        public Dictionary<string, string>? Abbreviations { get; set; }
        public bool OrdinalPeriods { get; set; }
    }

    private sealed class SidesFile
    {
        public List<CueGroupFile>? Before { get; set; }
        public List<CueGroupFile>? After { get; set; }
    }

    private sealed class CueGroupFile
    {
        public List<string>? Words { get; set; }
        public int? Within { get; set; }
        public bool AcrossCommas { get; set; }
    }

    private sealed class ScopeFile
    {
        public List<string>? EndsBefore { get; set; }
        public List<string>? EndsAfter { get; set; }
        public string? And { get; set; }
        public List<string>? AndClauseStarters { get; set; }
        public List<string>? Verbs { get; set; }
    }

    private sealed class JapaneseFile
    {
        public string? Language { get; set; }
        public List<string>? PreNegationUncertainty { get; set; }
        public List<string>? Negation { get; set; }
        public List<string>? Uncertainty { get; set; }
        public List<string>? Positive { get; set; }
        public List<string>? UncertaintyBefore { get; set; }
        public List<string>? NoChange { get; set; }
        public List<string>? Alternatives { get; set; }
        public string? Particles { get; set; }
        public List<string>? TopicMarkers { get; set; }
        public List<string>? ClauseEnds { get; set; }
        public List<string>? NextSentenceHedges { get; set; }
        public List<string>? Causal { get; set; }
        public List<string>? AlwaysUncertain { get; set; }
        public List<string>? Artifacts { get; set; }
    }
}
