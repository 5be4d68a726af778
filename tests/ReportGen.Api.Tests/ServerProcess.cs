using System.Diagnostics;
using ReportGen.Eval.Bench;
using System.Net;

namespace ReportGen.Api.Tests;

/// <summary>The real service as a separate process on a loopback port (for kill -9 and real-socket tests).</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private ServerProcess(Process process, Uri baseAddress, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _process = process;
        BaseAddress = baseAddress;
        _output = output;
    }

    /// <summary>The last lines the server wrote (stdout and stderr), for failure messages.</summary>
    public string RecentOutput => string.Join("\n", _output);

    public Uri BaseAddress { get; }

    public static async Task<ServerProcess> StartAsync(string dataDirectory, int? port = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        port ??= BenchServerProcess.FreePort();
        // The Api project's own output folder (same configuration as the tests).
        var testDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        // artifacts/bin/ReportGen.Api.Tests/<config>/ -> artifacts/bin/ReportGen.Api/<config>/
        var binRoot = Path.GetDirectoryName(Path.GetDirectoryName(testDir))!;
        var apiDll = Path.Combine(binRoot, "ReportGen.Api", Path.GetFileName(testDir), "ReportGen.Api.dll");
        File.Exists(apiDll).ShouldBeTrue($"ReportGen.Api.dll not found at {apiDll}");
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { apiDll, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(apiDll)!,
        };
        psi.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        psi.Environment["ReportGen__ApiKeys__0__Name"] = "test";
        psi.Environment["ReportGen__ApiKeys__0__Key"] = ApiFactory.Key;
        psi.Environment["ReportGen__RateLimitPerMinute"] = "1000000";
        psi.Environment["ReportGen__DataDirectory"] = dataDirectory;
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var process = Process.Start(psi)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Keep(string? line)
        {
            if (line is null) return;
            output.Enqueue(line);
            while (output.Count > 200) output.TryDequeue(out _);
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"), output);
        using var client = server.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"the service exited with code {process.ExitCode} at start");
            try
            {
                if ((await client.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the service did not start in 60 s");
            await Task.Delay(100);
        }
    }

    /// <summary>The server's resident memory (RSS) now.</summary>
    public long ResidentBytes()
    {
        _process.Refresh();
        return _process.WorkingSet64;
    }

    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiFactory.Key);
        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
