using System.CommandLine;
using System.Globalization;
using ReportGen.Core.Hosting;
using ReportGen.Eval.Bench;
using ReportGen.Onnx;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen bench encoder</c>: images/s end to end and the share of decoding + preprocessing versus <c>Run</c>, for a
/// 2048x2048 16-bit DICOM made in memory and the shared PNG/DICOM files, printed as a table.
/// </summary>
internal static class BenchEncoderCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "vision-encoder id (default: the first in the manifest)" };
        var iterations = new Option<int>("--iterations") { Description = "timed images per case", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "untimed images per case", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0: runtime default)" };
        var images = new Option<DirectoryInfo?>("--images") { Description = "folder of PNG/DICOM files (default: shared/data/images)" };
        var command = new Command("encoder", "Benchmark the image encoder: images/s and decode+preprocess vs Run") { model, iterations, warmup, threads, images };
        command.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(model), parse.GetValue(iterations), parse.GetValue(warmup), parse.GetValue(threads),
            parse.GetValue(images)?.FullName ?? Workspace.Shared("data", "images"), Console.Out, Console.Error, ct)));
        return command;
    }

    internal static int Run(string? modelId, int iterations, int warmup, int threads, string? imagesFolder, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        const string Verb = "reportgen bench encoder";
        if (iterations <= 0 || warmup < 0 || threads < 0)
        {
            stderr.WriteLine($"{Verb}: --iterations must be > 0, --warmup and --threads >= 0");
            return 2;
        }
        try
        {
            var (entry, path) = EncoderModels.Resolve(modelId);
            using var encoder = ImageEncoder.Load(entry, path, new OnnxSessionOptions { IntraOpThreads = threads }, new StderrLogger(stderr, Verb));
            var rows = EncoderBenchmark.Run(encoder, EncoderBenchmark.StandardCases(imagesFolder), iterations, warmup, cancellationToken);
            stdout.WriteLine($"encoder {entry.Id} on {encoder.Session.ExecutionProvider}, {iterations} timed + {warmup} warm-up images per case, one image at a time, {Environment.ProcessorCount} cores; medians in ms");
            stdout.WriteLine(Table(rows));
            return 0;
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"{Verb}: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or OnnxRuntimeException or DllNotFoundException)
        {
            stderr.WriteLine($"{Verb}: {e.Message.Split('\n')[0]}");
            return 1;
        }
    }

    internal static string Table(IReadOnlyList<EncoderBenchRow> rows)
    {
        static string Ms(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) : "n/a";
        static string Pct(double v) => double.IsFinite(v) ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "n/a";
        var header = new[] { "case", "size", "img/s", "decode ms", "preproc ms", "run ms", "total ms", "decode+pre", "preproc", "run" };
        var lines = rows.Select(r => new[]
        {
            r.Name, r.Width > 0 ? $"{r.Width}x{r.Height}" : "-", double.IsFinite(r.TotalMs) ? r.ImagesPerSecond.ToString("0.0", CultureInfo.InvariantCulture) : "n/a",
            Ms(r.DecodeMs), Ms(r.PreprocessMs), Ms(r.RunMs), Ms(double.IsFinite(r.TotalMs) ? r.TotalMs : null), Pct(r.DecodePreprocessShare), Pct(r.PreprocessShare), Pct(r.RunShare),
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, lines.Count == 0 ? 0 : lines.Max(l => l[i].Length))).ToArray();
        var sb = new System.Text.StringBuilder();
        void Line(string[] cells) => sb.AppendLine(string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        Line(header);
        Line(widths.Select(w => new string('-', w)).ToArray());
        lines.ForEach(Line);
        foreach (var r in rows.Where(r => r.Note is not null)) sb.AppendLine($"note: {r.Name}: {r.Note}");
        return sb.ToString().TrimEnd();
    }
}
