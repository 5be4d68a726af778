using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class BenchCompleteCommand
{
    public static Command Create() => PendingCommand.Create("complete", "Benchmark auto-completion");
}
