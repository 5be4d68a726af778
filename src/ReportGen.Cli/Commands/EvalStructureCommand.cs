using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class EvalStructureCommand
{
    public static Command Create() => PendingCommand.Create("structure", "Evaluate RadGraph structuring");
}
