using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;

namespace ReportGen.Core.Models;

/// <summary>Where a model file was looked for and what was found.</summary>
public enum ModelFileStatus
{
    /// <summary>Found and its SHA-256 matches the manifest.</summary>
    Ok,
    /// <summary>Not found in any search folder.</summary>
    Missing,
    /// <summary>Found, but size or SHA-256 differ from the manifest.</summary>
    HashMismatch,
}

/// <summary>The outcome of resolving one manifest entry.</summary>
/// <param name="Entry">The manifest entry.</param>
/// <param name="Status">Found, missing or mismatched.</param>
/// <param name="Path">The file found (also for a mismatch), or null.</param>
/// <param name="ActualSha256">The hash computed, when a file was found.</param>
public sealed record ResolvedModel(ModelEntry Entry, ModelFileStatus Status, string? Path, string? ActualSha256);

/// <summary>
/// Finds model files by name in <c>REPORTGEN_MODELS</c> (one or more folders, separated like PATH), then the manifest's <c>models/</c> folder,
/// then <c>shared/models</c>, and checks each file's SHA-256 once: the result is cached by path,
/// size and modification time (in memory and in a small cache file), so a 5 GB GGUF is hashed once.
/// </summary>
public sealed class ModelResolver
{
    private readonly ConcurrentDictionary<string, string> _hashes = new();
    private readonly string? _cacheFile;

    /// <summary>Creates a resolver over explicit folders (searched in order).</summary>
    public ModelResolver(ModelManifest manifest, IReadOnlyList<string> searchFolders, string? hashCacheFile = null)
    {
        Manifest = manifest;
        SearchFolders = searchFolders;
        _cacheFile = hashCacheFile;
        LoadCache();
    }

    /// <summary>The manifest being resolved.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>The folders searched, in order.</summary>
    public IReadOnlyList<string> SearchFolders { get; }

    /// <summary>The standard search order for a manifest.</summary>
    public static IReadOnlyList<string> DefaultSearchFolders(ModelManifest manifest)
    {
        var folders = new List<string>();
        var env = Environment.GetEnvironmentVariable("REPORTGEN_MODELS");
        // One folder or several, separated like PATH (':' on Unix): e.g. tests add tests/fixtures/onnx for the projectors.
        if (!string.IsNullOrWhiteSpace(env))
            folders.AddRange(env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (manifest.Directory is { } dir) folders.Add(dir);
        if (Hosting.Workspace.RepoRoot is { } root) folders.Add(Path.Combine(root, "models"));
        if (Hosting.Workspace.Shared("models") is { } shared) folders.Add(shared);
        return folders.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>A resolver with the standard search order and the per-user hash cache.</summary>
    public static ModelResolver CreateDefault(ModelManifest manifest)
    {
        var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(cacheHome))
            cacheHome = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return new ModelResolver(manifest, DefaultSearchFolders(manifest), Path.Combine(cacheHome, "reportgen", "model-hashes.json"));
    }

    /// <summary>Resolves a model by id.</summary>
    /// <exception cref="KeyNotFoundException">No model has that id.</exception>
    public ResolvedModel Resolve(string id) =>
        Resolve(Manifest.Find(id) ?? throw new KeyNotFoundException($"unknown model id '{id}'; known: {string.Join(", ", Manifest.Models.Select(m => m.Id))}"));

    /// <summary>Resolves a manifest entry: finds the file and verifies size and hash.</summary>
    public ResolvedModel Resolve(ModelEntry entry)
    {
        foreach (var folder in SearchFolders)
        {
            var path = Path.Combine(folder, entry.File);
            if (!File.Exists(path)) continue;
            var info = new FileInfo(path);
            if (info.Length != entry.Size) return new ResolvedModel(entry, ModelFileStatus.HashMismatch, path, null);
            var sha = HashOf(info);
            var ok = string.Equals(sha, entry.Sha256, StringComparison.OrdinalIgnoreCase);
            return new ResolvedModel(entry, ok ? ModelFileStatus.Ok : ModelFileStatus.HashMismatch, path, sha);
        }
        return new ResolvedModel(entry, ModelFileStatus.Missing, null, null);
    }

    /// <summary>Resolves a model and returns its path, or throws with a message that says what to do.</summary>
    /// <exception cref="FileNotFoundException">Missing, or the hash does not match.</exception>
    public string RequirePath(string id)
    {
        var r = Resolve(id);
        return r.Status switch
        {
            ModelFileStatus.Ok => r.Path!,
            ModelFileStatus.Missing => throw new FileNotFoundException(
                $"model '{id}' ({r.Entry.File}) not found in: {string.Join(", ", SearchFolders)}; put it in REPORTGEN_MODELS or models/ (see models/README.md)", r.Entry.File),
            _ => throw new FileNotFoundException(
                $"model '{id}' at {r.Path} does not match the manifest (sha256 {r.ActualSha256 ?? "size differs"}, expected {r.Entry.Sha256})", r.Path),
        };
    }

    private string HashOf(FileInfo info)
    {
        var key = $"{info.FullName}|{info.Length}|{info.LastWriteTimeUtc.Ticks}";
        if (_hashes.TryGetValue(key, out var cached)) return cached;
        using var stream = info.OpenRead();
        var sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        _hashes[key] = sha;
        SaveCache();
        return sha;
    }

    private void LoadCache()
    {
        if (_cacheFile is null || !File.Exists(_cacheFile)) return;
        try
        {
            var map = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(_cacheFile));
            foreach (var (k, v) in map ?? []) _hashes[k] = v;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            // A broken cache only costs a re-hash.
        }
    }

    private void SaveCache()
    {
        if (_cacheFile is null) return;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_cacheFile)!);
            var tmp = _cacheFile + "." + Environment.ProcessId + ".tmp";
            File.WriteAllText(tmp, JsonSerializer.Serialize(_hashes.ToDictionary()));
            File.Move(tmp, _cacheFile, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Read-only home: keep the in-memory cache only.
        }
    }
}
