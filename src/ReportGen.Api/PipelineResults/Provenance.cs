using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Serialization;

namespace ReportGen.Api.PipelineResults;

/// <summary>
/// What produced a result: engine, models with their hashes, prompt with its hash, timings, service version.
/// Every result the API returns carries one (what an audit or a regulator asks for).
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
    /// <summary>Wall time in milliseconds.</summary>
    [JsonPropertyName("elapsed_ms")] public double ElapsedMs { get; init; }
    /// <summary>When the result was produced (UTC).</summary>
    [JsonPropertyName("generated_at")] public DateTimeOffset GeneratedAt { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>The service build.</summary>
    [JsonPropertyName("service_version")] public string ServiceVersion { get; init; } = Version;

    /// <summary>The informational version of this build.</summary>
    public static string Version { get; } =
        typeof(Provenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Milliseconds since <paramref name="startTimestamp"/> (from <see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static double Since(long startTimestamp) => Math.Round(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, 3);
}

/// <summary>A model's identity.</summary>
public sealed record ModelProvenance([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("sha256")] string Sha256, [property: JsonPropertyName("role")] string Role);

/// <summary>A prompt's identity: its name and the SHA-256 of the prompt file's bytes.</summary>
public sealed record PromptProvenance([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("sha256")] string Sha256)
{
    /// <summary>The identity of a loaded prompt file.</summary>
    public static PromptProvenance Of(ReportGen.Pipelines.Prompts.PromptTemplate prompt) => new(prompt.Name, prompt.ContentHash);
}
