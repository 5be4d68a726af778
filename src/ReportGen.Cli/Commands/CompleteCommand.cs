using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class CompleteCommand
{
    public static Command Create() => PendingCommand.Create("complete", "Suggest the next sentence of a report");
}
