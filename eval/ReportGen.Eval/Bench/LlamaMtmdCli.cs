using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ReportGen.Eval.Bench;

/// <summary>
/// llama.cpp's own <c>llama-mtmd-cli</c> as a speed peer: one process in chat mode, one turn per measurement
/// (<c>/clear</c>, <c>/image</c>, the prompt), timed from its own JSON log. A turn's time runs from its
/// <c>formatted_chat.prompt</c> entry (just before <c>mtmd_tokenize</c>: image preprocessing, encode, prefill of every
/// chunk) to the first token it prints (after sampling): the same span our side times. The log's microsecond
/// timestamps are taken when a line is logged, not when its asynchronous writer prints it, so the numbers are exact;
/// the "encoding done in N ms" lines are whole milliseconds, too coarse for small models.
/// </summary>
public static class LlamaMtmdCli
{
    /// <summary>Environment variable naming a llama-mtmd-cli binary to use instead of the cached one.</summary>
    public const string BinaryVariable = "REPORTGEN_LLAMA_MTMD_CLI";

    /// <summary>A llama-mtmd-cli that needs no build (<c>REPORTGEN_LLAMA_MTMD_CLI</c>, else the cached llama-tools build); null when none.</summary>
    public static string? FindBuilt() => LlamaServer.FindBuiltTool("llama-mtmd-cli", BinaryVariable);

    /// <summary>
    /// Times <paramref name="turns"/> turns of image + prompt (greedy, one token, llama.cpp's built-in chat template as ours
    /// uses it: <c>--no-jinja</c>), one process each, and returns each turn's milliseconds.
    /// </summary>
    /// <remarks>
    /// One turn per process because its chat mode keeps the last turn's encoded batch and looks a new turn's image up in it
    /// by chunk address: when the allocator reuses that address (it does, turn after turn) the turn skips the encode and
    /// decodes stale embeddings, or aborts on an assertion (mtmd.cpp <c>offset &lt;= batch-&gt;output_embd.size()</c>).
    /// The first turn is warm: llama.cpp runs a warm-up decode and libmtmd a warm-up encode at start-up.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A process timed no turn; the message has its last log line.</exception>
    public static async Task<IReadOnlyList<double>> TimeTurnsAsync(string binary, string llm, string mmproj, string image, string prompt,
        int threads, int turns, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        for (var i = 0; i < turns; i++)
            times.AddRange(await RunAsync(binary, llm, mmproj, image, prompt, threads, 1, cancellationToken).ConfigureAwait(false));
        return times.Count == turns ? times : throw new InvalidOperationException($"llama-mtmd-cli encoded the image in {times.Count}/{turns} turns");
    }

    // One process: the times of the turns that encoded their image; fewer when it ended early.
    private static async Task<List<double>> RunAsync(string binary, string llm, string mmproj, string image, string prompt,
        int threads, int turns, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        foreach (var a in (string[])["-m", llm, "--mmproj", mmproj, "--temp", "0", "-n", "1", "-t", I(threads), "-tb", I(threads), "-c", "2048",
                     "--no-jinja", "--log-jsonl", "-lv", "5"])
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        var times = new List<double>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? last = null;
        var (state, begin, encoded, ended) = (0, 0L, false, 0);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line || !line.StartsWith('{')) return;
            if (Entry(line) is not var (time, level, message)) return;
            last = message;
            // 0: waiting for a turn; 1: in eval_message (ends with its plain "\n" line); 2: waiting for the token line.
            if (state == 0 && level == "debug" && message.StartsWith("formatted_chat.prompt", StringComparison.Ordinal)) (state, begin, encoded) = (1, time, false);
            else if (state == 1 && message.StartsWith("encoding mtmd batch", StringComparison.Ordinal)) encoded = true;
            else if (state == 1 && level == "none") state = 2;
            else if (state == 2 && level == "none")
            {
                if (encoded) times.Add((time - begin) / 1000.0);
                state = 0;
                if (++ended == turns) done.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Chat mode reads one line at a time and only between turns, so all turns can be written at once. /quit is sent
            // only after the last turn's lines were seen: the process exits without flushing its log (common/log.cpp).
            for (var i = 0; i < turns; i++)
                await process.StandardInput.WriteAsync($"/clear\n/image {image}\n{prompt.ReplaceLineEndings(" ")}\n").ConfigureAwait(false);
            await process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
            var finished = await Task.WhenAny(done.Task, process.WaitForExitAsync(cancellationToken), Task.Delay(TimeSpan.FromMinutes(5), cancellationToken)).ConfigureAwait(false);
            if (finished != done.Task)
                return times.Count > 0 ? times
                    : throw new InvalidOperationException($"llama-mtmd-cli timed 0/{turns} turns{(process.HasExited ? $" (exit {process.ExitCode})" : "")}: {last?.Trim()}");
            await process.StandardInput.WriteAsync("/quit\n").ConfigureAwait(false);
            process.StandardInput.Close(); // at end of input its chat loop would spin; /quit ends it first
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            grace.CancelAfter(TimeSpan.FromSeconds(10));
            try { await process.WaitForExitAsync(grace.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { } // the turns are timed; finally kills it
            return times;
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    private static (long Time, string Level, string Message)? Entry(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            return r.TryGetProperty("time", out var t) && r.TryGetProperty("level", out var l) && r.TryGetProperty("msg", out var m)
                ? (t.GetInt64(), l.GetString() ?? "", m.GetString() ?? "")
                : null;
        }
        catch (JsonException)
        {
            return null; // a console echo or a piece that is not valid UTF-8 JSON
        }
    }
}
