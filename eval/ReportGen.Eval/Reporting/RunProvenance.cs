using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using ReportGen.Core.Hosting;

namespace ReportGen.Eval.Reporting;

/// <summary>A model used by a run: id, file and content hash.</summary>
public sealed record ModelRecord(string Id, string? Path, string? Sha256, long? Bytes);

/// <summary>A hashed input (data file or prompts folder).</summary>
public sealed record HashedInput(string Path, string? Sha256, int? Files = null);

/// <summary>The machine a run ran on.</summary>
public sealed record MachineRecord(string Name, string Os, string Architecture, int ProcessorCount, string Runtime);

/// <summary>
/// Everything needed to compare two runs: models (ids, sha256), prompts folder hash, data hash, git commit,
/// timestamps and machine. Build with the Add*/Set* methods; <see cref="ResultsWriter"/> writes it.
/// </summary>
public sealed class RunProvenance
{
    private readonly List<ModelRecord> _models = [];

    /// <summary>When the run started (UTC).</summary>
    public DateTimeOffset StartedUtc { get; private set; } = DateTimeOffset.UtcNow;
    /// <summary>When the run finished (set by the writer when unset).</summary>
    public DateTimeOffset? FinishedUtc { get; set; }
    /// <summary>Models used.</summary>
    public IReadOnlyList<ModelRecord> Models => _models;
    /// <summary>The prompts folder and its content hash.</summary>
    public HashedInput? Prompts { get; private set; }
    /// <summary>The data file and its hash.</summary>
    public HashedInput? Data { get; private set; }
    /// <summary>git rev-parse HEAD of the checkout, when available.</summary>
    public string? GitCommit { get; private set; } = ReadGitCommit();
    /// <summary>Whether the checkout had uncommitted changes (null when unknown).</summary>
    public bool? GitDirty { get; private set; } = ReadGitDirty();
    /// <summary>The machine.</summary>
    public MachineRecord Machine { get; } = new(Environment.MachineName, RuntimeInformation.OSDescription,
        RuntimeInformation.ProcessArchitecture.ToString(), Environment.ProcessorCount, RuntimeInformation.FrameworkDescription);
    /// <summary>Free-form settings of the run (suite options), written as strings.</summary>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>Restarts the clock (when provenance is built before the run begins).</summary>
    public RunProvenance MarkStarted()
    {
        StartedUtc = DateTimeOffset.UtcNow;
        return this;
    }

    /// <summary>Records a model; its file is hashed when it exists.</summary>
    public RunProvenance AddModel(string id, string? path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (path is not null && File.Exists(path))
        {
            _models.Add(new ModelRecord(id, System.IO.Path.GetFullPath(path), Hashing.FileSha256(path), new FileInfo(path).Length));
        }
        else
        {
            _models.Add(new ModelRecord(id, path, null, null));
        }
        return this;
    }

    /// <summary>Records a model whose hash is already known (e.g. from models.json).</summary>
    public RunProvenance AddModel(ModelRecord model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _models.Add(model);
        return this;
    }

    /// <summary>Records the prompts folder with a hash over its files' relative paths and contents.</summary>
    public RunProvenance SetPrompts(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Prompts = Directory.Exists(folder)
            ? new HashedInput(System.IO.Path.GetFullPath(folder), Hashing.FolderSha256(folder, out var files), files)
            : new HashedInput(folder, null, 0);
        return this;
    }

    /// <summary>Records the data file and its hash.</summary>
    public RunProvenance SetData(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Data = File.Exists(path) ? new HashedInput(System.IO.Path.GetFullPath(path), Hashing.FileSha256(path)) : new HashedInput(path, null);
        return this;
    }

    private static string? ReadGitCommit() => RunGit("rev-parse HEAD")?.Trim() is { Length: 40 } sha ? sha : null;

    private static bool? ReadGitDirty() => RunGit("status --porcelain --untracked-files=no") is { } output ? output.Trim().Length > 0 : null;

    // git is optional: absent binary, no checkout or a slow call all give null.
    private static string? RunGit(string arguments)
    {
        var root = Workspace.RepoRoot;
        if (root is null) return null;
        try
        {
            using var process = Process.Start(new ProcessStartInfo("git", arguments)
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(5000))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
            return process.ExitCode == 0 ? output.GetAwaiter().GetResult() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}

/// <summary>SHA-256 helpers (lower-case hex).</summary>
public static class Hashing
{
    /// <summary>The file's SHA-256.</summary>
    public static string FileSha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>SHA-256 over "relative/path\0sha256\n" of every file, sorted by ordinal path: stable across machines.</summary>
    public static string FolderSha256(string folder, out int fileCount)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => (Relative: Path.GetRelativePath(folder, f).Replace('\\', '/'), Full: f))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .ToArray();
        var manifest = new StringBuilder();
        foreach (var (relative, full) in files) manifest.Append(relative).Append('\0').Append(FileSha256(full)).Append('\n');
        fileCount = files.Length;
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.ToString())));
    }
}
