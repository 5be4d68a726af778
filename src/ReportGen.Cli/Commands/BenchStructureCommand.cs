using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using ReportGen.Core.Hosting;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Structuring;
using Spectre.Console;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen bench structure</c>: reports per second of the rules engine on one thread over the IU X-ray
/// findings (shared/data/iu-xray/train.jsonl), with the cost of each stage measured in the same run.
/// </summary>
internal static class BenchStructureCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "JSONL of reports (default: shared/data/iu-xray/train.jsonl, field findings)" };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time per stage", DefaultValueFactory = _ => 2.0 };
        var command = new Command("structure", "Benchmark the rules structuring engine (reports/s on one core)") { data, seconds };
        command.SetAction(parse => Run(parse.GetValue(data), parse.GetValue(seconds), Console.Out, Console.Error));
        return command;
    }

    internal static int Run(string? dataPath, double seconds, TextWriter stdout, TextWriter stderr)
    {
        dataPath ??= Workspace.Shared("data", "iu-xray", "train.jsonl");
        if (dataPath is null || !File.Exists(dataPath))
        {
            stderr.WriteLine($"reportgen bench structure: no data file ({dataPath ?? "shared/data absent"}); pass --data FILE.jsonl");
            return 2;
        }
        var reports = LoadReports(dataPath);
        if (reports.Count == 0)
        {
            stderr.WriteLine("reportgen bench structure: the data file holds no reports");
            return 2;
        }
        var service = new StructuringService();
        var extractor = new RuleBasedRadGraphExtractor();
        var words = reports.Sum(r => RadGraphTokenizer.Tokenize(r).Count);

        var stages = new (string Name, Func<string, int> Work)[]
        {
            ("tokenize (radgraph words)", r => RadGraphTokenizer.Tokenize(r).Count),
            ("sections + sentences", r => ReportSectionParser.Parse(r).Sections.Sum(s => SentenceSplitter.Split(s.Text).Count)),
            ("rules extractor", r => extractor.Extract(r).Entities.Count),
            ("structure (rules engine, all)", r => service.StructureWithRules(r).RadGraph.Entities.Count),
        };
        var table = new Table().AddColumns("stage", "reports/s", "µs/report", "words/s", "vs target 1,000/s");
        double full = 0;
        long entities = 0;
        foreach (var (name, work) in stages)
        {
            // Warm-up long enough for tiered JIT to promote the hot loops (and the lexicon to be built).
            var warm = Stopwatch.StartNew();
            while (warm.Elapsed.TotalSeconds < Math.Min(1.5, seconds)) foreach (var r in reports) work(r);
            var sw = Stopwatch.StartNew();
            long done = 0;
            long sink = 0;
            while (sw.Elapsed.TotalSeconds < seconds)
            {
                foreach (var r in reports) { sink += work(r); done++; }
            }
            sw.Stop();
            var perSecond = done / sw.Elapsed.TotalSeconds;
            if (name.StartsWith("structure", StringComparison.Ordinal)) { full = perSecond; entities = sink * reports.Count / Math.Max(1, done); }
            table.AddRow(name, $"{perSecond:N0}", $"{1e6 / perSecond:N1}", $"{perSecond * words / reports.Count:N0}", $"{perSecond / 1000:N1}x");
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 120;
        console.WriteLine($"rules engine on one thread: {reports.Count} reports, {words} words, {Environment.ProcessorCount} cores visible");
        console.Write(table);
        console.WriteLine($"entities per report: {(double)entities / reports.Count:N1}; throughput {full:N0} reports/s ({(full >= 1000 ? "meets" : "BELOW")} the 1,000/s target)");
        return 0;
    }

    internal static List<string> LoadReports(string path)
    {
        var reports = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var text = root.TryGetProperty("findings", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()
                : root.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (!string.IsNullOrWhiteSpace(text)) reports.Add(text);
        }
        return reports;
    }
}
