using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ReportGen.Core.Hosting;
using ReportGen.Core.Imaging;
using ReportGen.Core.Models;
using ReportGen.Eval.Bench;
using ReportGen.Eval.Reporting;
using ReportGen.Imaging;
using ReportGen.Llama;
using ReportGen.Llama.Native;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen bench vlm --model MMPROJ_SET [--image F] [--repeats N] [--threads T]</c>: image encode + prefill time of
/// our path (libmtmd through the binding, then the <see cref="SequenceScheduler"/>'s batches, one token sampled) against
/// llama.cpp's own (<c>mtmd_helper_eval_chunks</c>, what llama-mtmd-cli runs) on the same loaded model, mmproj, image
/// and threads, and against llama.cpp's <c>llama-mtmd-cli</c> process on the same files (<see cref="LlamaMtmdCli"/>):
/// the static GGML_NATIVE reference build and, when provisioned, the same CLI linked against the libraries we load (the npm
/// ones, or the native build that <c>REPORTGEN_LLAMA_LIB_DIR</c> points at; which tells a difference of the libraries'
/// build from one of our code). Interleaved rounds in rotating order; per stage the
/// median and p25-p75, then the ratios (theirs ÷ ours: 1.0 = as fast).
/// </summary>
internal static class BenchVlmCommand
{
    private const string Verb = "reportgen bench vlm";
    private const string Prompt = "Describe the findings of the chest x-ray.";

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A models.json set of kind mmproj", Required = true };
        var image = new Option<string?>("--image") { Description = "PNG/JPEG/DICOM (default: shared/data/images/00000001_000.png)" };
        var repeats = new Option<int>("--repeats") { Description = "Timed rounds (each side once per round)", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "CPU threads for every side", DefaultValueFactory = _ => 1 };
        var command = new Command("vlm", "Benchmark image encode + prefill: ours vs llama.cpp's mtmd helper and llama-mtmd-cli") { model, image, repeats, threads };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(model)!, parse.GetValue(image) ?? Workspace.Shared("data", "images", "00000001_000.png"),
            parse.GetValue(repeats), parse.GetValue(threads), Console.Out, Console.Error, ct));
        return command;
    }

    internal static async Task<int> RunAsync(string setId, string? imagePath, int repeats, int threads, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken,
        ModelResolver? resolver = null)
    {
        if (repeats < 1 || threads < 1) return Fail(stderr, 2, "--repeats and --threads must be >= 1");
        if (imagePath is null || !File.Exists(imagePath)) return Fail(stderr, 2, $"--image: file not found: {imagePath}");
        try
        {
            resolver ??= ModelResolver.CreateDefault(ModelManifest.Load(ModelManifest.DefaultPath() ?? throw new FileNotFoundException("no models/models.json found (set REPORTGEN_MANIFEST)")));
            var rgb = new RgbImageDecoder().Decode(await File.ReadAllBytesAsync(imagePath, cancellationToken), null);
            using var set = MultimodalModelSet.Load(resolver, setId, projectorOptions: new MultimodalProjectorOptions { Threads = threads });
            var context = new LlamaContextOptions { ContextSize = 2048, Sequences = 1, BatchSize = LlamaMtmdCli.BatchSize, Threads = threads };
            await using var scheduler = new SequenceScheduler(set.Model, new SchedulerOptions { Context = context });
            using var reference = set.Model.CreateContext(context);
            var text = set.Model.ApplyChatTemplate([new LlamaChatTurn("user", set.Projector.Marker + Prompt)], addAssistantPrefix: true);
            var onOurs = LlamaMtmdCli.FindBuiltOnLibraries(LlamaLibrary.Directory);
            CliSide[] clis =
            [
                new("llama-mtmd-cli", LlamaMtmdCli.FindBuilt(), $"not built (build/native/provision.sh llama-tools, or set {LlamaMtmdCli.BinaryVariable})"),
                new("cli, our libs", onOurs.Binary, onOurs.WhyNot ?? ""),
            ];
            if (!IsPngOrJpeg(imagePath))
                foreach (var c in clis) c.Skipped ??= $"it reads PNG/JPEG files, not {Path.GetFileName(imagePath)}";
            var load = MachineLoad.Averages() ?? "n/a";

            async Task Ours(Sample sample)
            {
                // The scheduler thread's CPU is read (from /proc) outside the timed span, while it is idle.
                var scheduled = ThreadCpuClock.Seconds(SequenceScheduler.ThreadName);
                var submitted = Stopwatch.GetTimestamp();
                var cpu = ProcessCpuClock.ThreadSeconds();
                var prompt = set.Projector.Tokenize(text, [rgb], addSpecial: true, parseSpecial: true, cancellationToken: cancellationToken, stages: sample.Ours);
                sample.TokenizeEncodeCpuMs = (ProcessCpuClock.ThreadSeconds() - cpu) * 1000;
                var queued = Stopwatch.GetTimestamp();
                var request = scheduler.Submit(prompt, new GenerationOptions { MaxTokens = 1 }, cancellationToken);
                await request.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
                var returned = Stopwatch.GetTimestamp();
                sample.OursCpuMs = sample.TokenizeEncodeCpuMs + (ThreadCpuClock.Seconds(SequenceScheduler.ThreadName) - scheduled) * 1000;
                (sample.OursMs, sample.WaitMs) = (Ms(submitted, returned), Ms(queued, request.AdmittedAt));
                (sample.PrefillMs, sample.HandBackMs) = (Ms(request.AdmittedAt, request.FirstTokenAt), Ms(request.FirstTokenAt, returned));
            }
            void Helper(Sample sample)
            {
                var started = Stopwatch.GetTimestamp();
                var cpu = ProcessCpuClock.ThreadSeconds();
                set.Projector.ReferencePrefill(reference, text, [rgb], stages: sample.Helper);
                sample.HelperCpuMs = (ProcessCpuClock.ThreadSeconds() - cpu) * 1000;
                sample.HelperMs = Ms(started, Stopwatch.GetTimestamp());
            }
            async Task Cli(Sample sample, int side)
            {
                var cli = clis[side];
                if (cli.Skipped is not null) return;
                // One process per turn (see LlamaMtmdCli); a set the CLI cannot run skips that side.
                try
                {
                    sample.Cli[side] = (await LlamaMtmdCli.TimeTurnsAsync(cli.Binary!, set.Llm.Path!, set.Mmproj.Path!, Path.GetFullPath(imagePath), Prompt, threads, 1,
                        cancellationToken).ConfigureAwait(false))[0];
                }
                catch (InvalidOperationException e)
                {
                    cli.Skipped = e.Message.Split('\n')[0];
                }
            }

            // Warm-up, not counted: at least a second and 3 rounds of both in-process sides, so the JIT's background tier-up of the
            // managed path (a compiler thread that competes for the CPU) is over before the timed rounds.
            var warming = Stopwatch.StartNew();
            for (var w = 0; w < 3 || warming.Elapsed < TimeSpan.FromSeconds(1); w++)
            {
                var warmUp = new Sample(clis.Length);
                await Ours(warmUp).ConfigureAwait(false);
                Helper(warmUp);
            }
            var samples = new List<Sample>();
            var sides = 2 + clis.Length;
            for (var i = 0; i < repeats; i++)
            {
                // Each side once per round, in rotating order, so none always runs first (right after a process started and ended).
                var sample = new Sample(clis.Length);
                for (var k = 0; k < sides; k++)
                {
                    var side = (i + k) % sides;
                    if (side == 0) await Ours(sample).ConfigureAwait(false);
                    else if (side == 1) Helper(sample);
                    else await Cli(sample, side - 2).ConfigureAwait(false);
                }
                samples.Add(sample);
            }
            stdout.WriteLine($"vlm {setId} ({set.Projector.ProjectorType}), image {Path.GetFileName(imagePath)} {rgb.Width}x{rgb.Height}, {threads} thread(s), "
                + $"batch {LlamaMtmdCli.BatchSize}, {repeats} interleaved rounds, load {load} before, {MachineLoad.Averages() ?? "n/a"} after");
            stdout.WriteLine($"our libraries: {LlamaLibrary.Directory} (llama.cpp {LlamaBuild.Read(LlamaLibrary.Directory)})");
            foreach (var c in clis.Where(c => c.Binary is not null)) stdout.WriteLine($"{c.Label}: {c.Binary}");
            Write(stdout, samples, clis);
            return 0;
        }
        catch (Exception e) when (e is ArgumentException or MultimodalProjectorException or ImageDecodeException or KeyNotFoundException)
        {
            return Fail(stderr, 2, e.Message);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or LlamaException or DllNotFoundException)
        {
            return Fail(stderr, 1, e.Message);
        }
    }

    // A llama-mtmd-cli build compared with ours; Skipped says why it is not (binary missing, or it could not run the set).
    private sealed class CliSide(string label, string? binary, string notBuilt)
    {
        public string Label { get; } = label;
        public string? Binary { get; } = binary;
        public string? Skipped { get; set; } = binary is null ? notBuilt : null;
    }

    // One round: our path, llama.cpp's helper in-process, then each llama-mtmd-cli build (null when skipped).
    private sealed class Sample(int clis)
    {
        public MultimodalStageTimes Ours { get; } = new();
        public MultimodalStageTimes Helper { get; } = new();
        public double OursMs, WaitMs, PrefillMs, HandBackMs, HelperMs, TokenizeEncodeCpuMs, OursCpuMs, HelperCpuMs;
        public MtmdCliTurn?[] Cli { get; } = new MtmdCliTurn?[clis];

        // llama-mtmd-cli makes its bitmap when it loads the file (/image), before the span it is timed over.
        public double OursSameSpanMs => OursMs - Ours.BitmapMs;
    }

    private static void Write(TextWriter stdout, List<Sample> samples, CliSide[] clis)
    {
        // Columns of 17 characters and a space: a wide cell (a slow run's spread) pushes the next one right but never touches it.
        stdout.WriteLine($"{"stage (median ms, p25-p75)",-38}{"ours",-17} {"helper",-17} {string.Join(' ', clis.Select(c => $"{c.Label,-17}"))}");
        string Cell(Func<Sample, double>? pick)
        {
            if (pick is null) return "-";
            var v = samples.Select(pick).Where(double.IsFinite).Order().ToList();
            return v.Count == 0 ? "-" : $"{F(LatencyStats.Percentile(v, 50), "0.00")} ({F(LatencyStats.Percentile(v, 25), "0.00")}-{F(LatencyStats.Percentile(v, 75), "0.00")})";
        }
        void Row(string label, Func<Sample, double>? ours, Func<Sample, double>? helper, Func<MtmdCliTurn, double>? cli) =>
            stdout.WriteLine($"{label,-38}{Cell(ours),-17} {Cell(helper),-17} " + string.Join(' ', clis.Select((c, i) =>
                $"{(c.Skipped is null && cli is not null ? Cell(s => s.Cli[i] is { } t ? cli(t) : double.NaN) : "-"),-17}")).TrimEnd());
        Row("bitmap from decoded pixels", s => s.Ours.BitmapMs, s => s.Helper.BitmapMs, null);
        Row("mtmd_tokenize (with preprocessing)", s => s.Ours.TokenizeMs, s => s.Helper.TokenizeMs, t => t.TokenizeMs);
        Row("text before the image, decoded", null, null, t => t.TextBeforeMs);
        Row("encode (vision tower + projector)", s => s.Ours.EncodeMs, null, t => t.EncodeMs);
        Row("embeddings copied out", s => s.Ours.CopyMs, null, null);
        // The calling thread's CPU time over the same calls: what the wall-clock rows above spent waiting for a core.
        Row("  CPU time of the four rows above", s => s.TokenizeEncodeCpuMs, null, null);
        Row("wait for the scheduler", s => s.WaitMs, null, null);
        Row("image decoded", null, null, t => t.ImageDecodeMs);
        Row("text after the image, decoded", null, null, t => t.TextAfterMs);
        Row("decodes + first token sampled", s => s.PrefillMs, null, t => t.TextBeforeMs + t.ImageDecodeMs + t.TextAfterMs + t.SampleMs);
        Row("encode + decodes (mtmd_helper_eval)", null, s => s.HelperMs - s.Helper.BitmapMs - s.Helper.TokenizeMs, null);
        Row("result handed back to the caller", s => s.HandBackMs, null, null);
        Row("total, the span llama-mtmd-cli times", s => s.OursSameSpanMs, s => s.HelperMs - s.Helper.BitmapMs, t => t.TotalMs);
        Row("total with the bitmap", s => s.OursMs, s => s.HelperMs, null);
        // CPU time of the threads that did the work (ours: the calling thread and the scheduler thread; the helper and the
        // CLI compute on one thread): what the job costs without the time a loaded machine made it wait for a core.
        Row("CPU time, with the bitmap", s => s.OursCpuMs, s => s.HelperCpuMs, t => t.CpuMs);
        var (o, h) = (LlmBenchmark.Median(samples.Select(s => s.OursMs)), LlmBenchmark.Median(samples.Select(s => s.HelperMs)));
        stdout.WriteLine($"ours (encode + scheduler prefill)      {F(o, "0.0"),9}");
        stdout.WriteLine($"reference: mtmd_helper_eval_chunks     {F(h, "0.0"),9}");
        stdout.WriteLine($"ratio (llama.cpp / ours)               {F(h / o, "0.000"),9}");
        for (var i = 0; i < clis.Length; i++)
        {
            var cli = clis[i];
            var name = i == 0 ? "llama-mtmd-cli" : "llama-mtmd-cli on our libraries";
            if (cli.Skipped is not null)
            {
                stdout.WriteLine($"{name} (same span, own log): skipped, {cli.Skipped}");
                continue;
            }
            var c = LlmBenchmark.Median(samples.Select(s => s.Cli[i]!.TotalMs));
            var ours = LlmBenchmark.Median(samples.Select(s => s.OursSameSpanMs));
            // Each round's own ratio too (robust to load that moves during the run), and the fastest of each side: what it
            // takes with the least interference from a loaded machine.
            var perRound = samples.Select(s => s.Cli[i]!.TotalMs / s.OursSameSpanMs).Order().ToList();
            var (bestOurs, bestCli) = (samples.Min(s => s.OursSameSpanMs), samples.Min(s => s.Cli[i]!.TotalMs));
            stdout.WriteLine($"{name + " (same span, own log)",-38} {F(c, "0.0"),9}");
            stdout.WriteLine($"{"ratio (" + name + " / ours)",-38} {F(c / ours, "0.000"),9}");
            var cpuRatio = LlmBenchmark.Median(samples.Select(s => s.Cli[i]!.CpuMs)) / LlmBenchmark.Median(samples.Select(s => s.OursCpuMs - s.Ours.BitmapMs));
            stdout.WriteLine($"  CPU time (its main thread / ours, less our bitmap copy): {F(cpuRatio, "0.000")}");
            stdout.WriteLine($"  per round: median {F(LatencyStats.Percentile(perRound, 50), "0.000")} (p25-p75 {F(LatencyStats.Percentile(perRound, 25), "0.000")}-"
                + $"{F(LatencyStats.Percentile(perRound, 75), "0.000")}); fastest: ours {F(bestOurs, "0.00")}, its {F(bestCli, "0.00")}, ratio {F(bestCli / bestOurs, "0.000")}");
        }
        if (clis.All(c => c.Skipped is null))
        {
            // Same CLI source, two builds of the native libraries: how much of the difference is the build, not our code.
            var (native, npm) = (LlmBenchmark.Median(samples.Select(s => s.Cli[0]!.TotalMs)), LlmBenchmark.Median(samples.Select(s => s.Cli[1]!.TotalMs)));
            stdout.WriteLine($"build effect (static native / our libs) {F(native / npm, "0.000"),8}");
        }
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private static string F(double v, string format) => BenchLlmCommand.F(v, format);

    private static bool IsPngOrJpeg(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.Read(head) == 4 && (head.SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]) || head[..2].SequenceEqual((ReadOnlySpan<byte>)[0xFF, 0xD8]));
    }

    private static int Fail(TextWriter stderr, int code, string message)
    {
        stderr.WriteLine($"{Verb}: {message.Split('\n')[0]}");
        return code;
    }
}
