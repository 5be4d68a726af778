using System.CommandLine;
using System.Text.Json.Nodes;
using ReportGen.Core.Completion;
using ReportGen.Eval.Bench;
using ReportGen.Eval.Completion;
using ReportGen.Pipelines.Completion;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen eval complete --data FILE.jsonl --out DIR [--corpus NAME|PATH] [--model ID|none] [--max-reports N]
/// [--model-weight W] [--impression-model-weight W] [--candidates N] [--no-generate] [--folds N] [--no-section]</c>:
/// the CLARA-style sentence completion protocol (eval/completion.md); writes DIR/results.json. With a model, retrieval-only runs too in the same process and its
/// metrics go into <c>setup.retrieval_only</c>, so the two are compared on the same machine state.
/// </summary>
internal static class EvalCompleteCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Evaluation reports (JSONL with findings/impression)", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder for results.json and predictions.jsonl", Required = true };
        var corpus = new Option<string?>("--corpus") { Description = "Corpus to retrieve from (default: iu-xray, train + val); evaluated reports found in it are left out" };
        var model = new Option<string?>("--model") { Description = "Model id for re-ranking, or none", DefaultValueFactory = _ => "none" };
        var maxReports = new Option<int?>("--max-reports") { Description = "Evaluate only the first N reports" };
        var weights = new Option<string?>("--weights") { Description = "Ranking weights as JSON, e.g. {\"SimilarReports\":2} (compare variants)" };
        var modelWeight = new Option<double?>("--model-weight") { Description = "Weight of the model's log-probability against the retrieval score (z-normalised)" };
        var impressionModelWeight = new Option<double?>("--impression-model-weight") { Description = "The model's weight for impression sentences (default: --model-weight)" };
        var candidates = new Option<int?>("--candidates") { Description = "Retrieved candidates the model re-ranks" };
        var noGenerate = new Option<bool>("--no-generate") { Description = "Re-rank only; no generated continuation" };
        var folds = new Option<int>("--folds") { Description = "Cross-fitting: fold i is answered from the corpus without fold i's reports (use 2 when the corpus holds the evaluated file)", DefaultValueFactory = _ => 1 };
        var noSection = new Option<bool>("--no-section") { Description = "Requests do not name their sentence's section (the protocol before sections)" };
        var oracle = new Option<int>("--oracle")
        {
            Description = $"Also report, for d up to this depth, the BLEU-4 of the best of the top d suggestions chosen with the reference (an upper bound for re-ranking) and how often the reference is among them (2..{CompletionEvalOptions.MaxOracleDepth}; with a model at most --candidates)",
        };
        var command = new Command("complete", "Evaluate auto-completion (CLARA protocol): BLEU-4, CIDEr-D, ROUGE-L overall and per section, latency")
        {
            data, output, corpus, model, maxReports, weights, modelWeight, impressionModelWeight, candidates, noGenerate, folds, noSection, oracle,
        };
        command.SetAction((parse, ct) =>
        {
            var defaults = new CompletionEngineOptions();
            var engineOptions = defaults with
            {
                ModelWeight = parse.GetValue(modelWeight) ?? defaults.ModelWeight,
                ImpressionModelWeight = parse.GetValue(impressionModelWeight) ?? defaults.ImpressionModelWeight,
                RerankCandidates = parse.GetValue(candidates) ?? defaults.RerankCandidates,
                Generate = !parse.GetValue(noGenerate),
            };
            var evalOptions = new CompletionEvalOptions
            {
                MaxReports = parse.GetValue(maxReports), Folds = parse.GetValue(folds), Sections = !parse.GetValue(noSection), OracleDepth = parse.GetValue(oracle),
            };
            return RunAsync(parse.GetValue(data)!, parse.GetValue(output)!, parse.GetValue(corpus),
                parse.GetValue(model), evalOptions, Console.Out, Console.Error, ct, parse.GetValue(weights), engineOptions);
        });
        return command;
    }

    internal static async Task<int> RunAsync(string data, string outDir, string? corpus, string? model, CompletionEvalOptions evalOptions,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, string? weights = null, CompletionEngineOptions? engineOptions = null)
    {
        if (!File.Exists(data))
        {
            await stderr.WriteLineAsync($"reportgen eval complete: --data: file not found: {data}");
            return 2;
        }
        if (evalOptions.Folds is < 1 or > 20)
        {
            await stderr.WriteLineAsync("reportgen eval complete: --folds: must be between 1 and 20");
            return 2;
        }
        if (evalOptions.OracleDepth != 0 && evalOptions.OracleDepth is < 2 or > CompletionEvalOptions.MaxOracleDepth)
        {
            await stderr.WriteLineAsync($"reportgen eval complete: --oracle: must be between 2 and {CompletionEvalOptions.MaxOracleDepth}");
            return 2;
        }
        var rerankCandidates = (engineOptions ?? new CompletionEngineOptions()).RerankCandidates;
        if (!CompletionCli.IsNone(model) && evalOptions.OracleDepth > rerankCandidates)
        {
            // More suggestions than the model re-ranks would make it re-rank more candidates: a different top suggestion.
            await stderr.WriteLineAsync($"reportgen eval complete: --oracle: with a model at most --candidates ({rerankCandidates}), so the model re-ranks the same candidates");
            return 2;
        }
        try
        {
            var (registry, corpusName) = CompletionCli.Registry(corpus);
            var engine = CompletionCli.Engine(registry, model, weights, engineOptions);
            var index = registry.Get(corpusName);
            JsonObject? retrievalOnly = null;
            if (engine.HasModel)
            {
                var baseline = await CompletionEvaluation.RunAsync(CompletionCli.Engine(registry, null, weights), data, index.Name, evalOptions, cancellationToken);
                retrievalOnly = new JsonObject
                {
                    ["bleu_4"] = Math.Round(baseline.Bleu4, 4),
                    ["cider_d"] = Math.Round(baseline.Cider, 4),
                    ["rouge_l"] = Math.Round(baseline.RougeL, 4),
                    ["latency_p50_ms"] = Math.Round(baseline.LatencyP50Ms, 2),
                    ["latency_p95_ms"] = Math.Round(baseline.LatencyP95Ms, 2),
                    ["sections"] = CompletionEvaluation.SectionSummary(baseline),
                    ["oracle"] = baseline.Oracle.Count > 0 ? CompletionEvaluation.OracleSummary(baseline) : null,
                };
                await stdout.WriteLineAsync($"retrieval-only: {CompletionEvaluation.Summary(baseline)}");
            }
            var result = await CompletionEvaluation.RunAsync(engine, data, index.Name, evalOptions, cancellationToken);
            var options = engineOptions ?? new CompletionEngineOptions();
            CompletionEvaluation.Write(result, outDir, new JsonObject
            {
                ["data"] = Path.GetFullPath(data),
                ["corpus"] = index.Name,
                ["corpus_reports"] = index.Reports.Count,
                ["corpus_sentences"] = index.Sentences.Count,
                ["folds"] = evalOptions.Folds,
                ["sections_in_requests"] = evalOptions.Sections,
                ["model"] = string.IsNullOrWhiteSpace(model) ? "none" : model,
                ["cores"] = Environment.ProcessorCount,
                ["weights"] = System.Text.Json.JsonSerializer.SerializeToNode(engine.Weights),
                ["model_weight"] = engine.HasModel ? options.ModelWeight : null,
                ["impression_model_weight"] = engine.HasModel ? options.ImpressionModelWeight ?? options.ModelWeight : null,
                ["rerank_candidates"] = engine.HasModel ? options.RerankCandidates : null,
                ["generate"] = engine.HasModel ? options.Generate : null,
                ["llm_threads"] = engine.HasModel ? CliChatClients.ThreadsFromEnvironment() : null,
                ["load_average"] = MachineLoad.Averages() ?? "n/a",
                ["retrieval_only"] = retrievalOnly,
            });
            await stdout.WriteLineAsync(
                $"complete: {result.Reports} reports, {result.Sentences} sentences ({result.CorpusReportsLeftOut} evaluated reports left out of the corpus); " +
                $"{CompletionEvaluation.Summary(result)} -> {Path.Combine(outDir, "results.json")}");
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
