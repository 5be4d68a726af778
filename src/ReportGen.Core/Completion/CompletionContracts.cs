using ReportGen.Core.Text;

namespace ReportGen.Core.Completion;

/// <summary>
/// One auto-completion request: the report so far, the partial sentence being typed, optional anchor
/// words the suggestion should contain, how many suggestions and from which corpus.
/// </summary>
/// <param name="Context">The report text before the sentence being completed (may be empty).</param>
/// <param name="Prefix">The partial sentence typed so far; every suggestion starts with it (case-insensitive, word-wise; the last word may be partial).</param>
/// <param name="Anchors">Words the suggestion should preferably contain.</param>
/// <param name="K">Number of suggestions wanted (1..20).</param>
/// <param name="Corpus">Corpus name from the registry; null selects the default corpus.</param>
/// <param name="Section">The report section being written, findings or impression (the editor knows where the cursor is); null: unknown.</param>
public sealed record CompletionRequest(
    string Context,
    string? Prefix = null,
    IReadOnlyList<string>? Anchors = null,
    int K = 3,
    string? Corpus = null,
    ReportSectionKind? Section = null)
{
    /// <summary>Largest accepted <see cref="K"/>.</summary>
    public const int MaxK = 20;

    /// <summary>Largest accepted context length in characters.</summary>
    public const int MaxContextChars = 20_000;
}

/// <summary>
/// The report sections a completion request may name (<see cref="ReportSectionKind.Findings"/> and
/// <see cref="ReportSectionKind.Impression"/>), as requests spell them (case-insensitive: findings, impression).
/// </summary>
public static class CompletionSections
{
    /// <summary>The sections, in index order (a sentence index keeps statistics per slot).</summary>
    public static IReadOnlyList<ReportSectionKind> All { get; } = [ReportSectionKind.Findings, ReportSectionKind.Impression];

    /// <summary>The accepted names, in <see cref="All"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["findings", "impression"];

    /// <summary>The slot of a section in <see cref="All"/>, or -1 for a section completion does not know.</summary>
    public static int Slot(ReportSectionKind section)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i] == section) return i;
        }
        return -1;
    }

    /// <summary>The request spelling of a section (findings, impression); null for a section completion does not know.</summary>
    public static string? Name(ReportSectionKind section) => Slot(section) is var slot and >= 0 ? Names[slot] : null;

    /// <summary>The section named <paramref name="name"/>; null for null or blank.</summary>
    /// <exception cref="CompletionInputException">The name is not a known section (field <c>section</c>).</exception>
    public static ReportSectionKind? Parse(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name.Trim(), StringComparison.OrdinalIgnoreCase)) return All[i];
        }
        var shown = name.Length > 32 ? name[..32] + "…" : name;
        throw new CompletionInputException("section", $"unknown section '{shown}'; known: {string.Join(", ", Names)}");
    }
}

/// <summary>One suggested sentence (or sentence continuation).</summary>
/// <param name="Text">The full suggested sentence, starting with the typed prefix exactly as the user typed it.</param>
/// <param name="Score">Ranking score; higher is better; comparable within one response only.</param>
/// <param name="Source">Where it came from: <c>corpus:sentenceId</c> for retrieved sentences, <c>model:ID</c> for generated ones.</param>
/// <param name="Count">How many times the sentence occurs in the corpus (0 for generated text).</param>
public sealed record CompletionSuggestion(string Text, double Score, string Source, int Count);

/// <summary>The answer to a <see cref="CompletionRequest"/>.</summary>
/// <param name="Suggestions">Best first; may be empty when nothing fits the prefix.</param>
/// <param name="Corpus">The corpus that answered.</param>
/// <param name="Reranked">True when a language model re-ranked the candidates.</param>
public sealed record CompletionResult(IReadOnlyList<CompletionSuggestion> Suggestions, string Corpus, bool Reranked);

/// <summary>Suggests sentences for a report being written.</summary>
public interface ICompletionEngine
{
    /// <summary>Returns up to <c>request.K</c> suggestions, best first.</summary>
    /// <exception cref="CompletionInputException">A field of the request is invalid (the exception names it).</exception>
    Task<CompletionResult> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Streams suggestions as they become available: retrieval results first, then (with a model)
    /// a re-ranked list; consumers keep the latest list of each event.
    /// </summary>
    IAsyncEnumerable<CompletionResult> StreamAsync(CompletionRequest request, CancellationToken cancellationToken);
}

/// <summary>A completion request field is invalid. The message names the field, never the report text.</summary>
public sealed class CompletionInputException(string field, string message) : ArgumentException(message, field)
{
    /// <summary>The offending request field (JSON name: context, prefix, anchors, k, corpus, section).</summary>
    public string Field { get; } = field;
}

/// <summary>
/// Scores continuations of a context with a language model: the mean token log-probability of each
/// continuation given the context (higher is likelier).
/// </summary>
public interface ISequenceScorer
{
    /// <summary>Identifies the model (manifest id or file name), for suggestion sources.</summary>
    string ModelId { get; }

    /// <summary>Mean token log-probability of every continuation after <paramref name="context"/>, in input order.</summary>
    Task<IReadOnlyList<double>> ScoreAsync(string context, IReadOnlyList<string> continuations, CancellationToken cancellationToken);
}

/// <summary>Generates a continuation of a report that starts with a given prefix and stops at the end of the sentence.</summary>
public interface IContinuationGenerator
{
    /// <summary>Identifies the model (manifest id or file name), for suggestion sources.</summary>
    string ModelId { get; }

    /// <summary>
    /// The generated sentence, beginning with <paramref name="prefix"/> (which may be empty), ending at the
    /// first sentence end; null when the model produced nothing usable.
    /// </summary>
    Task<string?> GenerateAsync(string context, string prefix, int maxTokens, CancellationToken cancellationToken);
}
