namespace ReportGen.Core.Hosting;

/// <summary>
/// Finds the folders ReportGen reads from: the source checkout (when running from it) and the
/// <c>shared/</c> folder of development data and models that sits beside a checkout.
/// </summary>
public static class Workspace
{
    /// <summary>Environment variable naming the shared folder explicitly.</summary>
    public const string SharedEnvironmentVariable = "REPORTGEN_SHARED";

    /// <summary>The checkout root (the folder holding <c>ReportGen.sln</c>), or null when not run from source.</summary>
    public static string? RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// The shared folder: <c>REPORTGEN_SHARED</c>, else the nearest <c>shared/</c> beside the checkout
    /// or one of its ancestors (so git worktrees nested below the workspace find it too); null when absent.
    /// </summary>
    public static string? SharedRoot { get; } = FindSharedRoot();

    /// <summary>A path under the shared folder, or null when the shared folder is absent.</summary>
    public static string? Shared(params string[] parts) =>
        SharedRoot is null ? null : Path.Combine([SharedRoot, .. parts]);

    private static string? FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ReportGen.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        return null;
    }

    private static string? FindSharedRoot()
    {
        var fromEnv = Environment.GetEnvironmentVariable(SharedEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            return Directory.Exists(fromEnv) ? Path.GetFullPath(fromEnv) : null;
        }
        var start = RepoRoot ?? AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(start).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "models")) || Directory.Exists(Path.Combine(candidate, "data")))
            {
                return candidate;
            }
        }
        return null;
    }
}
