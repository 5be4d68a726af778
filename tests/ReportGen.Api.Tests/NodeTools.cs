using System.Diagnostics;

namespace ReportGen.Api.Tests;

/// <summary>node and npm for the tests that drive the service with real JavaScript clients; they skip with the reason when these are absent.</summary>
internal static class NodeTools
{
    /// <summary>Skips the calling test unless node and npm are on PATH.</summary>
    public static void RequireNodeAndNpm(string why)
    {
        if (Which("node") is null || Which("npm") is null) Assert.Skip($"node and npm are needed for {why} (CI: apt-get install -y nodejs npm)");
    }

    /// <summary>
    /// <paramref name="package"/>@<paramref name="version"/> (pinned), with the pinned <paramref name="companions"/>
    /// (<c>name@version</c>) beside it, in a cache folder outside the source tree, installed once with npm (install scripts
    /// never run); the folder holds node_modules. Skips the test when npm cannot install them.
    /// </summary>
    public static async Task<string> EnsurePackageAsync(string package, string version, string? overrideVariable, CancellationToken ct, params string[] companions)
    {
        var name = string.Join('+', [$"{package}-{version}", .. companions.Select(c => c.Replace('@', '-'))]).Replace('/', '-');
        var dir = (overrideVariable is null ? null : Environment.GetEnvironmentVariable(overrideVariable))
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "reportgen", name);
        if (File.Exists(Path.Combine(dir, "node_modules", package, "package.json"))) return dir;
        Directory.CreateDirectory(dir);
        var (exit, output) = await RunAsync(new ProcessStartInfo("npm", ["install", "--no-audit", "--no-fund", "--no-save", "--ignore-scripts", "--prefix", dir, $"{package}@{version}", .. companions])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }, TimeSpan.FromMinutes(3), ct);
        if (exit != 0) Assert.Skip($"npm could not install {package}@{version} {string.Join(' ', companions)} into {dir}: {output[^Math.Min(400, output.Length)..]}");
        return dir;
    }

    /// <summary>Runs a process to its end (killed after <paramref name="timeout"/>), writing <paramref name="stdin"/> to it, and returns its exit code and output.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(ProcessStartInfo start, TimeSpan timeout, CancellationToken ct, string? stdin = null)
    {
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin.AsMemory(), ct);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} did not finish within {timeout}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(p => Path.Combine(p, name)).FirstOrDefault(File.Exists);
}
