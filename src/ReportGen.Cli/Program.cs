using System.CommandLine;
using ReportGen.Api.Hosting;
using ReportGen.Cli;
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
// llama.cpp's and ONNX Runtime's own logs: one stderr line each ("llama.cpp: ..."); `serve` re-routes them to the service's log.
NativeLogRouting.RouteTo(new NativeLogLines(Console.Error));
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("reportgen: cancelled");
    return 130;
}
catch (Exception ex)
{
    // One clear line, no stack trace and no report text (messages of our exceptions never quote it).
    Console.Error.WriteLine($"reportgen: {ex.GetType().Name}: {ex.Message}");
    return 1;
}
