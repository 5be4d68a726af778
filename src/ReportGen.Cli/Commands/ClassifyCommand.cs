using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class ClassifyCommand
{
    public static Command Create() => PendingCommand.Create("classify", "Classify a report against a taxonomy or label list");
}
