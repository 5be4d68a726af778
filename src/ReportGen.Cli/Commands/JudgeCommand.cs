using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class JudgeCommand
{
    public static Command Create() => PendingCommand.Create("judge", "Score a candidate report against a reference");
}
