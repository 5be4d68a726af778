using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using ReportGen.Core.Hosting;
using ReportGen.Core.Models;
using ReportGen.Eval.Bench;
using ReportGen.Imaging;
using ReportGen.Llama;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen bench vlm --model MMPROJ_SET [--image F] [--repeats N] [--threads T]</c>: image encode + prefill time of
/// our path (libmtmd through the binding, then the <see cref="SequenceScheduler"/>'s batches, one token sampled) against
/// llama.cpp's own (<c>mtmd_helper_eval_chunks</c>, what llama-mtmd-cli runs) on the same loaded model, mmproj, image
/// and threads, in interleaved pairs; prints the medians and their ratio (reference ÷ ours: 1.0 = as fast). Then the same
/// span in llama.cpp's own <c>llama-mtmd-cli</c> on the same files (<see cref="LlamaMtmdCli"/>), when it is built.
/// </summary>
internal static class BenchVlmCommand
{
    private const string Verb = "reportgen bench vlm";
    private const string Prompt = "Describe the findings of the chest x-ray.";

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A models.json set of kind mmproj", Required = true };
        var image = new Option<string?>("--image") { Description = "PNG/JPEG/DICOM (default: shared/data/images/00000001_000.png)" };
        var repeats = new Option<int>("--repeats") { Description = "Timed pairs", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "CPU threads for both sides", DefaultValueFactory = _ => 1 };
        var command = new Command("vlm", "Benchmark image encode + prefill: ours vs llama.cpp's mtmd helper") { model, image, repeats, threads };
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
            var context = new LlamaContextOptions { ContextSize = 2048, Sequences = 1, BatchSize = 512, Threads = threads };
            await using var scheduler = new SequenceScheduler(set.Model, new SchedulerOptions { Context = context });
            using var reference = set.Model.CreateContext(context);
            var text = set.Model.ApplyChatTemplate([new LlamaChatTurn("user", set.Projector.Marker + Prompt)], addAssistantPrefix: true);
            var ours = new List<double>();
            var encode = new List<double>();
            var theirs = new List<double>();
            for (var i = -1; i < repeats; i++) // i = -1: warm-up pair, not counted
            {
                var clock = Stopwatch.StartNew();
                var prompt = set.Projector.Tokenize(text, [rgb], addSpecial: true, parseSpecial: true, cancellationToken: cancellationToken);
                var encodeMs = clock.Elapsed.TotalMilliseconds;
                await scheduler.GenerateAsync(prompt, new GenerationOptions { MaxTokens = 1 }, cancellationToken).ConfigureAwait(false);
                var oursMs = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                set.Projector.ReferencePrefill(reference, text, [rgb]);
                var theirsMs = clock.Elapsed.TotalMilliseconds;
                if (i < 0) continue;
                ours.Add(oursMs);
                encode.Add(encodeMs);
                theirs.Add(theirsMs);
            }
            double Median(List<double> v) => v.Order().ElementAt(v.Count / 2);
            var (o, t) = (Median(ours), Median(theirs));
            stdout.WriteLine($"vlm {setId} ({set.Projector.ProjectorType}), image {Path.GetFileName(imagePath)} {rgb.Width}x{rgb.Height}, {threads} thread(s), {repeats} interleaved pairs, load {MachineLoad.Averages() ?? "n/a"}");
            stdout.WriteLine("side                                   median ms");
            stdout.WriteLine($"ours (encode + scheduler prefill)      {o.ToString("0.0", CultureInfo.InvariantCulture),9}");
            stdout.WriteLine($"  of which tokenize + encode           {Median(encode).ToString("0.0", CultureInfo.InvariantCulture),9}");
            stdout.WriteLine($"reference: mtmd_helper_eval_chunks     {t.ToString("0.0", CultureInfo.InvariantCulture),9}");
            stdout.WriteLine($"ratio (llama.cpp / ours)               {(t / o).ToString("0.000", CultureInfo.InvariantCulture),9}");
            await WriteLlamaCliAsync(set, imagePath, repeats, threads, o, stdout, cancellationToken).ConfigureAwait(false);
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

    // llama.cpp's own CLI on the same files: a separate process, so it is compared by its logged per-turn times (see
    // LlamaMtmdCli) rather than interleaved; skipped with the reason when it is not built or cannot run this set.
    private static async Task WriteLlamaCliAsync(MultimodalModelSet set, string imagePath, int repeats, int threads, double oursMs, TextWriter stdout, CancellationToken cancellationToken)
    {
        const string Label = "llama-mtmd-cli (same span, own log)";
        if (LlamaMtmdCli.FindBuilt() is not { } binary)
        {
            stdout.WriteLine($"{Label}: skipped, not built (build/native/provision.sh llama-tools, or set {LlamaMtmdCli.BinaryVariable})");
            return;
        }
        if (!IsPngOrJpeg(imagePath))
        {
            stdout.WriteLine($"{Label}: skipped, it reads PNG/JPEG files, not {Path.GetFileName(imagePath)}");
            return;
        }
        try
        {
            var turns = await LlamaMtmdCli.TimeTurnsAsync(binary, set.Llm.Path!, set.Mmproj.Path!, Path.GetFullPath(imagePath), Prompt, threads, repeats, cancellationToken).ConfigureAwait(false);
            var timed = turns.Order().ToList();
            var m = timed[timed.Count / 2];
            stdout.WriteLine($"{Label,-38} {m.ToString("0.0", CultureInfo.InvariantCulture),9}");
            stdout.WriteLine($"ratio (llama-mtmd-cli / ours)          {(m / oursMs).ToString("0.000", CultureInfo.InvariantCulture),9}");
        }
        catch (InvalidOperationException e)
        {
            stdout.WriteLine($"{Label}: skipped, {e.Message.Split('\n')[0]}");
        }
    }

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
