using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Eval.Data;
using ReportGen.Eval.Suites;
using ReportGen.Pipelines.Classification;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen eval classify --data FILE.jsonl --out DIR [--engine rules|llm] [--model ID]</c>: runs the classification
/// suite (<see cref="ClassificationSuite"/>: CheXpert macro/micro F1 per language and overall) and prints one line per
/// language.
/// </summary>
internal static class EvalClassifyCommand
{
    private const string Verb = "reportgen eval classify";

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Dev set JSONL (eval/data/classification-dev.jsonl)", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for results.json and report.html", Required = true };
        var engine = new Option<string>("--engine") { Description = "rules (default) or llm", DefaultValueFactory = _ => "rules" };
        var model = new Option<string?>("--model") { Description = "Model id for --engine llm" };
        var command = new Command("classify", "Evaluate classification (CheXpert F1 per language)") { data, output, engine, model };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(engine) ?? "rules", parse.GetValue(model), Console.Out, Console.Error, ct));
        return command;
    }

    /// <summary>Runs the verb; <paramref name="chatFactory"/> makes the chat client for <c>--engine llm</c> (default <see cref="CliChatClients.Create"/>).</summary>
    internal static async Task<int> RunAsync(string dataPath, string outDir, string engineName, string? model, TextWriter stdout, TextWriter stderr, CancellationToken ct,
        Func<string?, IChatClient?>? chatFactory = null)
    {
        if (ClassificationEngines.Parse(engineName) is not { } engine)
            return await FailAsync(stderr, 2, $"--engine must be {ClassificationEngines.Names}, not '{engineName}'");
        ClassificationDevSet devSet;
        try
        {
            // IU X-ray texts are not ours to store: such records name their text in ../shared and are joined here.
            devSet = ClassificationSuite.LoadReports(await File.ReadAllTextAsync(dataPath, ct), SharedReportTexts.Default());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or JsonException or InvalidDataException or KeyNotFoundException or InvalidOperationException)
        {
            return await FailAsync(stderr, 2, $"cannot read --data: {ex.Message}");
        }
        if (devSet.Skipped > 0) await stderr.WriteLineAsync($"{Verb}: skipped {devSet.Skipped} records: {devSet.SkipReason}");
        if (devSet.Reports.Count == 0) return await FailAsync(stderr, 2, "nothing to score");
        if (await CliChatClients.ForEngineAsync(engine == ClassificationEngine.Llm, model, "eval classify", chatFactory, stderr) is not { } llm) return 1;

        var service = new ClassificationService(TaxonomyLibrary.LoadDefault(), llm.Chat, llm.Prompts);
        var result = await ClassificationSuite.RunAsync(dataPath, devSet, outDir, service, engine, ct);
        foreach (var (lang, d) in result.ByLanguage)
            await stdout.WriteLineAsync($"{lang,-4} n={d["n"],-3} macroF1-14 u_neg={d["chexpert14_macro_f1_u_neg"]:0.000} u_pos={d["chexpert14_macro_f1_u_pos"]:0.000}  macroF1-5 u_neg={d["chexpert5_macro_f1_u_neg"]:0.000} u_pos={d["chexpert5_macro_f1_u_pos"]:0.000}");
        await stdout.WriteLineAsync($"wrote {result.Written.ResultsJson}");
        return 0;
    }

    private static async Task<int> FailAsync(TextWriter stderr, int code, string message)
    {
        await stderr.WriteLineAsync($"{Verb}: {message}");
        return code;
    }
}
