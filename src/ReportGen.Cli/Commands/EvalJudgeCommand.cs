using System.CommandLine;
using Microsoft.Extensions.AI;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Eval.Metrics.Judging;
using ReportGen.Eval.Reporting;
using ReportGen.Eval.Suites;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen eval judge --data FILE --out DIR [--prompts DIR] [--model ID] [--max-tokens N]</c>: the judging suite on RadFact's
/// test examples. Without --model it scores the stored entailment labels (the metric-fidelity check); with --model an
/// LLM judge (the pipeline's RadFact judge) labels the examples. On RadFact's grounded examples
/// (grounded_reporting_examples.json: phrases with boxes, no labels) it reports grounding and spatial scores too, the
/// labels coming from --model or, without it, from the named phrase-match oracle.
/// Writes DIR/results.json and DIR/report.html; prints {"results", "report", "metrics"} on stdout.
/// </summary>
internal static class EvalJudgeCommand
{
    // The pipeline's RadFact judge over the CLI's chat client (REPORTGEN_LLM_URL or a manifest id / GGUF path); null when no runtime is available.
    private static Pipelines.Judging.RadFactJudge? PipelineJudge(string model, string? prompts, int? maxTokens, Func<string?, IChatClient?> chatFactory, TextWriter stderr) =>
        chatFactory(model) is { } chat
            ? new Pipelines.Judging.RadFactJudge(chat, prompts is null ? PromptLibrary.LoadDefault() : PromptLibrary.Load(prompts), maxTokens, new StderrLogger(stderr, "reportgen eval judge"))
            : null;

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "RadFact test_examples.json (stored labels) or grounded_reporting_examples.json (phrases with boxes)", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder for results.json and report.html", Required = true };
        var prompts = new Option<string?>("--prompts") { Description = "Prompts folder for the LLM judge (recorded with its hash)" };
        var model = new Option<string?>("--model") { Description = "Model id of the LLM judge; without it the stored labels are scored (grounded examples: the phrase-match oracle)" };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Overrides the entailment prompt's max_tokens (small models need room to finish the constrained verdict)" };
        var command = new Command("judge", "Evaluate judging on the RadFact examples (logical precision/recall/F1; grounding and spatial too on grounded examples)") { data, output, prompts, model, maxTokens };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(prompts), parse.GetValue(model), Console.Out, Console.Error, ct, parse.GetValue(maxTokens)));
        return command;
    }

    /// <summary>Runs the verb; <paramref name="chatFactory"/> makes the LLM judge's chat client (default <see cref="CliChatClients.Create"/>).</summary>
    internal static async Task<int> RunAsync(string data, string output, string? prompts, string? modelId, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken,
        int? maxTokens = null, Func<string?, IChatClient?>? chatFactory = null)
    {
        if (maxTokens is <= 0)
        {
            await stderr.WriteLineAsync("reportgen eval judge: --max-tokens must be positive").ConfigureAwait(false);
            return 2;
        }
        if (!File.Exists(data))
        {
            await stderr.WriteLineAsync($"reportgen eval judge: --data {data} does not exist").ConfigureAwait(false);
            return 2;
        }
        if (prompts is not null && !Directory.Exists(prompts))
        {
            await stderr.WriteLineAsync($"reportgen eval judge: --prompts {prompts} is not a folder").ConfigureAwait(false);
            return 2;
        }
        var grounded = RadFactGroundedExamples.IsGroundedFile(data);
        RadFactJudge? judge = null;
        GroundedRadFactJudge? groundedJudge = null;
        if (modelId is not null)
        {
            var pipelineJudge = PipelineJudge(modelId, prompts, maxTokens, chatFactory ?? CliChatClients.Create, stderr);
            if (pipelineJudge is null)
            {
                await stderr.WriteLineAsync($"reportgen eval judge: no LLM judge is available for model '{modelId}' (run without --model to score the stored labels)").ConfigureAwait(false);
                return 1;
            }
            if (grounded) groundedJudge = JudgingSuite.FromPipelineGrounded(pipelineJudge);
            else judge = JudgingSuite.FromPipeline(pipelineJudge);
        }

        WrittenResults written;
        try
        {
            var options = new JudgingSuiteOptions { JudgeName = modelId ?? "stored-labels", PromptsFolder = prompts, ModelId = modelId, Logger = new StderrLogger(stderr, "reportgen eval judge") };
            written = grounded
                ? await JudgingSuite.RunGroundedAsync(data, output, groundedJudge, options, cancellationToken).ConfigureAwait(false)
                : await JudgingSuite.RunAsync(data, output, judge, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException)
        {
            await stderr.WriteLineAsync($"reportgen eval judge: {Path.GetFileName(data)} is not a RadFact examples file: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"reportgen eval judge: cannot write {output}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        var results = EvalComparison.Load(written.ResultsJson);
        var summary = new JsonObject
        {
            ["results"] = written.ResultsJson,
            ["report"] = written.ReportHtml,
            ["metrics"] = results["metrics"]!.DeepClone(),
        };
        await stdout.WriteLineAsync(summary.ToJsonString(ResultsWriter.JsonOptions)).ConfigureAwait(false);
        return 0;
    }
}
