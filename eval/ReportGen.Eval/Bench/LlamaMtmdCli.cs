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

    /// <summary>Environment variable naming a llama-mtmd-cli linked against the npm libraries, instead of the cached one.</summary>
    public const string NpmBinaryVariable = "REPORTGEN_LLAMA_MTMD_CLI_NPM";

    /// <summary>
    /// llama-mtmd-cli linked against the libraries in <paramref name="libraryDirectory"/> (the folder our process loads
    /// llama.cpp from): a diagnostic that isolates the native build from our code. <c>REPORTGEN_LLAMA_MTMD_CLI_NPM</c> when
    /// set; else the one <c>build/native/provision.sh llama-native</c> builds beside its libraries; else the
    /// <c>provision.sh mtmd-cli-npm</c> build, when every library it links that the folder also holds (libllama, libggml,
    /// libmtmd...) is the same file, byte for byte (the build copies the npm libraries it provisions).
    /// </summary>
    /// <returns>The binary, or null and why not.</returns>
    public static (string? Binary, string? WhyNot) FindBuiltOnLibraries(string libraryDirectory)
    {
        if (Environment.GetEnvironmentVariable(NpmBinaryVariable) is { Length: > 0 } env)
            return File.Exists(env) ? (env, null) : (null, $"{NpmBinaryVariable}={env} does not exist");
        var beside = Path.Combine(libraryDirectory, "llama-mtmd-cli");
        if (File.Exists(beside)) return (beside, null);
        if (File.Exists(Path.Combine(libraryDirectory, "libllama.so")))
            return (null, $"not built beside {libraryDirectory} (run build/native/provision.sh llama-native again: it builds one now)");
        if (LlamaServer.FindBuiltTool("llama-mtmd-cli", NpmBinaryVariable, "mtmd-cli-npm_*", "") is not { } npm)
            return (null, $"not built (build/native/provision.sh mtmd-cli-npm BIN_DIR, or set {NpmBinaryVariable})");
        var linked = Directory.GetFiles(Path.GetDirectoryName(npm)!, "lib*.so").Where(f => File.Exists(Path.Combine(libraryDirectory, Path.GetFileName(f)))).ToList();
        var differing = linked.FirstOrDefault(f => !SameBytes(f, Path.Combine(libraryDirectory, Path.GetFileName(f))));
        return differing is not null ? (null, $"{npm} links another {Path.GetFileName(differing)} than the one in {libraryDirectory}")
            : !linked.Any(f => Path.GetFileName(f).StartsWith("libllama.", StringComparison.Ordinal)) ? (null, $"{npm} links no libllama of {libraryDirectory}")
            : (npm, null);
    }

    // Read through the build's symbolic links; a few MB each.
    private static bool SameBytes(string a, string b) => File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));

    /// <summary>
    /// Times <paramref name="turns"/> turns of image + prompt (greedy, one token, llama.cpp's built-in chat template as ours
    /// uses it: <c>--no-jinja</c>), one process each, and returns each turn's stages.
    /// </summary>
    /// <remarks>
    /// One turn per process because its chat mode keeps the last turn's encoded batch and looks a new turn's image up in it
    /// by chunk address: when the allocator reuses that address (it does, turn after turn) the turn skips the encode and
    /// decodes stale embeddings, or aborts on an assertion (mtmd.cpp <c>offset &lt;= batch-&gt;output_embd.size()</c>).
    /// The first turn is warm: llama.cpp runs a warm-up decode and libmtmd a warm-up encode at start-up.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A process timed no turn; the message has its last log line.</exception>
    public static async Task<IReadOnlyList<MtmdCliTurn>> TimeTurnsAsync(string binary, string llm, string mmproj, string image, string prompt,
        int threads, int turns, CancellationToken cancellationToken)
    {
        var times = new List<MtmdCliTurn>();
        for (var i = 0; i < turns; i++)
            times.Add(await RunAsync(binary, llm, mmproj, image, prompt, threads, cancellationToken).ConfigureAwait(false));
        return times;
    }

    // One process, one turn. The image is loaded first (/image, which decodes the file: not part of the turn), then the
    // main thread's CPU time is read while it waits for the prompt line, and again once the turn's token was printed.
    private static async Task<MtmdCliTurn> RunAsync(string binary, string llm, string mmproj, string image, string prompt,
        int threads, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(binary) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        foreach (var a in (string[])["-m", llm, "--mmproj", mmproj, "--temp", "0", "-n", "1", "-t", I(threads), "-tb", I(threads), "-c", "2048",
                     "-b", I(BatchSize), "-ub", I(BatchSize), "--no-jinja", "--log-jsonl", "-lv", "5"])
            start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        MtmdCliTurn? timed = null;
        string? last = null;
        var state = 0;
        var turn = new TurnMarks();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line || !line.StartsWith('{')) return;
            if (Entry(line) is not var (time, level, message)) return;
            last = message;
            // 0: waiting for a turn; 1: in eval_message (ends with its plain "\n" line); 2: waiting for the token line.
            if (state == 0 && level == "none" && message.TrimEnd().EndsWith(" image loaded", StringComparison.Ordinal)) loaded.TrySetResult();
            else if (state == 0 && level == "debug" && message.StartsWith("formatted_chat.prompt", StringComparison.Ordinal)) (state, turn) = (1, new TurnMarks { Begin = time });
            else if (state == 1) turn.See(time, level, message, ref state);
            else if (state == 2 && level == "none")
            {
                timed = turn.Turn(time);
                state = 3;
                done.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromMinutes(5));
            var exited = process.WaitForExitAsync(limit.Token);
            async Task<bool> Reached(Task step) => await Task.WhenAny(step, exited, Task.Delay(Timeout.Infinite, limit.Token)).ConfigureAwait(false) == step;
            await process.StandardInput.WriteAsync($"/clear\n/image {image}\n").ConfigureAwait(false);
            await process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
            double? cpuBefore = null;
            if (await Reached(loaded.Task).ConfigureAwait(false))
            {
                cpuBefore = await IdleMainThreadCpuAsync(process.Id, cancellationToken).ConfigureAwait(false);
                await process.StandardInput.WriteAsync($"{prompt.ReplaceLineEndings(" ")}\n").ConfigureAwait(false);
                await process.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            if (cpuBefore is null || !await Reached(done.Task).ConfigureAwait(false) || timed is null)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new InvalidOperationException($"llama-mtmd-cli timed 0/1 turns{(process.HasExited ? $" (exit {process.ExitCode})" : "")}: {last?.Trim()}");
            }
            var cpu = await IdleMainThreadCpuAsync(process.Id, cancellationToken).ConfigureAwait(false) - cpuBefore.Value;
            // /quit only now: the process exits without flushing its log (common/log.cpp), and at end of input its chat loop would spin.
            await process.StandardInput.WriteAsync("/quit\n").ConfigureAwait(false);
            process.StandardInput.Close();
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            grace.CancelAfter(TimeSpan.FromSeconds(10));
            try { await process.WaitForExitAsync(grace.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { } // the turn is timed; finally kills it
            return timed with { CpuMs = cpu };
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    // The CPU milliseconds the process's main thread has used (/proc/PID/task/PID/schedstat, nanoseconds), read once it has
    // stopped moving (the thread finished what it was doing and waits for input); NaN where /proc cannot be read.
    private static async Task<double> IdleMainThreadCpuAsync(int pid, CancellationToken cancellationToken)
    {
        static double Read(int pid)
        {
            try
            {
                return ThreadCpuClock.OnCpuNanoseconds($"/proc/{pid}/task/{pid}") / 1e6;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                return double.NaN;
            }
        }
        var value = Read(pid);
        for (var i = 0; i < 50 && double.IsFinite(value); i++)
        {
            await Task.Delay(2, cancellationToken).ConfigureAwait(false);
            var next = Read(pid);
            if (next == value) break;
            value = next;
        }
        return value;
    }

    /// <summary>The batch and micro-batch size both sides run with (llama-mtmd-cli's own default batch is 2048).</summary>
    public const int BatchSize = 512;

    // The log lines that bound a turn's stages (microsecond timestamps), in the order eval_message logs them:
    // prompt → mtmd_tokenize ("batch_f32 size", libmtmd's last line for a preprocessed image) → text before the image
    // decoded → "encoding mtmd batch" → "mtmd batch encoding done" → "decoding image batch" … "image decoded" (per
    // batch) → text after the image decoded → its plain "\n" line → sampling → the token line.
    private sealed class TurnMarks
    {
        public long Begin;
        private long _preprocessed, _encodeStart, _encoded, _decodeStart, _decoded, _prefilled;

        public void See(long time, string level, string message, ref int state)
        {
            if (level == "debug" && message.StartsWith("batch_f32 size", StringComparison.Ordinal)) _preprocessed = time;
            else if (message.StartsWith("encoding mtmd batch", StringComparison.Ordinal)) _encodeStart = time;
            else if (message.StartsWith("mtmd batch encoding done", StringComparison.Ordinal)) _encoded = time;
            else if (message.StartsWith("decoding image batch", StringComparison.Ordinal)) { if (_decodeStart == 0) _decodeStart = time; }
            else if (message.StartsWith("image decoded", StringComparison.Ordinal)) _decoded = time;
            else if (level == "none") (_prefilled, state) = (time, 2);
        }

        // Null when the turn did not encode its image (its embeddings came from the last turn's batch).
        public MtmdCliTurn? Turn(long token)
        {
            if (_encodeStart == 0 || _encoded == 0 || _decoded == 0) return null;
            static double Ms(long from, long to) => from > 0 && to >= from ? (to - from) / 1000.0 : double.NaN;
            return new MtmdCliTurn(Ms(Begin, token), Ms(Begin, _preprocessed), Ms(_preprocessed, _encodeStart), Ms(_encodeStart, _encoded),
                Ms(_encoded, _decoded), Ms(_decoded, _prefilled), Ms(_prefilled, token));
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

/// <summary>
/// One llama-mtmd-cli turn's stages in milliseconds, from its log's timestamps (NaN where a line was missing).
/// </summary>
/// <param name="TotalMs">From the formatted prompt to the first token printed: the span our side times.</param>
/// <param name="TokenizeMs"><c>mtmd_tokenize</c> with the image's preprocessing.</param>
/// <param name="TextBeforeMs">Decoding the text before the image (and tokenising the rest).</param>
/// <param name="EncodeMs">The vision encoder and projector (<c>mtmd_batch_encode</c>).</param>
/// <param name="ImageDecodeMs"><c>llama_decode</c> of the image embeddings (every batch).</param>
/// <param name="TextAfterMs">Decoding the text after the image, with the logits of its last token.</param>
/// <param name="SampleMs">Sampling and printing the token.</param>
public sealed record MtmdCliTurn(double TotalMs, double TokenizeMs, double TextBeforeMs, double EncodeMs, double ImageDecodeMs, double TextAfterMs, double SampleMs)
{
    /// <summary>CPU time of its main thread over the turn (it computes there with one thread), NaN when unknown.</summary>
    public double CpuMs { get; init; } = double.NaN;
}
