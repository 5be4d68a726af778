using System.Text.Json;

namespace ReportGen.Llama.Native;

/// <summary>
/// The libmtmd (llama.cpp's multimodal library) provisioned beside libllama: which source it was built from and the
/// projector types its clip accepts. Read from <c>mtmd-build.json</c>, which <c>build/native/provision.sh mtmd</c>
/// writes beside <c>libmtmd.so</c>; the library itself is not loaded.
/// </summary>
/// <param name="LibraryPath">Full path of libmtmd.so.</param>
/// <param name="Source">The pinned source package (node-llama-cpp@VERSION).</param>
/// <param name="Commit">The llama.cpp commit it was built from.</param>
/// <param name="Sha256">SHA-256 of libmtmd.so as built.</param>
/// <param name="ProjectorTypes">The <c>clip.projector_type</c> values it accepts (clip's PROJECTOR_TYPE_NAMES), in source order.</param>
public sealed record MtmdBuildInfo(string LibraryPath, string Source, string Commit, string Sha256, IReadOnlyList<string> ProjectorTypes)
{
    /// <summary>The file the build writes beside libmtmd.so.</summary>
    public const string FileName = "mtmd-build.json";

    /// <summary>Describes the libmtmd in <paramref name="directory"/>; null when there is none (it is optional).</summary>
    /// <exception cref="InvalidDataException">libmtmd.so is there but its build record is missing or malformed.</exception>
    public static MtmdBuildInfo? Read(string directory)
    {
        var library = Path.Combine(directory, "libmtmd.so");
        if (!File.Exists(library)) return null;
        var path = Path.Combine(directory, FileName);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            throw new InvalidDataException($"{path}: libmtmd.so has no readable build record ({ex.Message}); rebuild to provision it again", ex);
        }
        using (doc)
        {
            var root = doc.RootElement;
            JsonElement Field(string name, JsonValueKind kind) =>
                root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == kind
                    ? v
                    : throw new InvalidDataException($"{path}: '{name}' is missing or not a {kind.ToString().ToLowerInvariant()}; rebuild to provision libmtmd again");
            string Text(string name) => Field(name, JsonValueKind.String).GetString()!;
            var types = Field("projectorTypes", JsonValueKind.Array).EnumerateArray().Select(e => e.GetString() ?? "").ToList();
            return new MtmdBuildInfo(library, Text("source"), Text("commit"), Text("sha256"), types);
        }
    }
}
