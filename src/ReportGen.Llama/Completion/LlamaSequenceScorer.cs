using ReportGen.Core.Completion;

namespace ReportGen.Llama.Completion;

/// <summary>
/// <see cref="ISequenceScorer"/> over a <see cref="LlamaCompletionSession"/>: mean token log-probability of each
/// continuation after the context, all candidates in one llama_decode (see the session for tokenisation and truncation).
/// </summary>
public sealed class LlamaSequenceScorer(LlamaCompletionSession session) : ISequenceScorer
{
    /// <inheritdoc />
    public string ModelId => session.ModelId;

    /// <inheritdoc />
    public Task<IReadOnlyList<double>> ScoreAsync(string context, IReadOnlyList<string> continuations, CancellationToken cancellationToken) =>
        session.ScoreAsync(context, continuations, cancellationToken);
}

/// <summary>
/// <see cref="IContinuationGenerator"/> over a <see cref="LlamaCompletionSession"/>: greedy decoding that starts with the
/// typed prefix (a partial last word is token-healed) and stops at the first sentence end.
/// </summary>
public sealed class LlamaContinuationGenerator(LlamaCompletionSession session) : IContinuationGenerator
{
    /// <inheritdoc />
    public string ModelId => session.ModelId;

    /// <inheritdoc />
    public Task<string?> GenerateAsync(string context, string prefix, int maxTokens, CancellationToken cancellationToken) =>
        session.GenerateAsync(context, prefix, maxTokens, cancellationToken);
}
