using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class EvalCompareCommand
{
    public static Command Create() => PendingCommand.Create("compare", "Compare two eval runs");
}
