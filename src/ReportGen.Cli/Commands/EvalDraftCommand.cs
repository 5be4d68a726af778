using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class EvalDraftCommand
{
    public static Command Create() => PendingCommand.Create("draft", "Evaluate drafting");
}
