using System.CommandLine;
using ReportGen.Cli.Commands;

// The `reportgen` command: one file per verb under Commands/.
// Conventions: results on stdout (JSON where a contract says so), logs and errors on stderr;
// exit 0 ok, 1 a runtime failure, 2 bad input or usage.
var root = new RootCommand("ReportGen: radiology report drafting, structuring, classification, judging and completion")
{
    DoctorCommand.Create(),
    ServeCommand.Create(),
    GenerateCommand.Create(),
    EmbedCommand.Create(),
    StructureCommand.Create(),
    ClassifyCommand.Create(),
    DraftCommand.Create(),
    JudgeCommand.Create(),
    CompleteCommand.Create(),
    EvalCommand.Create(),
    BenchCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
