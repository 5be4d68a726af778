using Microsoft.Extensions.AI;
using ReportGen.Core.RadGraph;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Structuring;

/// <summary>
/// Report text → sections, sentences and a RadGraph annotation, with the rules, LLM or hybrid engine.
/// Validates input first (<see cref="ReportTextException"/>). The rules engine needs no model; the LLM and
/// hybrid engines need an <see cref="IChatClient"/> and render the prompt file <c>prompts/structure-radgraph.yaml</c>
/// (<see cref="PromptName"/>), whose name and hash their results carry, asking for JSON constrained by its schema.
/// </summary>
public sealed class StructuringService
{
    /// <summary>The prompt file the llm and hybrid engines render.</summary>
    public const string PromptName = "structure-radgraph";

    private readonly RuleBasedRadGraphExtractor _rules = new();
    private readonly IChatClient? _chat;
    private readonly PromptTemplate? _prompt;

    /// <summary>
    /// Creates the service. With a <paramref name="chatClient"/>, <paramref name="prompts"/> is required and must hold
    /// <see cref="PromptName"/> (looked up now, so a missing prompt stops start-up, not the first request).
    /// </summary>
    /// <exception cref="ArgumentNullException">A chat client without a prompt library.</exception>
    /// <exception cref="KeyNotFoundException">The library has no <see cref="PromptName"/>.</exception>
    public StructuringService(IChatClient? chatClient = null, PromptLibrary? prompts = null, StructuringOptions? options = null)
    {
        _chat = chatClient;
        if (chatClient is not null)
        {
            ArgumentNullException.ThrowIfNull(prompts, nameof(prompts));
            _prompt = prompts[PromptName];
        }
        Options = options ?? new StructuringOptions();
    }

    /// <summary>The limits in force.</summary>
    public StructuringOptions Options { get; }

    /// <summary>True when the LLM and hybrid engines can run.</summary>
    public bool HasModel => _chat is not null;

    /// <summary>Structures <paramref name="text"/> with the rules engine (synchronous, model-free).</summary>
    public StructuringResult StructureWithRules(string? text)
    {
        var input = Prepare(text);
        var doc = _rules.Extract(input.Text, input.Words, input.Sections);
        return Described(new StructuringResult(input.Sections, input.Sentences, doc, StructuringEngine.Rules, new StructuringDiagnostics()), input);
    }

    /// <summary>Structures <paramref name="text"/> with <paramref name="engine"/>.</summary>
    public async Task<StructuringResult> StructureAsync(string? text, StructuringEngine engine, CancellationToken cancellationToken)
    {
        if (engine == StructuringEngine.Rules)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return StructureWithRules(text);
        }
        var input = Prepare(text);
        if (_chat is null || _prompt is null) throw new InvalidOperationException($"the {engine.ToString().ToLowerInvariant()} engine needs a chat model; none is configured");
        // The model sees the radgraph word split, so the entities it copies align to word indices.
        var messages = _prompt.Render(new Dictionary<string, object?> { ["report"] = RadGraphTokenizer.Join(input.Words) });
        // The prompt file's execution settings win; the service's schema and limits fill what it leaves out.
        var options = _prompt.CreateChatOptions();
        options.ModelId ??= Options.ModelId;
        options.MaxOutputTokens ??= Options.MaxOutputTokens;
        options.ResponseFormat ??= ChatResponseFormat.ForJsonSchema(RadGraphSpanAligner.ResponseSchema, "radgraph_entities", "RadGraph v1 entities and relations");
        var response = await _chat.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        // A cut-off answer is never read: its last entities would be fragments.
        var truncated = ModelAnswer.IsCutOff(response);
        var modelDoc = RadGraphSpanAligner.Align(input.Words, truncated ? "" : response.Text, out var alignment);
        if (truncated) alignment = new StructuringDiagnostics { ModelOutputTruncated = true };
        var prompt = PromptIdentity.Of(_prompt);
        if (engine == StructuringEngine.Llm)
            return Described(new StructuringResult(input.Sections, input.Sentences, modelDoc, engine, alignment) { Prompt = prompt }, input);

        var rulesDoc = _rules.ExtractWithScopes(input.Text, input.Words, input.Sections, out var scopes);
        var merged = HybridRadGraphMerger.Merge(modelDoc, rulesDoc, scopes, out var hybrid);
        return Described(new StructuringResult(input.Sections, input.Sentences, merged, engine, alignment with
        {
            HybridKeptModelEntities = hybrid.HybridKeptModelEntities,
            HybridRelabelledModelEntities = hybrid.HybridRelabelledModelEntities,
            HybridRejectedModelEntities = hybrid.HybridRejectedModelEntities,
            HybridAddedRuleEntities = hybrid.HybridAddedRuleEntities,
        }) { Prompt = prompt }, input);
    }

    // RadGraph is an English schema: its lexicon, rules and prompt read English. A report in another language is still
    // structured (sections and sentences hold), but its few entities must not pass for a report with few findings.
    private static StructuringResult Described(StructuringResult result, Input input)
    {
        var language = LanguageDetector.Detect(input.Text).Code;
        return language is "en" or "und"
            ? result with { Language = language }
            : result with
            {
                Language = language,
                Warnings = [$"language_not_english: the report reads as '{language}'; RadGraph structuring reads English, so entities of this text may be missing or wrong"],
            };
    }

    /// <summary>Throws <see cref="ReportTextException"/> (field "text") when <paramref name="text"/> is empty, binary or over <see cref="StructuringOptions.MaxTextBytes"/>.</summary>
    public void Validate(string? text) => ReportText.Validate(text, maxBytes: Options.MaxTextBytes);

    private sealed record Input(string Text, IReadOnlyList<RadGraphWord> Words, ReportSections Sections, IReadOnlyList<Sentence> Sentences);

    private Input Prepare(string? text)
    {
        Validate(text);
        var sections = ReportSectionParser.Parse(text!);
        var sentences = new List<Sentence>();
        foreach (var section in sections.Sections)
            foreach (var s in SentenceSplitter.Split(section.Text))
                sentences.Add(s with { Start = section.Start + s.Start });
        return new Input(text!, RadGraphTokenizer.Tokenize(text!), sections, sentences);
    }
}
