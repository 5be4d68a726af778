using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class StructureCommand
{
    public static Command Create() => PendingCommand.Create("structure", "Structure a report: sections, RadGraph entities and relations");
}
