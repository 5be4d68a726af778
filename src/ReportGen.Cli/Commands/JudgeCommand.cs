using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Judging;
using ReportGen.Pipelines.Prompts;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen judge --candidate FILE --reference FILE --method green|radfact|chexprompt|rules [--model ID]</c>:
/// prints <c>{"method", "score", ...counts}</c>. rules needs no model; green needs a chat model.
/// </summary>
internal static class JudgeCommand
{
    /// <summary>Creates the chat client for a model id (wired by the host; null when no LLM runtime is available).</summary>
    internal static Func<string?, IChatClient?> ChatClientFactory { get; set; } = CliChatClients.Create;

    public static Command Create()
    {
        var command = new Command("judge", "Score a candidate report against a reference");
        var candidate = new Option<string>("--candidate") { Description = "Candidate report file", Required = true };
        var reference = new Option<string>("--reference") { Description = "Reference report file", Required = true };
        var method = new Option<string>("--method") { Description = "green | radfact | chexprompt | rules", DefaultValueFactory = _ => "rules" };
        var model = new Option<string?>("--model") { Description = "Model id from models/models.json for the LLM judges" };
        command.Options.Add(candidate);
        command.Options.Add(reference);
        command.Options.Add(method);
        command.Options.Add(model);
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(candidate)!, parse.GetValue(reference)!, parse.GetValue(method)!, parse.GetValue(model), Console.Out, Console.Error, ct));
        return command;
    }

    internal static async Task<int> RunAsync(string candidatePath, string referencePath, string method, string? modelId, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        method = method.Trim().ToLowerInvariant();
        if (method is not ("green" or "radfact" or "chexprompt" or "rules"))
        {
            await stderr.WriteLineAsync($"reportgen judge: unknown method '{method}' (green, radfact, chexprompt or rules)").ConfigureAwait(false);
            return 2;
        }
        string candidate, reference;
        try
        {
            candidate = await File.ReadAllTextAsync(candidatePath, cancellationToken).ConfigureAwait(false);
            reference = await File.ReadAllTextAsync(referencePath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"reportgen judge: cannot read input: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        object result;
        try
        {
            // Every method, LLM ones included, judges report text only: the same check as every pipeline.
            ReportText.Validate(candidate, "candidate");
            ReportText.Validate(reference, "reference");
            switch (method)
            {
                case "rules":
                {
                    var j = new RulesJudge(TaxonomyLibrary.LoadDefault().Get("chexpert14")).Judge(candidate, reference);
                    result = new Dictionary<string, object?>
                    {
                        ["method"] = "rules", ["score"] = j.Score, ["matched_findings"] = j.MatchedFindings,
                        ["false_findings"] = j.FalseFindings, ["missed_findings"] = j.MissedFindings,
                        ["location_mismatches"] = j.LocationMismatches, ["severity_mismatches"] = j.SeverityMismatches,
                        ["false_labels"] = j.FalseLabels, ["missed_labels"] = j.MissedLabels,
                    };
                    break;
                }
                case "green":
                {
                    var chat = ChatClientFactory(modelId);
                    if (chat is null)
                    {
                        await stderr.WriteLineAsync("reportgen judge: the green method needs a chat model runtime; none is available (use --method rules)").ConfigureAwait(false);
                        return 1;
                    }
                    var g = await new GreenJudge(chat, PromptLibrary.LoadDefault()).JudgeAsync(candidate, reference, cancellationToken).ConfigureAwait(false);
                    result = new Dictionary<string, object?>
                    {
                        ["method"] = "green", ["score"] = g.Score, ["status"] = g.Parsed ? "parsed" : "unparseable", ["problem"] = g.Problem,
                        ["matched_findings"] = g.MatchedFindings, ["significant_errors"] = g.Significant, ["insignificant_errors"] = g.Insignificant,
                    };
                    break;
                }
                case "chexprompt":
                {
                    var chat = ChatClientFactory(modelId);
                    if (chat is null)
                    {
                        await stderr.WriteLineAsync("reportgen judge: the chexprompt method needs a chat model runtime; none is available (use --method rules)").ConfigureAwait(false);
                        return 1;
                    }
                    var c = await new CheXpromptJudge(chat, PromptLibrary.LoadDefault()).JudgeAsync(candidate, reference, cancellationToken).ConfigureAwait(false);
                    // score = Σ clinically significant errors (CheXprompt's headline; lower is better), null when unparseable.
                    result = new Dictionary<string, object?>
                    {
                        ["method"] = "chexprompt", ["score"] = c.SignificantTotal, ["status"] = c.Parsed ? "parsed" : "unparseable", ["problem"] = c.Problem,
                        ["significant_errors"] = c.Significant, ["insignificant_errors"] = c.Insignificant,
                    };
                    break;
                }
                default:
                {
                    var chat = ChatClientFactory(modelId);
                    if (chat is null)
                    {
                        await stderr.WriteLineAsync("reportgen judge: the radfact method needs a chat model runtime; none is available (use --method rules)").ConfigureAwait(false);
                        return 1;
                    }
                    var r = await new RadFactJudge(chat, PromptLibrary.LoadDefault()).JudgeAsync(candidate, reference, cancellationToken).ConfigureAwait(false);
                    result = new Dictionary<string, object?>
                    {
                        ["method"] = "radfact", ["score"] = r.LogicalF1, ["logical_precision"] = r.LogicalPrecision, ["logical_recall"] = r.LogicalRecall,
                        ["candidate_phrases"] = r.CandidateVerdicts.Count, ["reference_phrases"] = r.ReferenceVerdicts.Count, ["failures"] = r.Failures,
                    };
                    break;
                }
            }
        }
        catch (ReportTextException ex)
        {
            await stderr.WriteLineAsync($"reportgen judge: bad report ({ex.Code}): {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        await stdout.WriteLineAsync(JsonSerializer.Serialize(result)).ConfigureAwait(false);
        return 0;
    }
}
