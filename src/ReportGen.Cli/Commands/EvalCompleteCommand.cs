using System.CommandLine;
using System.Text.Json.Nodes;
using ReportGen.Core.Completion;
using ReportGen.Eval.Completion;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen eval complete --data FILE.jsonl --out DIR [--corpus NAME|PATH] [--model ID|none] [--max-reports N]</c>:
/// the CLARA-style sentence completion protocol (eval/completion.md); writes DIR/results.json.
/// </summary>
internal static class EvalCompleteCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Evaluation reports (JSONL with findings/impression)", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder for results.json and predictions.jsonl", Required = true };
        var corpus = new Option<string?>("--corpus") { Description = "Corpus to retrieve from (default: iu-xray train); never the evaluated file" };
        var model = new Option<string?>("--model") { Description = "Model id for re-ranking, or none", DefaultValueFactory = _ => "none" };
        var maxReports = new Option<int?>("--max-reports") { Description = "Evaluate only the first N reports" };
        var weights = new Option<string?>("--weights") { Description = "Ranking weights as JSON, e.g. {\"SimilarReports\":2} (compare variants)" };
        var command = new Command("complete", "Evaluate auto-completion (CLARA protocol): BLEU-4, CIDEr-D, ROUGE-L, latency")
        {
            data, output, corpus, model, maxReports, weights,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(corpus),
            parse.GetValue(model), parse.GetValue(maxReports), Console.Out, Console.Error, ct, parse.GetValue(weights)));
        return command;
    }

    internal static async Task<int> RunAsync(string data, string outDir, string? corpus, string? model, int? maxReports,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, string? weights = null)
    {
        if (!File.Exists(data))
        {
            await stderr.WriteLineAsync($"reportgen eval complete: --data: file not found: {data}");
            return 2;
        }
        try
        {
            var (registry, corpusName) = CompletionCli.Registry(corpus);
            var engine = CompletionCli.Engine(registry, model, weights);
            var index = registry.Get(corpusName);
            var result = await CompletionEvaluation.RunAsync(engine, data, index.Name, maxReports, cancellationToken);
            CompletionEvaluation.Write(result, outDir, new JsonObject
            {
                ["data"] = Path.GetFullPath(data),
                ["corpus"] = index.Name,
                ["corpus_reports"] = index.Reports.Count,
                ["corpus_sentences"] = index.Sentences.Count,
                ["model"] = string.IsNullOrWhiteSpace(model) ? "none" : model,
                ["cores"] = Environment.ProcessorCount,
                ["weights"] = System.Text.Json.JsonSerializer.SerializeToNode(engine.Weights),
            });
            await stdout.WriteLineAsync(
                $"complete: {result.Reports} reports, {result.Sentences} sentences; BLEU-4 {result.Bleu4:F4}, CIDEr-D {result.Cider:F4}, ROUGE-L {result.RougeL:F4}, " +
                $"latency p50 {result.LatencyP50Ms:F2} ms, p95 {result.LatencyP95Ms:F2} ms -> {Path.Combine(outDir, "results.json")}");
            return 0;
        }
        catch (CompletionInputException ex)
        {
            await stderr.WriteLineAsync($"reportgen eval complete: {ex.Field}: {ex.Message.Split(" (Parameter")[0]}");
            return 2;
        }
        catch (InvalidDataException ex)
        {
            await stderr.WriteLineAsync($"reportgen eval complete: --data: {ex.Message}");
            return 2;
        }
    }
}
