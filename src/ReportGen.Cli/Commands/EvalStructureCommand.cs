using System.CommandLine;
using Microsoft.Extensions.AI;
using ReportGen.Eval.Data;
using ReportGen.Eval.Metrics.Clinical;
using ReportGen.Eval.Suites;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen eval structure --data eval/data/radgraph-dev.jsonl --out DIR [--engine rules|llm|hybrid] [--model ID]</c>:
/// runs the structuring suite (<see cref="StructuringSuite"/>: RadGraph F1 and section parsing) and prints the figures.
/// </summary>
internal static class EvalStructureCommand
{
    private const string Verb = "reportgen eval structure";

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Annotated reports (JSONL: id, text, radgraph and/or sections)", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder for results.json, report.html and predictions.jsonl", Required = true };
        var engine = new Option<string>("--engine") { Description = "rules | llm | hybrid", DefaultValueFactory = _ => "rules" };
        var model = new Option<string?>("--model") { Description = "Model id for the llm and hybrid engines" };
        var command = new Command("structure", "Evaluate RadGraph structuring: RG_E, RG_ER, complete F1 and section parsing") { data, output, engine, model };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(engine)!, parse.GetValue(model), Console.Out, Console.Error, ct));
        return command;
    }

    /// <summary>Runs the verb; <paramref name="chatFactory"/> makes the chat client for the LLM engines (default <see cref="CliChatClients.Create"/>).</summary>
    internal static async Task<int> RunAsync(string data, string outDir, string engineName, string? modelId, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken,
        Func<string?, IChatClient?>? chatFactory = null)
    {
        if (!File.Exists(data)) return await FailAsync(stderr, 2, $"--data: file not found: {data}").ConfigureAwait(false);
        if (StructuringEngines.Parse(engineName) is not { } engine)
            return await FailAsync(stderr, 2, $"--engine: unknown engine '{engineName}' (rules, llm or hybrid)").ConfigureAwait(false);
        if (await CliChatClients.ForEngineAsync(engine != StructuringEngine.Rules, modelId, "eval structure", chatFactory, stderr).ConfigureAwait(false) is not { } llm) return 1;

        var service = new StructuringService(llm.Chat, llm.Prompts, new StructuringOptions { ModelId = modelId });
        StructuringSuiteResult result;
        try
        {
            // IU X-ray texts are not ours to store: such records name their text in ../shared and are joined here.
            result = await StructuringSuite.RunAsync(data, outDir, service, engine, SharedReportTexts.Default(), cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            return await FailAsync(stderr, 2, $"--data: {ex.Message}").ConfigureAwait(false);
        }
        if (result.Skipped > 0) await stderr.WriteLineAsync($"{Verb}: skipped {result.Skipped} records: {result.SkipReason}").ConfigureAwait(false);
        var m = result.Scores.Mean;
        await stdout.WriteLineAsync(
            $"structure ({engineName}): {result.Reports} reports; RG_E {m[RadGraphRewardLevel.Simple].F1:F4} (P {m[RadGraphRewardLevel.Simple].Precision:F4} R {m[RadGraphRewardLevel.Simple].Recall:F4}), " +
            $"RG_ER {m[RadGraphRewardLevel.Partial].F1:F4}, complete {m[RadGraphRewardLevel.Complete].F1:F4}; sections {result.SectionCorrect}/{result.SectionCases} -> {result.Written.ResultsJson}").ConfigureAwait(false);
        foreach (var (split, node) in result.BySplit)
            await stdout.WriteLineAsync($"  {split}: {node!["reports"]} reports; RG_E {node["radgraph_simple"]}, RG_ER {node["radgraph_partial"]}, complete {node["radgraph_complete"]}; "
                + $"entity micro {node["radgraph_entity_micro_f1"]}, relation micro {node["radgraph_relation_micro_f1"]}").ConfigureAwait(false);
        return 0;
    }

    private static async Task<int> FailAsync(TextWriter stderr, int code, string message)
    {
        await stderr.WriteLineAsync($"{Verb}: {message}").ConfigureAwait(false);
        return code;
    }
}
