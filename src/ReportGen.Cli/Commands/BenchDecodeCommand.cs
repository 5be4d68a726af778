using System.CommandLine;
using System.Globalization;
using ReportGen.Eval.Bench;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen bench decode</c>: our compressed-DICOM decoders against the native reference tools (dcmtk, OpenJPEG)
/// on the same files, made at bench time, printed as one table with ratios.
/// </summary>
internal static class BenchDecodeCommand
{
    public static Command Create()
    {
        var slices = new Option<int>("--slices") { Description = "frames of the 512x512 CT volume", DefaultValueFactory = _ => 300 };
        var repeats = new Option<int>("--repeats") { Description = "timed runs per row (median)", DefaultValueFactory = _ => 3 };
        var command = new Command("decode", "Benchmark compressed DICOM decoding against dcmtk/OpenJPEG on the same files") { slices, repeats };
        command.SetAction((parse, ct) => Task.FromResult(Run(parse.GetValue(slices), parse.GetValue(repeats), Console.Out, Console.Error, ct)));
        return command;
    }

    internal static int Run(int slices, int repeats, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (slices <= 0 || repeats <= 0)
        {
            stderr.WriteLine("reportgen bench decode: --slices and --repeats must be > 0");
            return 2;
        }
        string loadBefore = MachineLoad.Averages() ?? "n/a";
        var rows = DecodeBenchmark.Run(slices, repeats, stderr, cancellationToken);
        stdout.WriteLine($"decode: median of {repeats} runs, ms; ours = parse + all frames to modality values on {Environment.ProcessorCount} cores; " +
                         $"tool = wall time of the reference decoder on the same file; ratio = ours / (tool − tool start-up); load {loadBefore} → {MachineLoad.Averages() ?? "n/a"}");
        stdout.WriteLine(Table(rows));
        return 0;
    }

    internal static string Table(IReadOnlyList<DecodeBenchRow> rows)
    {
        static string F(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "n/a";
        var header = new[] { "case", "syntax", "MB", "ours ms", "tool", "tool ms", "start-up ms", "ratio" };
        var lines = rows.Select(r => new[]
        {
            r.Case, r.Syntax, r.FileBytes > 0 ? (r.FileBytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) : "-",
            F(r.OursMs, "0"), r.Tool, F(r.ToolMs, "0"), F(r.ToolStartupMs, "0"), F(r.Ratio, "0.00"),
        }).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, lines.Count == 0 ? 0 : lines.Max(l => l[i].Length))).ToArray();
        var sb = new System.Text.StringBuilder();
        void Line(string[] cells) => sb.AppendLine(string.Join("  ", cells.Select((c, i) => i < 2 || i == 4 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        Line(header);
        Line(widths.Select(w => new string('-', w)).ToArray());
        lines.ForEach(Line);
        foreach (var r in rows.Where(r => r.Note is not null)) sb.AppendLine($"note: {r.Case} {r.Syntax}: {r.Note}");
        return sb.ToString().TrimEnd();
    }
}
