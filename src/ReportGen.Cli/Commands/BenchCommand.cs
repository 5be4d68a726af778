using System.CommandLine;

namespace ReportGen.Cli.Commands;

/// <summary><c>reportgen bench SUITE</c>: benchmarks that print tables of ratios measured in the same run.</summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Run a benchmark and print a table")
    {
        BenchLlmCommand.Create(),
        BenchEncoderCommand.Create(),
        BenchStructureCommand.Create(),
        BenchCompleteCommand.Create(),
        BenchDecodeCommand.Create(),
        BenchVlmCommand.Create(),
        BenchServeCommand.Create(),
    };
}
