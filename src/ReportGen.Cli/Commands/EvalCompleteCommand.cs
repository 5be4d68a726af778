using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class EvalCompleteCommand
{
    public static Command Create() => PendingCommand.Create("complete", "Evaluate auto-completion (CLARA protocol)");
}
