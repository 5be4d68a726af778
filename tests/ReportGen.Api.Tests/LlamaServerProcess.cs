using System.Diagnostics;
using System.Net;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>
/// llama.cpp's own <c>llama-server</c> (the cached build of the pinned source, <c>build/native/provision.sh llama-tools</c>)
/// on a free loopback port. Tests that need it skip with the reason when the binary or the model is absent; they never
/// build it (a from-source build takes half an hour).
/// </summary>
public sealed class LlamaServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private LlamaServerProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The cached binary (REPORTGEN_LLAMA_SERVER, else a verified llama-tools_* build in the native cache); skips when absent.</summary>
    public static string RequireBinary()
    {
        var binary = ReportGen.Eval.Bench.LlamaServer.FindBuilt();
        if (binary is null) Assert.Skip("llama-server is not built (run: bash build/native/provision.sh llama-tools)");
        return binary!;
    }

    /// <summary>
    /// Starts llama-server serving <paramref name="model"/> with a <paramref name="context"/>-token slot and waits until
    /// /health is 200. llama-server caps a slot at the model's training context; <paramref name="trainedContext"/>
    /// overrides that metadata (<c>llama.context_length</c>) so a 256-token model takes the pipelines' longer prompts.
    /// </summary>
    public static async Task<LlamaServerProcess> StartAsync(string model, int context = 256, int? port = null, int slots = 1, int? trainedContext = null)
    {
        var binary = RequireBinary();
        port ??= ServerProcess.FreePort();
        var psi = new ProcessStartInfo(binary)
        {
            ArgumentList = { "-m", model, "--host", "127.0.0.1", "--port", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-c", (context * slots).ToString(System.Globalization.CultureInfo.InvariantCulture), "-np", slots.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-t", "1", "--no-webui" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (trainedContext is { } trained)
        {
            psi.ArgumentList.Add("--override-kv");
            psi.ArgumentList.Add($"llama.context_length=int:{trained}");
        }
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new LlamaServerProcess(process, port.Value);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"llama-server exited with {process.ExitCode}");
            try
            {
                if ((await http.GetAsync(server.Url + "/health")).StatusCode == HttpStatusCode.OK) return server;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            if (DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new TimeoutException("llama-server did not become healthy in 60 s");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Kills it at once (SIGKILL), as a crashed replica.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
