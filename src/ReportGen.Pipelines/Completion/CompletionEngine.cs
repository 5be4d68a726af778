using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ReportGen.Core.Completion;
using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Completion;

/// <summary>Options of the <see cref="CompletionEngine"/>.</summary>
public sealed record CompletionEngineOptions
{
    /// <summary>Retrieved candidates the model re-ranks.</summary>
    public int RerankCandidates { get; init; } = 8;

    /// <summary>
    /// Weight of the model's mean token log-probability against the retrieval score (both z-normalised over the
    /// candidates). 2 was best of 0.5/1/2/4 on a hold-out of train.jsonl with iu-xray-tiny-llama (eval/completion.md).
    /// </summary>
    public double ModelWeight { get; init; } = 2.0;

    /// <summary>
    /// The model's weight for requests that name the impression section; null: <see cref="ModelWeight"/>. 0 by default:
    /// iu-xray-tiny-llama never saw an impression in training, and on the impression sentences of val.jsonl's first
    /// cross-fitting fold weight 0 beat 0.5 and 2 (BLEU-4 0.248 / 0.232 / 0.094), as it did on the second fold
    /// (eval/completion.md). With 0, impression requests are answered by retrieval alone.
    /// </summary>
    public double? ImpressionModelWeight { get; init; } = 0;

    /// <summary>Whether the model may add a generated continuation as a candidate.</summary>
    public bool Generate { get; init; } = true;

    /// <summary>Token budget of a generated continuation.</summary>
    public int MaxGeneratedTokens { get; init; } = 40;

    /// <summary>Ranking weights.</summary>
    public RankingWeights Weights { get; init; } = new();
}

/// <summary>
/// Sentence auto-completion: retrieval from a named corpus, optionally re-ranked by a language model
/// (<see cref="ISequenceScorer"/>) with a generated continuation as an extra candidate
/// (<see cref="IContinuationGenerator"/>). Without a model, retrieval alone answers.
/// </summary>
public sealed class CompletionEngine(
    CorpusRegistry corpora,
    ISequenceScorer? scorer = null,
    IContinuationGenerator? generator = null,
    CompletionEngineOptions? options = null) : ICompletionEngine
{
    private readonly ConcurrentDictionary<SentenceIndex, SentenceRanker> _rankers = new();
    private readonly CompletionEngineOptions _options = options ?? new CompletionEngineOptions();

    /// <summary>True when a model re-ranks.</summary>
    public bool HasModel => scorer is not null;

    /// <summary>The ranking weights in use.</summary>
    public RankingWeights Weights => _options.Weights;

    /// <summary>The registry answering corpus names.</summary>
    public CorpusRegistry Corpora => corpora;

    /// <inheritdoc />
    public async Task<CompletionResult> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken)
    {
        CompletionResult? last = null;
        await foreach (var result in StreamAsync(request, cancellationToken).ConfigureAwait(false))
        {
            last = result;
        }
        return last!;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<CompletionResult> StreamAsync(CompletionRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Validate(request);
        cancellationToken.ThrowIfCancellationRequested();
        var index = corpora.Get(request.Corpus);
        var ranker = _rankers.GetOrAdd(index, i => new SentenceRanker(i, _options.Weights));
        var context = CompletionText.SplitSentences(request.Context);
        var prefix = request.Prefix ?? "";
        var modelWeight = request.Section == ReportSectionKind.Impression && _options.ImpressionModelWeight is { } w ? w : _options.ModelWeight;
        // A model with weight 0 could not change the order: retrieval alone answers, without the model's latency.
        var useModel = scorer is not null && modelWeight != 0;
        var wanted = useModel ? Math.Max(request.K, _options.RerankCandidates) : request.K;
        var ranked = ranker.Rank(context, prefix, request.Anchors, wanted, request.Section);
        var retrieved = ranked.Select(r => new CompletionSuggestion(
            CompletionText.ContinueFrom(prefix, index.Sentences[r.Id].Text),
            Math.Round(r.Score, 4),
            $"{index.Name}:{r.Id}",
            index.Sentences[r.Id].Count)).ToList();
        if (!useModel)
        {
            yield return new CompletionResult(retrieved, index.Name, Reranked: false);
            yield break;
        }
        yield return new CompletionResult([.. retrieved.Take(request.K)], index.Name, Reranked: false);
        var reranked = await RerankAsync(request, context, prefix, retrieved, modelWeight, cancellationToken).ConfigureAwait(false);
        yield return new CompletionResult(reranked, index.Name, Reranked: true);
    }

    private async Task<List<CompletionSuggestion>> RerankAsync(
        CompletionRequest request, List<string> context, string prefix, List<CompletionSuggestion> retrieved, double modelWeight, CancellationToken cancellationToken)
    {
        var contextText = string.Join(' ', context);
        var candidates = new List<CompletionSuggestion>(retrieved);
        if (generator is not null && _options.Generate)
        {
            var generated = await generator.GenerateAsync(contextText, prefix, _options.MaxGeneratedTokens, cancellationToken).ConfigureAwait(false);
            if (generated is not null && IsUsable(generated, prefix, context, candidates))
            {
                candidates.Add(new CompletionSuggestion(CompletionText.NormalizeDisplay(generated), 0, $"model:{generator.ModelId}", 0));
            }
        }
        if (candidates.Count == 0)
        {
            return candidates;
        }
        var logProbs = await scorer!.ScoreAsync(contextText, [.. candidates.Select(c => c.Text)], cancellationToken).ConfigureAwait(false);
        // Retrieval scores and log-probs live on different scales: z-normalise each over the list.
        var retrievalZ = ZScores([.. candidates.Select(c => c.Source.StartsWith("model:", StringComparison.Ordinal) ? double.NaN : c.Score)]);
        var modelZ = ZScores([.. logProbs]);
        return [.. candidates
            .Select((c, i) => c with { Score = Math.Round((double.IsNaN(retrievalZ[i]) ? 0 : retrievalZ[i]) + modelWeight * modelZ[i], 4) })
            .OrderByDescending(c => c.Score)
            .Take(request.K)];
    }

    private static bool IsUsable(string generated, string prefix, List<string> context, List<CompletionSuggestion> candidates)
    {
        var key = CompletionText.Key(generated);
        if (key.Length == 0 || !key.StartsWith(CompletionText.Key(prefix), StringComparison.Ordinal)) return false;
        if (context.Any(c => CompletionText.Key(c) == key) || candidates.Any(c => CompletionText.Key(c.Text) == key)) return false;
        var established = new Dictionary<string, FindingState>();
        foreach (var m in context.SelectMany(FindingPolarity.Extract)) established[m.Concept] = m.State;
        return !FindingPolarity.Contradicts(established, FindingPolarity.Extract(generated));
    }

    private static double[] ZScores(double[] values)
    {
        var present = values.Where(v => !double.IsNaN(v)).ToArray();
        if (present.Length == 0) return values;
        var mean = present.Average();
        var sd = Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / present.Length);
        return [.. values.Select(v => double.IsNaN(v) ? v : sd < 1e-9 ? 0 : (v - mean) / sd)];
    }

    /// <summary>Checks a request; the exception names the offending field.</summary>
    public static void Validate(CompletionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Context is null) throw new CompletionInputException("context", "context is required (it may be empty)");
        if (request.Context.Length > CompletionRequest.MaxContextChars) throw new CompletionInputException("context", $"context is longer than {CompletionRequest.MaxContextChars} characters");
        if (request.Prefix is { Length: > 1000 }) throw new CompletionInputException("prefix", "prefix is longer than 1000 characters");
        if (request.K is < 1 or > CompletionRequest.MaxK) throw new CompletionInputException("k", $"k must be between 1 and {CompletionRequest.MaxK}");
        if (request.Anchors is { } anchors)
        {
            if (anchors.Count > 20) throw new CompletionInputException("anchors", "at most 20 anchor words");
            if (anchors.Any(a => a is null || a.Length > 64)) throw new CompletionInputException("anchors", "anchor words must be non-null and at most 64 characters");
        }
        if (request.Section is { } section && CompletionSections.Slot(section) < 0) throw new CompletionInputException("section", $"section must be one of: {string.Join(", ", CompletionSections.Names)}");
        if (request.Corpus is { Length: > 128 }) throw new CompletionInputException("corpus", "corpus name is longer than 128 characters");
    }
}
