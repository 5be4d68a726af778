using Microsoft.Extensions.Options;
using ReportGen.Core.Completion;
using ReportGen.Llama.Completion;

namespace ReportGen.Api.Hosting;

/// <summary>
/// The hosted local model as <see cref="ISequenceScorer"/> and <see cref="IContinuationGenerator"/> for auto-completion.
/// Registered only when <c>ReportGen:Llm:Model</c> is a local model. Until the model has loaded (or when it failed to
/// load) <see cref="IsReady"/> is false and the completion endpoints answer from retrieval alone (<c>reranked: false</c>)
/// rather than 503: a suggestion without the model is still useful, and the editor asks again on the next keystroke.
/// </summary>
public sealed class HostedCompletionModel(LlmHost host, IOptions<LlmOptions> options) : ISequenceScorer, IContinuationGenerator
{
    /// <summary>True once the model is loaded and its completion session exists.</summary>
    public bool IsReady => host.CompletionSession is not null;

    /// <inheritdoc />
    public string ModelId => host.CompletionSession?.ModelId ?? options.Value.Model ?? "llm";

    /// <inheritdoc />
    public Task<IReadOnlyList<double>> ScoreAsync(string context, IReadOnlyList<string> continuations, CancellationToken cancellationToken) =>
        Session().ScoreAsync(context, continuations, cancellationToken);

    /// <inheritdoc />
    public Task<string?> GenerateAsync(string context, string prefix, int maxTokens, CancellationToken cancellationToken) =>
        Session().GenerateAsync(context, prefix, maxTokens, cancellationToken);

    private LlamaCompletionSession Session() =>
        host.CompletionSession ?? throw new LlmUnavailableException("the model is still loading; retry shortly");
}
