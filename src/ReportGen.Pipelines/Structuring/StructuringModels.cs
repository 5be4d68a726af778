using ReportGen.Core.RadGraph;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Structuring;

/// <summary>Which extractor produces the RadGraph annotation.</summary>
public enum StructuringEngine
{
    /// <summary>Deterministic lexicon + scope rules; no model.</summary>
    Rules,
    /// <summary>The chat model through <c>IChatClient</c>, constrained JSON, aligned to word indices.</summary>
    Llm,
    /// <summary>The model's entities validated by the rules, plus the rules' entities the model missed.</summary>
    Hybrid,
}

/// <summary>Limits and defaults of the structuring service.</summary>
public sealed record StructuringOptions
{
    /// <summary>Largest accepted report, in UTF-8 bytes (default 1 MiB).</summary>
    public int MaxTextBytes { get; init; } = 1024 * 1024;

    /// <summary>Model id passed in <c>ChatOptions.ModelId</c> (null: the client's default).</summary>
    public string? ModelId { get; init; }

    /// <summary>Token budget for the model's JSON answer when the prompt file sets none.</summary>
    public int MaxOutputTokens { get; init; } = 1024;
}

/// <summary>Counts that say what the LLM and hybrid engines kept and dropped (all zero for the rules engine).</summary>
public sealed record StructuringDiagnostics
{
    /// <summary>Entities the model returned.</summary>
    public int ModelEntities { get; init; }
    /// <summary>Model entities aligned to a word span with a valid label.</summary>
    public int AlignedEntities { get; init; }
    /// <summary>Model entities dropped because their tokens are not in the text.</summary>
    public int DroppedInvalidSpans { get; init; }
    /// <summary>Model entities dropped because of an unknown label.</summary>
    public int DroppedInvalidLabels { get; init; }
    /// <summary>Model entities dropped as duplicates of an already aligned span.</summary>
    public int DroppedDuplicates { get; init; }
    /// <summary>Model relations dropped (unknown type or target).</summary>
    public int DroppedRelations { get; init; }
    /// <summary>True when the model's answer was not the JSON asked for (no entities could be read).</summary>
    public bool ModelOutputUnreadable { get; init; }
    /// <summary>
    /// True when the model's answer was cut off by its token limit: it is not read (no model entities; the hybrid
    /// engine keeps the rules' entities), so the annotation is incomplete.
    /// </summary>
    public bool ModelOutputTruncated { get; init; }
    /// <summary>Hybrid: model entities kept (span and label agree with the rules' evidence).</summary>
    public int HybridKeptModelEntities { get; init; }
    /// <summary>Hybrid: model entities kept after taking the rules' label (negation/uncertainty scope).</summary>
    public int HybridRelabelledModelEntities { get; init; }
    /// <summary>Hybrid: model entities rejected for lack of lexicon or scope evidence.</summary>
    public int HybridRejectedModelEntities { get; init; }
    /// <summary>Hybrid: rules entities added because the model missed them.</summary>
    public int HybridAddedRuleEntities { get; init; }
}

/// <summary>A structured report: sections, sentences (offsets into the input) and the RadGraph annotation.</summary>
/// <param name="Sections">The sections found.</param>
/// <param name="Sentences">Sentences of every section, offsets into the input text.</param>
/// <param name="RadGraph">The annotation in the radgraph layout.</param>
/// <param name="Engine">The engine that produced it.</param>
/// <param name="Diagnostics">What the model engines kept and dropped.</param>
public sealed record StructuringResult(
    ReportSections Sections,
    IReadOnlyList<Sentence> Sentences,
    RadGraphDocument RadGraph,
    StructuringEngine Engine,
    StructuringDiagnostics Diagnostics)
{
    /// <summary>The prompt file the llm and hybrid engines rendered (null for the rules engine).</summary>
    public PromptIdentity? Prompt { get; init; }

    /// <summary>The language the report reads as (ISO 639-1, or <c>und</c> when too short to tell).</summary>
    public string Language { get; init; } = "en";

    /// <summary>What makes this annotation less trustworthy than usual (a report not in English).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>Parsing of engine names as the CLI and API write them.</summary>
public static class StructuringEngines
{
    /// <summary>"rules" | "llm" | "hybrid" (any case) → the engine; null for anything else.</summary>
    public static StructuringEngine? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "rules" => StructuringEngine.Rules,
        "llm" => StructuringEngine.Llm,
        "hybrid" => StructuringEngine.Hybrid,
        _ => null,
    };
}
