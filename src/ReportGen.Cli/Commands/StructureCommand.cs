using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ReportGen.Core.Text;
using ReportGen.Core.RadGraph;
using ReportGen.Pipelines.Prompts;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen structure --input FILE|- [--engine rules|llm|hybrid] [--model ID]</c>: prints the radgraph-layout
/// JSON (<c>{"0": {...}}</c>) of one report, or for <c>.jsonl</c> input (<c>{"id","text"}</c> per line) one line
/// <c>{"id": ..., "0": {...}}</c> per report. Bad input: a message on stderr and exit 2.
/// </summary>
internal static class StructureCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "Report file (.txt, or .jsonl with {\"id\",\"text\"} per line); - for stdin", Required = true };
        var engine = new Option<string>("--engine") { Description = "rules | llm | hybrid", DefaultValueFactory = _ => "rules" };
        var model = new Option<string?>("--model") { Description = "Model id from models/models.json for the llm and hybrid engines" };
        var jsonl = new Option<bool>("--jsonl") { Description = "Read JSONL even when the input name does not end in .jsonl (e.g. stdin)" };
        var command = new Command("structure", "Structure a report: sections, RadGraph entities and relations") { input, engine, model, jsonl };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(input)!, parse.GetValue(engine)!, parse.GetValue(model), parse.GetValue(jsonl),
            Console.In, Console.Out, Console.Error, ct));
        return command;
    }

    /// <summary>Runs the verb; <paramref name="chatFactory"/> makes the chat client for the LLM engines (default <see cref="CliChatClients.Create"/>).</summary>
    internal static async Task<int> RunAsync(string input, string engineName, string? modelId, bool forceJsonl, TextReader stdin, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken, Func<string?, IChatClient?>? chatFactory = null)
    {
        if (StructuringEngines.Parse(engineName) is not { } engine)
        {
            await stderr.WriteLineAsync($"reportgen structure: unknown engine '{engineName}' (rules, llm or hybrid)").ConfigureAwait(false);
            return 2;
        }
        if (await CliChatClients.ForEngineAsync(engine != StructuringEngine.Rules, modelId, "structure", chatFactory, stderr).ConfigureAwait(false) is not { } model) return 1;
        var service = new StructuringService(model.Chat, model.Prompts, new StructuringOptions { ModelId = modelId });

        string content;
        try
        {
            content = input == "-" ? await stdin.ReadToEndAsync(cancellationToken).ConfigureAwait(false) : await ReadFileAsync(input, service.Options.MaxTextBytes, forceJsonl || IsJsonl(input), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ReportTextException)
        {
            await stderr.WriteLineAsync($"reportgen structure: cannot read input: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        try
        {
            if (forceJsonl || IsJsonl(input)) return await RunJsonlAsync(service, engine, content, stdout, stderr, cancellationToken).ConfigureAwait(false);
            var result = await service.StructureAsync(content, engine, cancellationToken).ConfigureAwait(false);
            if (engine != StructuringEngine.Rules) await stderr.WriteLineAsync(Describe(result.Diagnostics)).ConfigureAwait(false);
            foreach (var warning in result.Warnings) await stderr.WriteLineAsync($"reportgen structure: warning: {warning}").ConfigureAwait(false);
            await stdout.WriteLineAsync(Output(null, result).ToJsonString(RadGraphDocument.JsonOptions)).ConfigureAwait(false);
            return 0;
        }
        catch (ReportTextException ex)
        {
            await stderr.WriteLineAsync($"reportgen structure: bad input ({ex.Code}): {ex.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    private static async Task<int> RunJsonlAsync(StructuringService service, StructuringEngine engine, string content, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var bad = 0;
        var lineNumber = 0;
        foreach (var rawLine in content.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0) continue;
            JsonNode? id;
            string? text;
            try
            {
                var node = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
                id = node["id"]?.DeepClone();
                text = node["text"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            }
            catch (JsonException)
            {
                bad++;
                await stderr.WriteLineAsync($"reportgen structure: line {lineNumber}: not a JSON object with \"id\" and \"text\"").ConfigureAwait(false);
                continue;
            }
            try
            {
                var result = await service.StructureAsync(text, engine, cancellationToken).ConfigureAwait(false);
                foreach (var warning in result.Warnings) await stderr.WriteLineAsync($"reportgen structure: line {lineNumber}: warning: {warning}").ConfigureAwait(false);
                await stdout.WriteLineAsync(Output(id, result).ToJsonString(RadGraphDocument.JsonOptions)).ConfigureAwait(false);
            }
            catch (ReportTextException ex)
            {
                bad++;
                await stderr.WriteLineAsync($"reportgen structure: line {lineNumber}: bad input ({ex.Code}): {ex.Message}").ConfigureAwait(false);
            }
        }
        return bad == 0 ? 0 : 2;
    }

    // The radgraph layout ({"id"?, "0": ...}); llm and hybrid results add the prompt file that produced them.
    internal static JsonObject Output(JsonNode? id, StructuringResult result)
    {
        var output = new JsonObject();
        if (id is not null) output["id"] = id;
        output["0"] = JsonSerializer.SerializeToNode(result.RadGraph, RadGraphDocument.JsonOptions);
        if (result.Prompt is { } prompt) output["prompt"] = JsonSerializer.SerializeToNode(prompt);
        return output;
    }

    // Counts only, never report text: what the model gave and what alignment/hybrid kept.
    internal static string Describe(StructuringDiagnostics d) =>
        $"structure: model entities {d.ModelEntities}, aligned {d.AlignedEntities}, dropped: spans {d.DroppedInvalidSpans}, labels {d.DroppedInvalidLabels}, " +
        $"duplicates {d.DroppedDuplicates}, relations {d.DroppedRelations}{(d.ModelOutputUnreadable ? ", output unreadable" : "")}{(d.ModelOutputTruncated ? ", output truncated at the token limit" : "")}; " +
        $"hybrid: kept {d.HybridKeptModelEntities}, relabelled {d.HybridRelabelledModelEntities}, rejected {d.HybridRejectedModelEntities}, added from rules {d.HybridAddedRuleEntities}";

    private static bool IsJsonl(string path) => path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);

    // A single report larger than the limit is refused before it is read into memory.
    private static async Task<string> ReadFileAsync(string path, int maxBytes, bool jsonl, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"no such file: {path}");
        if (!jsonl && info.Length > maxBytes)
            throw new ReportTextException("input", ReportTextProblem.TooLarge, $"report file is larger than the limit of {maxBytes} bytes");
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return new UTF8Encoding(false, false).GetString(bytes);
    }
}
