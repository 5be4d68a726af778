using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Judging;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Cli.Commands;

/// <summary>What one <c>reportgen judge</c> run is asked to do.</summary>
/// <param name="CandidatePath">Candidate report: plain text, or grounded JSON <c>{"findings": [{"text", "boxes"}]}</c>.</param>
/// <param name="ReferencePath">Reference report, in either form.</param>
/// <param name="Method">green, radfact, chexprompt or rules.</param>
/// <param name="Model">Model id or GGUF path for the LLM methods.</param>
/// <param name="GreenFormat">json (judge-green) or native (judge-green-native, GREEN's bracketed text).</param>
/// <param name="MaxTokens">Overrides the prompt's max_tokens (small models).</param>
internal sealed record JudgeArguments(string CandidatePath, string ReferencePath, string Method, string? Model, string GreenFormat = "json", int? MaxTokens = null);

/// <summary>
/// <c>reportgen judge --candidate FILE --reference FILE --method green|radfact|chexprompt|rules [--model ID]
/// [--green-format json|native] [--max-tokens N]</c>: prints one JSON object <c>{"method", "score" (number or null),
/// "status", ...per-category counts, "provenance"}</c>. rules needs no model; the others need a chat model.
/// Inputs are plain text or the drafting pipeline's grounded findings (radfact then scores grounding and spatial
/// precision/recall too; the other methods judge the findings' text).
/// </summary>
internal static class JudgeCommand
{
    /// <summary>Creates the chat client for a model id (wired by the host; null when no LLM runtime is available).</summary>
    internal static Func<string?, IChatClient?> ChatClientFactory { get; set; } = CliChatClients.Create;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var command = new Command("judge", "Score a candidate report against a reference");
        var candidate = new Option<string>("--candidate") { Description = "Candidate report file (text, or grounded JSON {\"findings\":[{\"text\",\"boxes\"}]})", Required = true };
        var reference = new Option<string>("--reference") { Description = "Reference report file (text or grounded JSON)", Required = true };
        var method = new Option<string>("--method") { Description = "green | radfact | chexprompt | rules", DefaultValueFactory = _ => "rules" };
        var model = new Option<string?>("--model") { Description = "Model id from models/models.json (or a GGUF path) for the LLM judges" };
        var format = new Option<string>("--green-format") { Description = "green only: json (judge-green) or native (judge-green-native)", DefaultValueFactory = _ => "json" };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Overrides the judge prompt's max_tokens" };
        command.Options.Add(candidate);
        command.Options.Add(reference);
        command.Options.Add(method);
        command.Options.Add(model);
        command.Options.Add(format);
        command.Options.Add(maxTokens);
        command.SetAction((parse, ct) => RunAsync(
            new JudgeArguments(parse.GetValue(candidate)!, parse.GetValue(reference)!, parse.GetValue(method)!, parse.GetValue(model), parse.GetValue(format)!, parse.GetValue(maxTokens)),
            Console.Out, Console.Error, ct));
        return command;
    }

    internal static Task<int> RunAsync(string candidatePath, string referencePath, string method, string? modelId, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        RunAsync(new JudgeArguments(candidatePath, referencePath, method, modelId), stdout, stderr, cancellationToken);

    internal static async Task<int> RunAsync(JudgeArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, Func<string?, IChatClient?>? chatFactory = null)
    {
        var method = args.Method.Trim().ToLowerInvariant();
        if (method is not ("green" or "radfact" or "chexprompt" or "rules"))
        {
            await stderr.WriteLineAsync($"reportgen judge: unknown method '{method}' (green, radfact, chexprompt or rules)").ConfigureAwait(false);
            return 2;
        }
        var greenFormat = args.GreenFormat.Trim().ToLowerInvariant();
        if (greenFormat is not ("json" or "native"))
        {
            await stderr.WriteLineAsync($"reportgen judge: --green-format must be json or native, not '{args.GreenFormat}'").ConfigureAwait(false);
            return 2;
        }
        if (args.MaxTokens is <= 0)
        {
            await stderr.WriteLineAsync("reportgen judge: --max-tokens must be positive").ConfigureAwait(false);
            return 2;
        }

        GroundedReport candidate, reference;
        try
        {
            candidate = GroundedReport.Read(await File.ReadAllTextAsync(args.CandidatePath, cancellationToken).ConfigureAwait(false));
            reference = GroundedReport.Read(await File.ReadAllTextAsync(args.ReferencePath, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"reportgen judge: cannot read input: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (JudgeInputException ex)
        {
            await stderr.WriteLineAsync($"reportgen judge: bad report ({ex.Field}): {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        var start = Stopwatch.GetTimestamp();
        Dictionary<string, object?> result;
        try
        {
            // Every method, LLM ones included, judges report text only: the same check as every pipeline, before any model.
            ReportText.Validate(candidate.Text, "candidate");
            ReportText.Validate(reference.Text, "reference");
            if (method == "rules")
            {
                result = JudgeOutput.Rules(new RulesJudge(TaxonomyLibrary.LoadDefault().Get("chexpert14")).Judge(candidate.Text, reference.Text));
                result["provenance"] = Provenance("rules", null, null, start, "rules-radgraph + rules-labeler chexpert14");
            }
            else
            {
                // The prompt files first: a result must name the prompt that produced it (no built-in fallback).
                if (CliPrompts.Load("judge", stderr) is not { } prompts) return 1;
                var chat = (chatFactory ?? ChatClientFactory)(args.Model);
                if (chat is null)
                {
                    await stderr.WriteLineAsync($"reportgen judge: the {method} method needs a chat model runtime; none is available (pass --model, set {CliChatClients.LlmUrlEnvironmentVariable}, or use --method rules)").ConfigureAwait(false);
                    return 1;
                }
                using (chat)
                {
                    switch (method)
                    {
                        case "green":
                        {
                            var judge = new GreenJudge(chat, prompts, args.MaxTokens, greenFormat == "native" ? GreenOutputFormat.Native : GreenOutputFormat.Json);
                            result = JudgeOutput.Green(await judge.JudgeAsync(candidate.Text, reference.Text, cancellationToken).ConfigureAwait(false));
                            result["provenance"] = Provenance("llm", prompts[judge.Prompt], args.Model, start, null);
                            break;
                        }
                        case "chexprompt":
                        {
                            var c = await new CheXpromptJudge(chat, prompts, args.MaxTokens).JudgeAsync(candidate.Text, reference.Text, cancellationToken).ConfigureAwait(false);
                            result = JudgeOutput.CheXprompt(c);
                            result["provenance"] = Provenance("llm", prompts[CheXpromptJudge.PromptName], args.Model, start, null);
                            break;
                        }
                        default:
                        {
                            var r = await new RadFactJudge(chat, prompts, args.MaxTokens).JudgeAsync(candidate, reference, cancellationToken).ConfigureAwait(false);
                            result = JudgeOutput.RadFact(r, candidate.IsGrounded, reference.IsGrounded);
                            result["provenance"] = Provenance("llm", prompts[RadFactJudge.PromptName], args.Model, start, null);
                            break;
                        }
                    }
                }
            }
        }
        catch (ReportTextException ex)
        {
            await stderr.WriteLineAsync($"reportgen judge: bad report ({ex.Code}): {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        await stdout.WriteLineAsync(JsonSerializer.Serialize(result, Json)).ConfigureAwait(false);
        return 0;
    }

    private static Dictionary<string, object?> Provenance(string engine, PromptTemplate? prompt, string? model, long start, string? ruleset) => new()
    {
        ["engine"] = engine,
        ["prompt"] = prompt is null ? null : new Dictionary<string, string> { ["name"] = prompt.Name, ["sha256"] = prompt.ContentHash },
        // A remote server's URL may carry credentials: name the source, not the URL.
        ["model"] = model ?? (engine == "llm" ? $"remote ({CliChatClients.LlmUrlEnvironmentVariable})" : null),
        ["ruleset"] = ruleset,
        ["elapsed_ms"] = Math.Round(Stopwatch.GetElapsedTime(start).TotalMilliseconds, 3),
        ["generated_at"] = DateTimeOffset.UtcNow,
    };
}
