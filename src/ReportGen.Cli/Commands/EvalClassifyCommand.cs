using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class EvalClassifyCommand
{
    public static Command Create() => PendingCommand.Create("classify", "Evaluate classification");
}
