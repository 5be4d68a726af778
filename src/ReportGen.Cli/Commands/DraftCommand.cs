using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class DraftCommand
{
    public static Command Create() => PendingCommand.Create("draft", "Draft findings for a study (optionally grounded)");
}
