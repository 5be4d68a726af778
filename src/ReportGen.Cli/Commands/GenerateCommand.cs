using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class GenerateCommand
{
    public static Command Create() => PendingCommand.Create("generate", "Generate text with a GGUF model");
}
