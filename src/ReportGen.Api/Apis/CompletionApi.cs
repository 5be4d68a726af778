using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using ReportGen.Api.Hosting;
using ReportGen.Api.Problems;
using ReportGen.Core.Completion;
using ReportGen.Pipelines.Completion;

namespace ReportGen.Api.Apis;

/// <summary>
/// <c>POST /v1/reports/complete</c> and <c>POST /v1/reports/complete/stream</c> (Server-Sent Events):
/// sentence auto-completion for the editor plugin.
/// </summary>
public static class CompletionApi
{
    /// <summary>Configuration section listing extra corpora: <c>ReportGen:Completion:Corpora:N:{Name,Source,IndexPath}</c>.</summary>
    public const string CorporaSection = "ReportGen:Completion:Corpora";

    /// <summary>
    /// Registers the corpus registry (the IU X-ray training reports when ../shared has them, plus configured
    /// corpora; <c>ReportGen:Completion:DefaultCorpus</c> picks the default) and the engine. A model re-ranks
    /// when an <see cref="ISequenceScorer"/> (and optionally an <see cref="IContinuationGenerator"/>) is registered.
    /// </summary>
    public static IServiceCollection AddCompletion(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ =>
        {
            var registry = CorpusRegistry.CreateDefault(configuration["ReportGen:Completion:CacheFolder"]);
            foreach (var corpus in configuration.GetSection(CorporaSection).GetChildren())
            {
                if (corpus["Name"] is { Length: > 0 } name)
                {
                    registry.Register(new CorpusDefinition(name, corpus["Source"], corpus["IndexPath"]));
                }
            }
            if (configuration["ReportGen:Completion:DefaultCorpus"] is { Length: > 0 } defaultName)
            {
                registry.DefaultName = defaultName;
            }
            return registry;
        });
        services.AddSingleton<ICompletionEngine>(sp =>
        {
            var registry = sp.GetRequiredService<CorpusRegistry>();
            var scorer = sp.GetService<ISequenceScorer>();
            if (scorer is null) return new CompletionEngine(registry);
            var reranking = new CompletionEngine(registry, scorer, sp.GetService<IContinuationGenerator>());
            // The hosted model loads after start-up: until it is ready, retrieval alone answers (reranked: false).
            return scorer is HostedCompletionModel hosted
                ? new ModelGatedCompletionEngine(new CompletionEngine(registry), reranking, () => hosted.IsReady)
                : reranking;
        });
        services.AddSingleton<IExceptionProblemMapper, CompletionProblemMapper>();
        services.AddHostedService<CompletionWarmUp>();
        return services;
    }

    /// <summary>Maps the two endpoints under the /v1 group.</summary>
    public static RouteGroupBuilder MapCompletionApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/reports").WithTags("Completion");
        group.MapPost("/complete", CompleteAsync).WithName("completeReport").WithSummary("Suggest the next sentence, or the end of the sentence being typed");
        group.MapPost("/complete/stream", Stream).WithName("completeReportStream").WithSummary("The same as Server-Sent Events: retrieval first, then the model re-ranked list");
        return v1;
    }

    /// <summary>Answers one request with k suggestions.</summary>
    public static async Task<Ok<CompletionResponse>> CompleteAsync(CompletionRequestBody body, ICompletionEngine engine, CancellationToken cancellationToken) =>
        TypedResults.Ok(CompletionResponse.From(await engine.CompleteAsync(ToRequest(body), cancellationToken)));

    /// <summary>Streams <c>suggestions</c> events (each a full list; keep the latest), then a <c>done</c> event.</summary>
    public static ServerSentEventsResult<CompletionResponse> Stream(CompletionRequestBody body, ICompletionEngine engine, CorpusRegistry corpora, CancellationToken cancellationToken)
    {
        var request = ToRequest(body);
        // Resolve the corpus before the stream starts so an unknown name is a 400, not a broken stream.
        CompletionEngine.Validate(request);
        corpora.Get(request.Corpus);
        return TypedResults.ServerSentEvents(Events(engine, request, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<CompletionResponse>> Events(
        ICompletionEngine engine, CompletionRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var result in engine.StreamAsync(request, cancellationToken))
        {
            yield return new SseItem<CompletionResponse>(CompletionResponse.From(result), "suggestions");
        }
        yield return new SseItem<CompletionResponse>(new CompletionResponse([], "", false), "done");
    }

    // Input errors are thrown (CompletionInputException) and become a 400 naming the field in one place (CompletionProblemMapper).
    private static CompletionRequest ToRequest(CompletionRequestBody? body)
    {
        if (body is null) throw new CompletionInputException("body", "A JSON body is required.");
        if (body.Context is null) throw new CompletionInputException("context", "context is required (the report so far; it may be empty).");
        if (body.Anchors is { } a && a.Any(x => x is null)) throw new CompletionInputException("anchors", "anchor words must be strings.");
        return new CompletionRequest(body.Context, body.Prefix, body.Anchors, body.K ?? 3, body.Corpus, CompletionSections.Parse(body.Section));
    }

    // ArgumentException appends " (Parameter 'x')"; the field is reported separately.
    private static string Detail(CompletionInputException ex) => ex.Message.Split(" (Parameter", 2)[0];

    private sealed class CompletionProblemMapper : IExceptionProblemMapper
    {
        public MappedProblem? TryMap(Exception exception) => exception is CompletionInputException ex
            ? new MappedProblem(StatusCodes.Status400BadRequest, "Invalid completion request", Detail(ex), ex.Field)
            : null;
    }

    /// <summary>Loads (or builds) the default corpus in the background so the first keystroke is fast.</summary>
    private sealed class CompletionWarmUp(CorpusRegistry registry, ILogger<CompletionWarmUp> logger) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() =>
        {
            if (registry.DefaultName is null) return;
            try
            {
                var index = registry.Get(null);
                logger.LogInformation("Completion corpus {Corpus}: {Sentences} sentences from {Reports} reports", index.Name, index.Sentences.Count, index.Reports.Count);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or CompletionInputException)
            {
                logger.LogWarning("Completion corpus could not be loaded: {ExceptionType}", ex.GetType().Name);
            }
        }, stoppingToken);
    }
}

/// <summary>
/// Answers with the re-ranking engine once the model is ready and with retrieval alone before (the choice is made
/// per request, so the first requests after start-up are fast and later ones use the model).
/// </summary>
internal sealed class ModelGatedCompletionEngine(ICompletionEngine retrieval, ICompletionEngine reranking, Func<bool> modelReady) : ICompletionEngine
{
    private ICompletionEngine Current => modelReady() ? reranking : retrieval;

    public Task<CompletionResult> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken) =>
        Current.CompleteAsync(request, cancellationToken);

    public IAsyncEnumerable<CompletionResult> StreamAsync(CompletionRequest request, CancellationToken cancellationToken) =>
        Current.StreamAsync(request, cancellationToken);
}

/// <summary>The JSON body of a completion request.</summary>
/// <param name="Context">The report so far (required; may be empty).</param>
/// <param name="Prefix">The partial sentence typed so far.</param>
/// <param name="Anchors">Words the suggestion should contain.</param>
/// <param name="K">Number of suggestions (1..20, default 3).</param>
/// <param name="Corpus">Corpus name (default: the service's default corpus).</param>
/// <param name="Section">The section being written: findings or impression (case-insensitive); omitted: unknown.</param>
// Defaults mark the optional fields, so the OpenAPI document does not list them as required.
public sealed record CompletionRequestBody(string? Context, string? Prefix = null, IReadOnlyList<string>? Anchors = null, int? K = null, string? Corpus = null, string? Section = null);

/// <summary>The answer: suggestions best first.</summary>
public sealed record CompletionResponse(IReadOnlyList<SuggestionDto> Suggestions, string Corpus, bool Reranked)
{
    internal static CompletionResponse From(CompletionResult result) =>
        new([.. result.Suggestions.Select(s => new SuggestionDto(s.Text, s.Score, s.Source, s.Count))], result.Corpus, result.Reranked);
}

/// <summary>One suggestion: the full sentence (prefix included), its score, its source (<c>corpus:id</c> or <c>model:id</c>) and corpus count.</summary>
public sealed record SuggestionDto(string Text, double Score, string Source, int Count);
