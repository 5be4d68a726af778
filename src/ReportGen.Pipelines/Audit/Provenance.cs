using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Serialization;

namespace ReportGen.Pipelines.Audit;

/// <summary>
/// What produced a result: engine, models with their hashes, prompt with its hash, timings, service version.
/// Every result the API and the CLI print carries one (what an audit or a regulator asks for); the pipelines' results
/// are turned into it in one place, <see cref="PipelineProvenance"/>, so both hosts say the same thing.
/// </summary>
public sealed record Provenance
{
    /// <summary>rules, llm or hybrid.</summary>
    [JsonPropertyName("engine")] public required string Engine { get; init; }
    /// <summary>The pipeline (structure, classify, draft, judge, complete).</summary>
    [JsonPropertyName("pipeline")] public required string Pipeline { get; init; }
    /// <summary>Models used, with their SHA-256.</summary>
    [JsonPropertyName("models")] public IReadOnlyList<ModelProvenance> Models { get; init; } = [];
    /// <summary>The prompt file used, with its SHA-256 (LLM engines).</summary>
    [JsonPropertyName("prompt")] public PromptProvenance? Prompt { get; init; }
    /// <summary>Rule set or taxonomy identity (rules engines).</summary>
    [JsonPropertyName("ruleset")] public string? Ruleset { get; init; }
    /// <summary>The vision-language model set (drafting).</summary>
    [JsonPropertyName("model_set")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ModelSet { get; init; }
    /// <summary>How many images were injected into the prompt (drafting).</summary>
    [JsonPropertyName("images_injected")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ImagesInjected { get; init; }
    /// <summary>Wall time in milliseconds.</summary>
    [JsonPropertyName("elapsed_ms")] public double ElapsedMs { get; init; }
    /// <summary>When the result was produced (UTC).</summary>
    [JsonPropertyName("generated_at")] public DateTimeOffset GeneratedAt { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>The build of ReportGen that produced it (service and CLI are one build).</summary>
    [JsonPropertyName("service_version")] public string ServiceVersion { get; init; } = Version;

    /// <summary>The informational version of this build.</summary>
    public static string Version { get; } =
        typeof(Provenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Milliseconds since <paramref name="startTimestamp"/> (from <see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static double Since(long startTimestamp) => Math.Round(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, 3);
}
