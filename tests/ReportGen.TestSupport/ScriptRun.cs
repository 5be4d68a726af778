using System.Diagnostics;

namespace ReportGen.TestSupport;

/// <summary>Runs a script or tool of the checkout as a child process and captures what it says.</summary>
public static class ScriptRun
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> (and extra environment variables) to completion.</summary>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeout"/> (killed).</exception>
    public static (int Exit, string Stdout, string Stderr) Run(string file, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(2);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{System.IO.Path.GetFileName(file)} did not finish in {limit.TotalSeconds:0} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
