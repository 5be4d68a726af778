using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using ReportGen.Core.Labels;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Classification.Rules;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Classification;

/// <summary>Which engine labels the report.</summary>
public enum ClassificationEngine
{
    /// <summary>The deterministic multilingual labeller (no model needed).</summary>
    Rules,
    /// <summary>An LLM through <see cref="IChatClient"/>, MOSAIC-style.</summary>
    Llm,
}

/// <summary>
/// One report to classify. Name the labels one way: <see cref="TaxonomyId"/> (a file in the library),
/// <see cref="Taxonomy"/> (sent inline) or <see cref="Labels"/> (an ad-hoc list).
/// </summary>
public sealed record ClassificationRequest
{
    public required string Text { get; init; }
    public string? TaxonomyId { get; init; }
    public Taxonomy? Taxonomy { get; init; }
    public IReadOnlyList<string>? Labels { get; init; }
    public ClassificationEngine Engine { get; init; } = ClassificationEngine.Rules;
    /// <summary>Skip detection and use this language (en, es, fr, da, de, ja).</summary>
    public string? Language { get; init; }
}

/// <summary>
/// The answer: the report's language, a value per label (in taxonomy order), the engine used and any
/// warnings (an unsupported language, repairs made to a model's answer).
/// </summary>
public sealed record ClassificationResult(
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, LabelValue> Labels,
    [property: JsonPropertyName("engine")] string Engine,
    [property: JsonPropertyName("warnings")] IReadOnlyList<string> Warnings)
{
    [JsonPropertyName("language_confidence")]
    public double LanguageConfidence { get; init; }

    /// <summary>For the LLM engine: the prompt file rendered (name and SHA-256); null for the rules engine.</summary>
    [JsonPropertyName("prompt")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PromptIdentity? Prompt { get; init; }

    /// <summary>For the LLM engine: what had to be repaired in the model's answer.</summary>
    [JsonPropertyName("llm_parse")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MosaicParseReport? LlmParse { get; init; }

    /// <summary>
    /// For the LLM engine: the model's answer was cut off by its token limit and was not read (every label is
    /// not_mentioned, and the warnings say so).
    /// </summary>
    [JsonPropertyName("truncated")]
    public bool Truncated { get; init; }
}

/// <summary>
/// Classifies reports against any taxonomy with the rules engine or, when a chat client is given, an LLM that
/// renders the prompt file <c>prompts/classify-mosaic.yaml</c> (<see cref="PromptName"/>; eval can load another
/// folder to compare variants) and reports its name and hash in the result. Thread-safe; create once.
/// </summary>
public sealed class ClassificationService
{
    /// <summary>The prompt file the LLM engine renders.</summary>
    public const string PromptName = "classify-mosaic";

    private readonly IChatClient? _chat;
    private readonly PromptTemplate? _prompt;

    /// <summary>
    /// Creates the service. With a <paramref name="chatClient"/>, <paramref name="prompts"/> is required and must hold
    /// <see cref="PromptName"/> (looked up now, so a missing prompt stops start-up, not the first request).
    /// </summary>
    /// <exception cref="ArgumentNullException">A chat client without a prompt library.</exception>
    /// <exception cref="KeyNotFoundException">The library has no <see cref="PromptName"/>.</exception>
    public ClassificationService(TaxonomyLibrary taxonomies, IChatClient? chatClient = null, PromptLibrary? prompts = null)
    {
        Taxonomies = taxonomies;
        _chat = chatClient;
        if (chatClient is not null)
        {
            ArgumentNullException.ThrowIfNull(prompts, nameof(prompts));
            _prompt = prompts[PromptName];
        }
    }

    /// <summary>The taxonomies requests can name by id.</summary>
    public TaxonomyLibrary Taxonomies { get; }

    /// <summary>The taxonomy a request names (id, inline or ad-hoc), validated.</summary>
    public Taxonomy ResolveTaxonomy(ClassificationRequest request)
    {
        var ways = (request.TaxonomyId is not null ? 1 : 0) + (request.Taxonomy is not null ? 1 : 0) + (request.Labels is not null ? 1 : 0);
        if (ways != 1)
        {
            throw new ClassificationException(ClassificationErrorCode.InvalidTaxonomy, "give exactly one of 'taxonomy' (id), an inline taxonomy, or 'labels'");
        }
        if (request.TaxonomyId is { } id) return Taxonomies.Get(id);
        if (request.Taxonomy is { } inline)
        {
            TaxonomyValidator.Validate(inline);
            return inline;
        }
        var labels = request.Labels!;
        if (labels.All(string.IsNullOrWhiteSpace)) throw new ClassificationException(ClassificationErrorCode.EmptyLabels, "'labels' is empty");
        return TaxonomyLibrary.FromLabels(labels);
    }

    public async Task<ClassificationResult> ClassifyAsync(ClassificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        ReportText.Validate(request.Text);
        var taxonomy = ResolveTaxonomy(request);
        var warnings = new List<string>();

        DetectedLanguage detected;
        if (request.Language is { Length: > 0 } given)
        {
            var code = given.Trim().ToLowerInvariant();
            detected = new DetectedLanguage(code, 1, LanguageDetector.Supported.Contains(code));
        }
        else
        {
            detected = LanguageDetector.Detect(request.Text);
        }
        var rulesLanguage = detected.Supported ? detected.Code : "en";

        if (request.Engine == ClassificationEngine.Rules)
        {
            // A one-phrase report is often undetermined: the rules of the language that recognise most of it are used.
            var language = detected.Code == "und" ? null : rulesLanguage;
            IReadOnlyDictionary<string, LabelValue> values;
            string used;
            IReadOnlyList<string> nameOnly;
            if (request.Labels is { } names)
            {
                // Ad-hoc labels that a library taxonomy defines are labelled by it, in every language it has phrases for.
                (values, used, nameOnly) = AdHocRulesLabels.Label(request.Text, names, Taxonomies, language);
            }
            else
            {
                var (outcome, chosen) = language is null
                    ? RulesLabeler.LabelUndetermined(request.Text, taxonomy)
                    : (RulesLabeler.Label(request.Text, taxonomy, language), language);
                (values, used, nameOnly) = (outcome.Labels, chosen, [.. AdHocRulesLabels.NameOnly(taxonomy, chosen)]);
            }
            if (used != "en" && nameOnly.Count > 0) warnings.Add(NameOnlyWarning(nameOnly, used));
            if (!detected.Supported) warnings.Add(FallbackWarning(detected.Code, used));
            return new ClassificationResult(detected.Code, values, "rules", warnings) { LanguageConfidence = detected.Confidence };
        }
        if (!detected.Supported) warnings.Add(FallbackWarning(detected.Code, "en"));

        if (_chat is null || _prompt is null)
        {
            throw new ClassificationException(ClassificationErrorCode.LlmUnavailable, "the llm engine needs a chat model; none is configured");
        }
        var (messages, options) = BuildPrompt(_prompt, taxonomy, request.Text);
        var response = await _chat.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        if (ModelAnswer.IsCutOff(response))
        {
            // A cut-off answer is never read: its last label would be a fragment.
            var none = taxonomy.Labels.ToDictionary(l => l.Name, _ => LabelValue.NotMentioned, StringComparer.Ordinal);
            warnings.Add($"llm_truncated: the model's answer was cut off at its token limit ({options.MaxOutputTokens}); every label is not_mentioned");
            return new ClassificationResult(detected.Code, none, "llm", warnings) { LanguageConfidence = detected.Confidence, Truncated = true, Prompt = PromptIdentity.Of(_prompt) };
        }
        var (labels, report) = MosaicResponseParser.Parse(response.Text, taxonomy);
        if (report.Unparseable) warnings.Add("llm_unparseable: the model's answer held no JSON object; every label is not_mentioned");
        if (report.MissingLabels > 0 && !report.Unparseable) warnings.Add($"llm_missing_labels: {report.MissingLabels}");
        if (report.UnknownKeys > 0) warnings.Add($"llm_unknown_keys: {report.UnknownKeys}");
        if (report.InvalidValues > 0) warnings.Add($"llm_invalid_values: {report.InvalidValues}");
        return new ClassificationResult(detected.Code, labels, "llm", warnings) { LanguageConfidence = detected.Confidence, LlmParse = report, Prompt = PromptIdentity.Of(_prompt) };
    }

    // A label the rules know only by its (usually English) name is not_mentioned in a report written in another
    // language whatever the report says; the answer must say so rather than look like a finding-free report.
    private static string NameOnlyWarning(IReadOnlyList<string> labels, string language) =>
        $"rules_name_only: no '{language}' phrases for {string.Join(", ", labels.Select(l => $"'{l}'"))}, so the rules engine "
        + "looked for the label's own name; name a taxonomy that defines it, give it phrases in this language, or use the llm engine";

    private static string FallbackWarning(string detected, string used)
    {
        var rules = used == "en" ? "English rules used" : $"'{used}' rules used (they recognise most of the text)";
        return detected == "und" ? $"language_undetermined: {rules}" : $"language_unsupported: '{detected}' has no rules; {rules}";
    }

    /// <summary>The rendered prompt file and its options for one report, with the taxonomy's schema.</summary>
    internal static (IReadOnlyList<ChatMessage> Messages, ChatOptions Options) BuildPrompt(PromptTemplate prompt, Taxonomy taxonomy, string report)
    {
        var messages = prompt.Render(new Dictionary<string, object?>
        {
            ["report"] = report,
            ["labels"] = taxonomy.Labels.Select(l => new Dictionary<string, object?> { ["name"] = l.Name, ["description"] = l.Description }).ToList(),
            ["examples"] = taxonomy.Examples.Select(e => new Dictionary<string, object?> { ["report"] = e.Text, ["output"] = MosaicAnswer.Format(taxonomy, e.Labels) }).ToList(),
        });
        var options = prompt.CreateChatOptions();
        // The file's schema is the generic label map; this one names the taxonomy's labels as required keys.
        options.ResponseFormat = ChatResponseFormat.ForJsonSchema(MosaicAnswer.Schema(taxonomy), "mosaic_labels", "One value per label: 1 positive, 2 negative, 0 uncertain, -1 not mentioned");
        options.MaxOutputTokens = Math.Max(options.MaxOutputTokens ?? 0, 64 + 24 * taxonomy.Labels.Count);
        return (messages, options);
    }
}
