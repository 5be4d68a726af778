using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ReportGen.Eval.Bench;

/// <summary>
/// An HTTP server started as a child process on a free loopback port for a benchmark (ours or llama-server): started,
/// polled until its health endpoint answers 200, and killed with its process tree on dispose. Keeps the last lines of
/// its output for error messages.
/// </summary>
public sealed class BenchServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private BenchServerProcess(string name, Process process, Uri baseAddress, ConcurrentQueue<string> output)
    {
        Name = name;
        _process = process;
        BaseAddress = baseAddress;
        _output = output;
    }

    /// <summary>What the benchmark calls this server.</summary>
    public string Name { get; }

    /// <summary>http://127.0.0.1:PORT/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The last output lines (stdout and stderr), oldest first.</summary>
    public IReadOnlyList<string> RecentOutput => [.. _output];

    /// <summary>A loopback port nobody listens on now (other benchmarks and tests run at the same time: never a fixed port).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts <paramref name="start"/> (which must listen on <paramref name="port"/>) and waits until GET
    /// <paramref name="healthPath"/> answers 200.
    /// </summary>
    /// <exception cref="InvalidOperationException">The process could not start or exited before it was healthy (message has its last output).</exception>
    /// <exception cref="TimeoutException">It was not healthy within <paramref name="timeout"/>.</exception>
    public static async Task<BenchServerProcess> StartAsync(string name, ProcessStartInfo start, int port, string healthPath, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{name} could not start ({start.FileName}): {e.Message}", e);
        }
        var output = new ConcurrentQueue<string>();
        void Keep(string? line)
        {
            if (line is null) return;
            output.Enqueue(line);
            while (output.Count > 400) output.TryDequeue(out _);
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new BenchServerProcess(name, process, new Uri($"http://127.0.0.1:{port}/"), output);
        try
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            var clock = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was ready: {server.Tail(3)}");
                try
                {
                    using var response = await http.GetAsync(healthPath, cancellationToken).ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.OK) return server;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }
                if (clock.Elapsed > timeout) throw new TimeoutException($"{name} was not ready within {timeout.TotalSeconds:0} s: {server.Tail(3)}");
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The last <paramref name="lines"/> output lines joined with " | ".</summary>
    public string Tail(int lines) => string.Join(" | ", _output.TakeLast(lines));

    /// <summary>Kills the server and waits for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException) { }
        catch (OperationCanceledException) { }
        _process.Dispose();
    }
}
