using System.CommandLine;
using System.Globalization;
using ReportGen.Eval.Reporting;
using Spectre.Console;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen eval compare A B</c>: the metric differences of two runs (results.json files or their folders) as a
/// table on stdout, plus what differs in their provenance (commit, prompts, data, models). Exit 0; 2 when a run
/// cannot be read.
/// </summary>
internal static class EvalCompareCommand
{
    public static Command Create()
    {
        var a = new Argument<string>("A") { Description = "Baseline run: results.json or its folder" };
        var b = new Argument<string>("B") { Description = "Run to compare: results.json or its folder" };
        var command = new Command("compare", "Compare two eval runs") { a, b };
        command.SetAction(parse => Run(parse.GetValue(a)!, parse.GetValue(b)!, StandardOutput(), Console.Error));
        return command;
    }

    internal static int Run(string a, string b, IAnsiConsole stdout, TextWriter stderr)
    {
        RunComparison comparison;
        try
        {
            comparison = EvalComparison.Compare(a, b);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or UnauthorizedAccessException or IOException)
        {
            stderr.WriteLine($"reportgen eval compare: {ex.Message}");
            return 2;
        }

        var table = new Table().Title($"{Markup.Escape(comparison.SuiteA)} (A) vs {Markup.Escape(comparison.SuiteB)} (B)")
            .AddColumn("metric").AddColumn(new TableColumn("A").RightAligned()).AddColumn(new TableColumn("B").RightAligned())
            .AddColumn(new TableColumn("B − A").RightAligned()).AddColumn(new TableColumn("relative").RightAligned());
        foreach (var m in comparison.Metrics)
        {
            var delta = m.Delta is { } d ? (d > 0 ? "[green]" : d < 0 ? "[red]" : "[grey]") + Markup.Escape(Signed(d)) + "[/]" : "-";
            table.AddRow(Markup.Escape(m.Name), Number(m.A), Number(m.B), delta, m.RelativeDelta is { } r ? Markup.Escape(r.ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture)) : "-");
        }
        stdout.Write(table);
        if (comparison.ProvenanceDifferences.Count > 0)
        {
            var provenance = new Table().Title("provenance differences").AddColumn("what").AddColumn("A").AddColumn("B");
            foreach (var (what, va, vb) in comparison.ProvenanceDifferences) provenance.AddRow(Markup.Escape(what), Markup.Escape(va), Markup.Escape(vb));
            stdout.Write(provenance);
        }
        return 0;
    }

    // Plain text when piped (no colour codes in files); colours on a terminal.
    private static IAnsiConsole StandardOutput() => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
        ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        Out = new AnsiConsoleOutput(Console.Out),
    });

    private static string Number(double? v) => v is { } x ? Markup.Escape(x.ToString("0.####", CultureInfo.InvariantCulture)) : "-";
    private static string Signed(double v) => v.ToString("+0.####;-0.####;0", CultureInfo.InvariantCulture);
}
