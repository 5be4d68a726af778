using System.Diagnostics;

namespace ReportGen.Cli.Tests;

/// <summary>The built <c>reportgen</c> as a child process: for what one process fixes at start (its native library folder, its environment).</summary>
internal static class ReportGenProcess
{
    /// <summary>Runs <c>reportgen ARGS</c> with <paramref name="environment"/> added to ours, to its end.</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(IReadOnlyDictionary<string, string> environment, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "reportgen.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }
}
