using Microsoft.Extensions.AI;
using ReportGen.Core.Models;
using ReportGen.Imaging;
using ReportGen.Llama;
using ReportGen.Pipelines.Audit;
using ReportGen.Pipelines.Remote;

namespace ReportGen.Cli;

/// <summary>An LLM engine's chat model and prompt files; both null for a rules engine.</summary>
internal sealed record EngineModel(IChatClient? Chat, Pipelines.Prompts.PromptLibrary? Prompts);

/// <summary>
/// The chat model behind the CLI's LLM engines: a remote OpenAI-compatible server when <c>REPORTGEN_LLM_URL</c>
/// is set, else the in-process llama.cpp runtime over a manifest model id or a GGUF path; null without either.
/// </summary>
internal static class CliChatClients
{
    public const string LlmUrlEnvironmentVariable = "REPORTGEN_LLM_URL";

    public static IChatClient? Create(string? model)
    {
        if (Environment.GetEnvironmentVariable(LlmUrlEnvironmentVariable) is { Length: > 0 } url)
        {
            // One server or several replicas, asked what they serve as the service does (context checks, grammar).
            RemoteEnginePool pool;
            try
            {
                pool = new RemoteEnginePool(RemoteEnginePool.ParseUrls(url), new RemoteEngineOptions { Timeout = TimeSpan.FromMinutes(5) });
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine($"reportgen: {LlmUrlEnvironmentVariable}: {ex.Message}");
                return null;
            }
            pool.StartAsync(TimeSpan.FromSeconds(10), CancellationToken.None).GetAwaiter().GetResult();
            return new OpenAiCompatibleChatClient(pool, model, Api.Hosting.LlmHost.RemoteGrammar);
        }
        if (string.IsNullOrWhiteSpace(model)) return null;
        LlamaModel llama;
        try
        {
            llama = LlamaModel.Load(File.Exists(model) ? model : ResolveId(model));
        }
        catch (Exception ex) when (ex is KeyNotFoundException or FileNotFoundException or InvalidDataException or LlamaException)
        {
            // The commands report "no model available" and exit non-zero; this line says why.
            Console.Error.WriteLine($"reportgen: --model {model}: {ex.Message}");
            return null;
        }
        return Local(llama, model, null, null);
    }

    /// <summary>
    /// The chat model and prompt files of an LLM engine, for <c>classify</c>, <c>structure</c>, <c>judge</c> and their eval
    /// verbs: (null, null) when <paramref name="needsModel"/> is false; null after one stderr line saying what is missing
    /// (the command then exits 1). <paramref name="factory"/> makes the client for a model id (default <see cref="Create"/>).
    /// </summary>
    public static async Task<EngineModel?> ForEngineAsync(bool needsModel, string? model, string command, Func<string?, IChatClient?>? factory, TextWriter stderr)
    {
        if (!needsModel) return new EngineModel(null, null);
        // The prompt files first: a result must name the prompt that produced it (no built-in fallback).
        if (CliPrompts.Load(command, stderr) is not { } prompts) return null;
        if ((factory ?? Create)(model) is { } chat) return new EngineModel(chat, prompts);
        await stderr.WriteLineAsync($"reportgen {command}: the LLM engine needs a chat model: pass --model ID (a GGUF from models/models.json or a path) or set {LlmUrlEnvironmentVariable} to an OpenAI-compatible server").ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// The identity of the model <see cref="Create"/> uses, as the service names its own: the remote server's origin
    /// (never its URL, which may carry credentials), a manifest model's hash, or a GGUF path's file name ("unverified").
    /// </summary>
    public static ModelProvenance ProvenanceOf(string? model)
    {
        if (Environment.GetEnvironmentVariable(LlmUrlEnvironmentVariable) is { Length: > 0 } url)
            return ModelProvenance.RemoteLlm(model, RemoteEnginePool.ParseUrls(url));
        var manifest = ModelManifest.DefaultPath() is { } path ? ModelManifest.Load(path) : null;
        return ModelProvenance.LocalLlm(model is null ? null : manifest?.Find(model), model ?? "");
    }

    /// <summary>REPORTGEN_LLM_THREADS: the cores a command may use (ggml threads spin; oversubscribing is slow); 0 = all.</summary>
    public static int ThreadsFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("REPORTGEN_LLM_THREADS"), out var threads) && threads > 0 ? threads : 0;

    /// <summary>
    /// A chat client over a loaded model that owns it (and its scheduler), with an optional image-embedding provider
    /// (a vision-language set). <paramref name="threads"/> null: <see cref="ThreadsFromEnvironment"/>.
    /// </summary>
    public static IChatClient Local(LlamaModel llama, string modelId, Core.Imaging.IImageEmbeddingProvider? images, int? threads)
    {
        var scheduler = Scheduler(llama, threads);
        return new OwningChatClient(new LlamaChatClient(scheduler, images, new LlamaChatClientOptions { ModelId = modelId }), scheduler, llama);
    }

    private static SequenceScheduler Scheduler(LlamaModel llama, int? threads) =>
        new(llama, new SchedulerOptions
        {
            Context = new LlamaContextOptions
            {
                // Prompt files with few-shot examples outgrow small models' training context; 4096 keeps them whole.
                ContextSize = 4096,
                Sequences = 1,
                Threads = threads ?? ThreadsFromEnvironment(),
            },
        });

    /// <summary>A chat client over a loaded mmproj set (LLM + libmtmd projector) that owns the set and its scheduler.</summary>
    public static IChatClient Local(MultimodalModelSet set, int? threads)
    {
        var scheduler = Scheduler(set.Model, threads);
        var client = new LlamaChatClient(scheduler, set.Projector, new RgbImageDecoder(), new LlamaChatClientOptions { ModelId = set.Llm.Entry.Id });
        return new OwningChatClient(client, scheduler, set);
    }

    /// <summary>The GGUF path of a manifest model id.</summary>
    internal static string ResolveId(string id)
    {
        var manifestPath = ModelManifest.DefaultPath() ?? throw new FileNotFoundException("models/models.json not found; pass a GGUF path");
        return ModelResolver.CreateDefault(ModelManifest.Load(manifestPath)).RequirePath(id);
    }

    /// <summary>Disposes the scheduler and model with the client (the CLI owns them for one command).</summary>
    private sealed class OwningChatClient(IChatClient inner, SequenceScheduler scheduler, IDisposable model) : DelegatingChatClient(inner)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (!disposing) return;
            scheduler.Dispose();
            model.Dispose();
        }
    }
}