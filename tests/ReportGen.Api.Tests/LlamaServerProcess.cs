using System.Diagnostics;
using System.Globalization;
using ReportGen.Eval.Bench;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>
/// llama.cpp's own <c>llama-server</c> (the cached build of the pinned source, <c>build/native/provision.sh llama-tools</c>)
/// on a free loopback port. Tests that need it skip with the reason when the binary or the model is absent; they never
/// build it (a from-source build takes half an hour).
/// </summary>
public sealed class LlamaServerProcess : IAsyncDisposable
{
    // Started, health-polled and killed by the benchmarks' server process (one home for how a child server runs).
    private readonly BenchServerProcess _server;

    private LlamaServerProcess(BenchServerProcess server, int port)
    {
        _server = server;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The cached binary (REPORTGEN_LLAMA_SERVER, else a verified llama-tools_* build in the native cache); skips when absent.</summary>
    public static string RequireBinary()
    {
        var binary = LlamaServer.FindBuilt();
        if (binary is null) Assert.Skip("llama-server is not built (run: bash build/native/provision.sh llama-tools)");
        return binary!;
    }

    /// <summary>
    /// Starts llama-server serving <paramref name="model"/> with a <paramref name="context"/>-token slot and waits until
    /// /health is 200. llama-server caps a slot at the model's training context; <paramref name="trainedContext"/>
    /// overrides that metadata (<c>llama.context_length</c>) so a 256-token model takes the pipelines' longer prompts.
    /// </summary>
    /// <param name="mmproj">A vision tower + projector GGUF (<c>--mmproj</c>): the server then takes image_url parts.</param>
    /// <param name="extra">More llama-server arguments (<c>--no-jinja</c>).</param>
    public static async Task<LlamaServerProcess> StartAsync(string model, int context = 256, int? port = null, int slots = 1, int? trainedContext = null, string? mmproj = null,
        IEnumerable<string>? extra = null)
    {
        var binary = RequireBinary();
        port ??= BenchServerProcess.FreePort();
        var psi = new ProcessStartInfo(binary)
        {
            ArgumentList = { "-m", model, "--host", "127.0.0.1", "--port", port.Value.ToString(CultureInfo.InvariantCulture),
                "-c", (context * slots).ToString(CultureInfo.InvariantCulture), "-np", slots.ToString(CultureInfo.InvariantCulture),
                "-t", "1", "--no-webui" },
        };
        if (mmproj is not null)
        {
            psi.ArgumentList.Add("--mmproj");
            psi.ArgumentList.Add(mmproj);
        }
        foreach (var arg in extra ?? []) psi.ArgumentList.Add(arg);
        if (trainedContext is { } trained)
        {
            psi.ArgumentList.Add("--override-kv");
            psi.ArgumentList.Add($"llama.context_length=int:{trained}");
        }
        var server = await BenchServerProcess.StartAsync("llama-server", psi, port.Value, "/health", TimeSpan.FromSeconds(60), CancellationToken.None);
        return new LlamaServerProcess(server, port.Value);
    }

    /// <summary>Kills it at once (SIGKILL), as a crashed replica.</summary>
    public async Task KillAsync() => await _server.DisposeAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
