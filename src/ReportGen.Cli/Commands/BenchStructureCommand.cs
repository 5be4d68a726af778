using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class BenchStructureCommand
{
    public static Command Create() => PendingCommand.Create("structure", "Benchmark the rules structuring engine");
}
