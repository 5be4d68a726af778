using System.CommandLine;

namespace ReportGen.Cli.Commands;

/// <summary><c>reportgen eval SUITE --data FILE --out DIR</c>: one subcommand per suite (one file each).</summary>
internal static class EvalCommand
{
    public static Command Create() => new("eval", "Run an evaluation suite and write results.json and report.html")
    {
        EvalCompleteCommand.Create(),
        EvalStructureCommand.Create(),
        EvalClassifyCommand.Create(),
        EvalJudgeCommand.Create(),
        EvalDraftCommand.Create(),
        EvalCompareCommand.Create(),
    };
}
