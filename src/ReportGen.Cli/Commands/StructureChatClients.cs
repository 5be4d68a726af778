using Microsoft.Extensions.AI;
using ReportGen.Core.Models;
using ReportGen.Llama;

namespace ReportGen.Cli.Commands;

/// <summary>
/// Opens a local llama.cpp chat client for the structuring LLM engines: the model id (default: the manifest's
/// first LLM) is resolved through models/models.json; the model and its scheduler live until the process ends.
/// </summary>
internal static class StructureChatClients
{
    public static IChatClient? Open(string? modelId, TextWriter stderr)
    {
        var manifestPath = ModelManifest.DefaultPath();
        if (manifestPath is null)
        {
            stderr.WriteLine("reportgen structure: no models/models.json found (set REPORTGEN_MANIFEST)");
            return null;
        }
        var manifest = ModelManifest.Load(manifestPath);
        var entry = modelId is null
            ? manifest.Models.FirstOrDefault(m => m.Role.ToManifestName() == "llm")
            : manifest.Models.FirstOrDefault(m => m.Id == modelId);
        if (entry is null)
        {
            stderr.WriteLine($"reportgen structure: --model: no model '{modelId ?? "(any llm)"}' in {manifestPath}");
            return null;
        }
        var resolved = ModelResolver.CreateDefault(manifest).Resolve(entry);
        if (resolved.Status != ModelFileStatus.Ok || resolved.Path is null)
        {
            stderr.WriteLine($"reportgen structure: --model: {entry.Id} is {resolved.Status.ToString().ToLowerInvariant()} ({entry.File})");
            return null;
        }
        var model = LlamaModel.Load(resolved.Path);
        var scheduler = new SequenceScheduler(model, new SchedulerOptions { Context = new LlamaContextOptions { ContextSize = 4096, Sequences = 1, BatchSize = 512 } });
        return new LlamaChatClient(scheduler, options: new LlamaChatClientOptions { ModelId = entry.Id, DefaultMaxOutputTokens = 512 });
    }
}
