using Microsoft.Extensions.AI;
using ReportGen.Core.RadGraph;
using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Structuring;

/// <summary>
/// Report text → sections, sentences and a RadGraph annotation, with the rules, LLM or hybrid engine.
/// Validates input first (<see cref="ReportTextException"/>). The rules engine needs no model; the LLM and
/// hybrid engines need an <see cref="IChatClient"/> and ask for JSON constrained by
/// <see cref="RadGraphSpanAligner.ResponseSchema"/>.
/// </summary>
public sealed class StructuringService
{
    private readonly RuleBasedRadGraphExtractor _rules = new();
    private readonly IChatClient? _chat;
    private readonly IRadGraphPrompt _prompt;

    public StructuringService(IChatClient? chatClient = null, IRadGraphPrompt? prompt = null, StructuringOptions? options = null)
    {
        _chat = chatClient;
        _prompt = prompt ?? new BuiltInRadGraphPrompt();
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
        return new StructuringResult(input.Sections, input.Sentences, doc, StructuringEngine.Rules, new StructuringDiagnostics());
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
        var chat = _chat ?? throw new InvalidOperationException($"the {engine.ToString().ToLowerInvariant()} engine needs a chat model; none is configured");
        var radgraphText = RadGraphTokenizer.Join(input.Words);
        // The prompt file's execution settings win; the built-in schema and limits fill what it leaves out.
        var options = _prompt.CreateChatOptions() ?? new ChatOptions { Temperature = 0, MaxOutputTokens = Options.MaxOutputTokens };
        options.ModelId ??= Options.ModelId;
        options.ResponseFormat ??= ChatResponseFormat.ForJsonSchema(RadGraphSpanAligner.ResponseSchema, "radgraph_entities", "RadGraph v1 entities and relations");
        var response = await chat.GetResponseAsync(_prompt.Render(radgraphText), options, cancellationToken).ConfigureAwait(false);
        var modelDoc = RadGraphSpanAligner.Align(input.Words, response.Text, out var alignment);
        if (engine == StructuringEngine.Llm)
            return new StructuringResult(input.Sections, input.Sentences, modelDoc, engine, alignment);

        var rulesDoc = _rules.ExtractWithScopes(input.Text, input.Words, input.Sections, out var scopes);
        var merged = HybridRadGraphMerger.Merge(modelDoc, rulesDoc, scopes, out var hybrid);
        return new StructuringResult(input.Sections, input.Sentences, merged, engine, alignment with
        {
            HybridKeptModelEntities = hybrid.HybridKeptModelEntities,
            HybridRelabelledModelEntities = hybrid.HybridRelabelledModelEntities,
            HybridRejectedModelEntities = hybrid.HybridRejectedModelEntities,
            HybridAddedRuleEntities = hybrid.HybridAddedRuleEntities,
        });
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
