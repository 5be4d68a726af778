using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Prompts;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Pipelines.Audit;

/// <summary>
/// The provenance of every pipeline's result, built in one place for the API (endpoints, batch jobs) and the CLI:
/// engine, rule set (rules and hybrid), the model (llm and hybrid) and the prompt file the result names.
/// </summary>
public static class PipelineProvenance
{
    /// <summary>The rules behind the structuring rules engine.</summary>
    public const string StructureRuleset = "radgraph-rules/chexpert-labeler-phrases@44ddeb3";

    /// <summary>The rules behind the classification rules engine.</summary>
    public const string ClassifyRuleset = "chexpert-labeler@44ddeb3+multilingual-cues";

    /// <summary>Provenance of a structuring result.</summary>
    public static Provenance ForStructure(StructuringResult result, ModelProvenance? model, double elapsedMs) => new()
    {
        Pipeline = "structure",
        Engine = result.Engine.ToString().ToLowerInvariant(),
        Ruleset = result.Engine == StructuringEngine.Llm ? null : StructureRuleset,
        Models = result.Engine == StructuringEngine.Rules || model is null ? [] : [model],
        Prompt = Of(result.Prompt),
        ElapsedMs = elapsedMs,
    };

    /// <summary>Provenance of a classification result.</summary>
    public static Provenance ForClassify(ClassificationResult result, ModelProvenance? model, double elapsedMs)
    {
        var rules = result.Engine == "rules";
        return new()
        {
            Pipeline = "classify",
            Engine = result.Engine,
            Ruleset = rules ? ClassifyRuleset : null,
            Models = rules || model is null ? [] : [model],
            Prompt = Of(result.Prompt),
            ElapsedMs = elapsedMs,
        };
    }

    /// <summary>The rules behind the model-free judge: the structuring rules find the findings, the labeller their polarity.</summary>
    public const string JudgeRuleset = "rules-judge: " + StructureRuleset + " + chexpert-labeler@44ddeb3";

    /// <summary>Provenance of a judgement: the rules judge (no prompt) or an LLM judge with its prompt and the model.</summary>
    public static Provenance ForJudge(PromptTemplate? prompt, ModelProvenance? model, double elapsedMs) => prompt is null
        ? new() { Pipeline = "judge", Engine = "rules", Ruleset = JudgeRuleset, ElapsedMs = elapsedMs }
        : new() { Pipeline = "judge", Engine = "llm", Models = model is null ? [] : [model], Prompt = PromptProvenance.Of(prompt), ElapsedMs = elapsedMs };

    /// <summary>Provenance of a draft: always the LLM engine (the runtime is named by the models), the set's models and the prompt.</summary>
    public static Provenance ForDraft(string? modelSet, IReadOnlyList<ModelProvenance> models, PromptTemplate prompt, int imagesInjected, double elapsedMs) => new()
    {
        Pipeline = "draft",
        Engine = "llm",
        ModelSet = modelSet,
        Models = models,
        Prompt = PromptProvenance.Of(prompt),
        ImagesInjected = imagesInjected,
        ElapsedMs = elapsedMs,
    };

    private static PromptProvenance? Of(PromptIdentity? prompt) => prompt is null ? null : new(prompt.Name, prompt.Sha256);
}
