using System.CommandLine;
using ReportGen.Cli.Commands;

// The `reportgen` command: one file per verb under Commands/.
var root = new RootCommand("ReportGen: radiology report drafting, structuring, classification, judging and completion")
{
    DoctorCommand.Create(),
    ServeCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
