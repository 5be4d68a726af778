using System.Text.Json;
using ReportGen.Core.Completion;
using ReportGen.Llama;
using ReportGen.Llama.Completion;
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
    /// The engine for <c>--model</c>: "none" (or empty) is retrieval-only; otherwise a manifest model id or a GGUF
    /// path is loaded and re-ranks (and generates) through its own llama.cpp context. The model lives as long as the
    /// process (one CLI command). Threads: REPORTGEN_LLM_THREADS (use 1 on a busy machine).
    /// </summary>
    /// <exception cref="CompletionInputException">The model cannot be found or loaded (field <c>model</c>).</exception>
    public static CompletionEngine Engine(CorpusRegistry registry, string? model, string? weightsJson = null, CompletionEngineOptions? engineOptions = null)
    {
        var options = (engineOptions ?? new CompletionEngineOptions()) with { Weights = Weights(weightsJson) };
        if (IsNone(model))
        {
            return new CompletionEngine(registry, options: options);
        }
        var session = Session(model!);
        return new CompletionEngine(registry, new LlamaSequenceScorer(session), new LlamaContinuationGenerator(session), options);
    }

    /// <summary>True for no model ("none" or empty).</summary>
    public static bool IsNone(string? model) => string.IsNullOrWhiteSpace(model) || model.Equals("none", StringComparison.OrdinalIgnoreCase);

    private static LlamaCompletionSession Session(string model)
    {
        try
        {
            var path = File.Exists(model) ? model : CliChatClients.ResolveId(model);
            var llama = LlamaModel.Load(path);
            return new LlamaCompletionSession(llama, new LlamaCompletionOptions
            {
                ModelId = File.Exists(model) ? Path.GetFileNameWithoutExtension(model) : model,
                Threads = CliChatClients.ThreadsFromEnvironment(),
            });
        }
        catch (Exception ex) when (ex is KeyNotFoundException or FileNotFoundException or InvalidDataException or LlamaException or InvalidOperationException)
        {
            throw new CompletionInputException("model", $"--model {model}: {ex.Message}");
        }
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
