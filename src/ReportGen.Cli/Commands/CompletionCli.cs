using System.Text.Json;
using ReportGen.Core.Completion;
using ReportGen.Pipelines.Completion;

namespace ReportGen.Cli.Commands;

/// <summary>What the completion verbs share: the corpus registry and the optional model.</summary>
internal static class CompletionCli
{
    /// <summary>
    /// A registry with the default corpus plus, when <paramref name="corpus"/> is a path (a .jsonl file,
    /// a folder of .txt reports or a saved .rgsi index), that corpus registered under its file name.
    /// Returns the corpus name to request.
    /// </summary>
    public static (CorpusRegistry Registry, string? CorpusName) Registry(string? corpus)
    {
        var registry = CorpusRegistry.CreateDefault();
        if (string.IsNullOrWhiteSpace(corpus) || !(File.Exists(corpus) || Directory.Exists(corpus)))
        {
            return (registry, corpus);
        }
        var name = Path.GetFileNameWithoutExtension(Path.GetFullPath(corpus).TrimEnd(Path.DirectorySeparatorChar));
        registry.Register(corpus.EndsWith(".rgsi", StringComparison.OrdinalIgnoreCase)
            ? new CorpusDefinition(name, null, corpus)
            : new CorpusDefinition(name, corpus));
        return (registry, name);
    }

    /// <summary>
    /// The engine for <c>--model</c>: "none" (or empty) is retrieval-only; anything else needs a
    /// model scorer, which this build does not have yet (the LLM runtime lands separately).
    /// </summary>
    public static CompletionEngine Engine(CorpusRegistry registry, string? model, string? weightsJson = null)
    {
        var options = new CompletionEngineOptions { Weights = Weights(weightsJson) };
        if (string.IsNullOrWhiteSpace(model) || model.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return new CompletionEngine(registry, options: options);
        }
        throw new CompletionInputException("model", "model re-ranking is not available in this build (use --model none)");
    }

    /// <summary>Ranking weights from JSON (property names of <see cref="RankingWeights"/>), for comparing variants in eval.</summary>
    public static RankingWeights Weights(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return new RankingWeights();
        try
        {
            return JsonSerializer.Deserialize<RankingWeights>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true }) ?? new RankingWeights();
        }
        catch (JsonException ex)
        {
            throw new CompletionInputException("weights", $"--weights is not valid JSON: {ex.Message}");
        }
    }
}
