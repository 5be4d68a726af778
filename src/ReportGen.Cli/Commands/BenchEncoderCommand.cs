using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class BenchEncoderCommand
{
    public static Command Create() => PendingCommand.Create("encoder", "Benchmark the image encoder");
}
