using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Audit;
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

    /// <summary>Runs the verb; <paramref name="chatFactory"/> makes the chat client for a model id (default <see cref="CliChatClients.Create"/>).</summary>
    internal static async Task<int> RunAsync(JudgeArguments args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, Func<string?, IChatClient?>? chatFactory = null)
    {
        try
        {
            var settings = JudgeSettings.Parse(args.Method, args.GreenFormat, args.MaxTokens, field => "--" + field.Replace('_', '-'));
            var candidate = await ReadAsync(args.CandidatePath, cancellationToken).ConfigureAwait(false);
            var reference = await ReadAsync(args.ReferencePath, cancellationToken).ConfigureAwait(false);
            var start = Stopwatch.GetTimestamp();
            JudgeReport report;
            if (!settings.NeedsModel)
            {
                var rules = await settings.JudgeAsync(candidate, reference, new RulesJudge(TaxonomyLibrary.LoadDefault().Get("chexpert14")), null, null, null, cancellationToken).ConfigureAwait(false);
                report = JudgeReport.Of(rules, PipelineProvenance.ForJudge(null, null, Provenance.Since(start)));
            }
            else
            {
                // Every method judges report text: the same check as every pipeline, before any model.
                JudgeSettings.ValidateTexts(candidate, reference);
                if (await CliChatClients.ForEngineAsync(true, args.Model, "judge", chatFactory, stderr).ConfigureAwait(false) is not { Chat: { } chat, Prompts: { } prompts }) return 1;
                using var owned = chat;
                var run = await settings.JudgeAsync(candidate, reference, null, chat, prompts, new StderrLogger(stderr, "reportgen judge"), cancellationToken).ConfigureAwait(false);
                report = JudgeReport.Of(run, PipelineProvenance.ForJudge(prompts[run.PromptName!], CliChatClients.ProvenanceOf(args.Model), Provenance.Since(start)));
            }
            await stdout.WriteLineAsync(JsonSerializer.Serialize(report, JudgeReport.Json)).ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return await FailAsync(stderr, $"cannot read input: {ex.Message}").ConfigureAwait(false);
        }
        catch (JudgeInputException ex) when (ex.Field is "method" or "green_format" or "max_tokens")
        {
            return await FailAsync(stderr, ex.Message).ConfigureAwait(false);
        }
        catch (JudgeInputException ex)
        {
            return await FailAsync(stderr, $"bad report ({ex.Field}): {ex.Message}").ConfigureAwait(false);
        }
        catch (ReportTextException ex)
        {
            return await FailAsync(stderr, $"bad report ({ex.Code}): {ex.Message}").ConfigureAwait(false);
        }
    }

    private static async Task<GroundedReport> ReadAsync(string path, CancellationToken cancellationToken) =>
        GroundedReport.Read(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));

    private static async Task<int> FailAsync(TextWriter stderr, string message)
    {
        await stderr.WriteLineAsync($"reportgen judge: {message}").ConfigureAwait(false);
        return 2;
    }
}
