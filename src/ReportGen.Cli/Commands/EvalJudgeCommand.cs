using System.CommandLine;

namespace ReportGen.Cli.Commands;

internal static class EvalJudgeCommand
{
    public static Command Create() => PendingCommand.Create("judge", "Evaluate judging (RadFact examples)");
}
