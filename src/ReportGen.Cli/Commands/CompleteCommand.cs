using System.CommandLine;
using System.Text.Json;
using ReportGen.Core.Completion;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen complete --context TEXT [--prefix TEXT] [--anchors "w1,w2"] [--k 3] [--corpus NAME|PATH] [--model ID|none] [--section findings|impression]</c>:
/// prints <c>{"suggestions": [{"text", "score", "source", "count"}]}</c>.
/// </summary>
internal static class CompleteCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create()
    {
        var context = new Option<string>("--context") { Description = "The report so far", Required = true };
        var prefix = new Option<string?>("--prefix") { Description = "The partial sentence typed so far" };
        var anchors = new Option<string?>("--anchors") { Description = "Comma-separated words the suggestion should contain" };
        var k = new Option<int>("--k") { Description = "Number of suggestions (1..20)", DefaultValueFactory = _ => 3 };
        var corpus = new Option<string?>("--corpus") { Description = "Corpus name, or a .jsonl / .txt folder / .rgsi path (default: iu-xray)" };
        var model = new Option<string?>("--model") { Description = "Model id for re-ranking, or none", DefaultValueFactory = _ => "none" };
        var section = new Option<string?>("--section") { Description = "The section being written: findings or impression" };
        var command = new Command("complete", "Suggest the next sentence of a report (or finish the one being typed)")
        {
            context, prefix, anchors, k, corpus, model, section,
        };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(context)!, parse.GetValue(prefix), parse.GetValue(anchors), parse.GetValue(k),
            parse.GetValue(corpus), parse.GetValue(model), Console.Out, Console.Error, ct, parse.GetValue(section)));
        return command;
    }

    /// <summary>Runs one completion; 0 ok, 2 bad input, 1 runtime failure.</summary>
    internal static async Task<int> RunAsync(string context, string? prefix, string? anchors, int k, string? corpus, string? model,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken, string? section = null)
    {
        try
        {
            // Checked before the corpus and the model load: a misspelt section is a usage error.
            var sectionKind = CompletionSections.Parse(section);
            var (registry, corpusName) = CompletionCli.Registry(corpus);
            var engine = CompletionCli.Engine(registry, model);
            var anchorList = anchors?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var result = await engine.CompleteAsync(new CompletionRequest(context, prefix, anchorList, k, corpusName, sectionKind), cancellationToken);
            var payload = new
            {
                suggestions = result.Suggestions.Select(s => new { text = s.Text, score = s.Score, source = s.Source, count = s.Count }),
                corpus = result.Corpus,
                reranked = result.Reranked,
            };
            await stdout.WriteLineAsync(JsonSerializer.Serialize(payload, Json));
            return 0;
        }
        catch (CompletionInputException ex)
        {
            await stderr.WriteLineAsync($"reportgen complete: {ex.Field}: {ex.Message.Split(" (Parameter")[0]}");
            return 2;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"reportgen complete: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }
}
