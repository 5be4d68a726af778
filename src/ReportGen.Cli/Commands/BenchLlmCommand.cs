using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class BenchLlmCommand
{
    public static Command Create() => PendingCommand.Create("llm", "Benchmark the LLM runtime");
}
