using System.Text.Json;

namespace ReportGen.Llama.Native;

/// <summary>
/// Which llama.cpp build a library folder holds, from the record beside it: the npm build's
/// <c>_nlcBuildMetadata.json</c>, or the <c>llama-build.json</c> that <c>build/native/provision.sh llama-native</c> writes
/// beside the libraries it builds from the pinned source for this CPU.
/// </summary>
/// <param name="Release">The llama.cpp release, or "unknown" when the folder has neither record.</param>
/// <param name="Commit">The llama.cpp commit of a source build; null for the npm build (its metadata names none).</param>
/// <param name="Gpu">Whether the build was made for a GPU (CUDA) backend.</param>
/// <param name="FromSource">Whether it was built here from the pinned source (llama-native), not taken from npm.</param>
public sealed record LlamaBuild(string Release, string? Commit, bool Gpu, bool FromSource)
{
    /// <summary>The record <c>provision.sh llama-native</c> writes beside its libraries.</summary>
    public const string SourceBuildFileName = "llama-build.json";

    private const string NpmFileName = "_nlcBuildMetadata.json";

    /// <summary>Reads the record in <paramref name="directory"/>; a build with neither record (or an unreadable one) is "unknown".</summary>
    public static LlamaBuild Read(string directory)
    {
        var npm = Path.Combine(directory, NpmFileName);
        if (Parse(npm) is { } npmDoc)
        {
            using var doc = npmDoc;
            var options = doc.RootElement.TryGetProperty("buildOptions", out var o) ? o : default;
            var release = options.ValueKind == JsonValueKind.Object && options.TryGetProperty("llamaCpp", out var l) ? Text(l, "release") : null;
            var gpu = options.ValueKind == JsonValueKind.Object && options.TryGetProperty("gpu", out var g) && g.ValueKind == JsonValueKind.String;
            return new LlamaBuild(release ?? "unknown", null, gpu, FromSource: false);
        }
        var source = Path.Combine(directory, SourceBuildFileName);
        if (Parse(source) is { } sourceDoc)
        {
            // GGML_NATIVE builds for this machine's CPU; it has no GPU backend.
            using var doc = sourceDoc;
            return new LlamaBuild(Text(doc.RootElement, "release") ?? "unknown", Text(doc.RootElement, "commit"), Gpu: false, FromSource: true);
        }
        return new LlamaBuild("unknown", null, Gpu: false, FromSource: false);
    }

    /// <summary>One line for <c>reportgen doctor</c>: the release, and for a source build its commit and how it was made.</summary>
    public override string ToString() => FromSource
        ? $"release {Release}, commit {(Commit is { } c ? c[..Math.Min(12, c.Length)] : "unknown")} (CPU build from source for this CPU: provision.sh llama-native)"
        : Release == "unknown"
            ? $"release unknown (no readable {NpmFileName} or {SourceBuildFileName} beside the libraries)"
            : $"release {Release} ({(Gpu ? "GPU" : "CPU")} build from npm)";

    private static JsonDocument? Parse(string path)
    {
        try
        {
            return File.Exists(path) ? JsonDocument.Parse(File.ReadAllText(path)) : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
