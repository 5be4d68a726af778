using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class EmbedCommand
{
    public static Command Create() => PendingCommand.Create("embed", "Embed an image with an ONNX encoder and print JSON");
}
