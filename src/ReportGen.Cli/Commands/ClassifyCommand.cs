using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Core.Text;
using ReportGen.Core.Labels;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen classify --input FILE|- (--taxonomy ID | --labels "A,B,C") [--engine rules|llm] [--model ID] [--language CODE]</c>:
/// prints <c>{"language": ..., "labels": {...}}</c>; a <c>.jsonl</c> input (<c>{"id","text"}</c> per line) gives one
/// line per report with its id. Errors go to stderr with exit 2 (bad input) or 1 (runtime failure).
/// </summary>
internal static class ClassifyCommand
{
    internal sealed record Options(string Input, string? Taxonomy, string? Labels, string Engine, string? Model, string? Language);

    /// <summary>Environment variable naming an OpenAI-compatible server (llama.cpp server, vLLM, another ReportGen) for <c>--engine llm</c>.</summary>
    public const string LlmUrlEnvironmentVariable = "REPORTGEN_LLM_URL";

    public static Command Create()
    {
        var input = new Option<string>("--input") { Description = "Report file (.txt, or .jsonl with {\"id\",\"text\"} per line), or - for stdin", Required = true };
        var taxonomy = new Option<string?>("--taxonomy") { Description = "Taxonomy id (e.g. chexpert14, ctrate18; files in prompts/taxonomies)" };
        var labels = new Option<string?>("--labels") { Description = "Ad-hoc comma-separated labels, e.g. \"Effusion,Nodule\"" };
        var engine = new Option<string>("--engine") { Description = "rules (default, no model) or llm", DefaultValueFactory = _ => "rules" };
        var model = new Option<string?>("--model") { Description = "Model id from models/models.json for --engine llm" };
        var language = new Option<string?>("--language") { Description = "Skip detection and use this language (en, es, fr, da, de, ja)" };
        var command = new Command("classify", "Classify a report against a taxonomy or label list") { input, taxonomy, labels, engine, model, language };
        command.SetAction((parse, ct) => RunAsync(
            new Options(parse.GetValue(input)!, parse.GetValue(taxonomy), parse.GetValue(labels), parse.GetValue(engine) ?? "rules", parse.GetValue(model), parse.GetValue(language)),
            Console.In, Console.Out, Console.Error, ct));
        return command;
    }

    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Runs the verb; <paramref name="chatFactory"/> makes the chat client for <c>--engine llm</c> (default <see cref="CliChatClients.Create"/>).</summary>
    internal static async Task<int> RunAsync(Options options, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken ct,
        Func<string?, IChatClient?>? chatFactory = null)
    {
        if ((options.Taxonomy is null) == (options.Labels is null))
            return await FailAsync(stderr, 2, "give exactly one of --taxonomy ID or --labels \"A,B,C\"");
        if (ClassificationEngines.Parse(options.Engine) is not { } engine)
            return await FailAsync(stderr, 2, $"--engine must be {ClassificationEngines.Names}, not '{options.Engine}'");

        ClassificationService service;
        IReadOnlyList<string>? labelList = null;
        try
        {
            var library = TaxonomyLibrary.LoadDefault();
            if (options.Taxonomy is { } id) library.Get(id);
            if (options.Labels is { } l) labelList = TaxonomyLibrary.FromLabelList(l).LabelNames.ToList();
            if (await CliChatClients.ForEngineAsync(engine == ClassificationEngine.Llm, options.Model, "classify", chatFactory, stderr) is not { } model) return 1;
            service = new ClassificationService(library, model.Chat, model.Prompts);
        }
        catch (ClassificationException ex)
        {
            return await FailAsync(stderr, 2, $"{ex.CodeName}: {ex.Message}");
        }

        List<(string? Id, string? Text, string? Problem)> reports;
        try
        {
            reports = await ReadInputAsync(options.Input, stdin, ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return await FailAsync(stderr, 2, $"cannot read --input: {ex.Message}");
        }
        if (reports.Count == 0) return await FailAsync(stderr, 2, "empty_text: --input holds no reports");
        var jsonl = options.Input.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);
        var failed = false;
        for (var i = 0; i < reports.Count; i++)
        {
            var where = jsonl ? $"line {i + 1}{(reports[i].Id is null ? "" : $" (id {reports[i].Id})")}: " : "";
            var request = new ClassificationRequest { Text = reports[i].Text ?? "", TaxonomyId = options.Taxonomy, Labels = labelList, Engine = engine, Language = options.Language };
            failed |= !await ClassifyOneAsync(service, request, reports[i].Problem, jsonl ? reports[i].Id ?? "" : null, where, stdout, stderr, ct);
        }
        return failed ? 2 : 0;
    }

    // One report: its result on stdout, or one line on stderr naming where it came from; false when it failed.
    private static async Task<bool> ClassifyOneAsync(ClassificationService service, ClassificationRequest request, string? problem, string? id, string where,
        TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        try
        {
            if (problem is not null) throw new InvalidDataException(problem);
            var result = await service.ClassifyAsync(request, ct);
            foreach (var w in result.Warnings) await stderr.WriteLineAsync($"reportgen classify: {where}warning: {w}");
            await stdout.WriteLineAsync(Format(id, result));
            return true;
        }
        catch (InvalidDataException ex)
        {
            await stderr.WriteLineAsync($"reportgen classify: {where}{ex.Message}");
        }
        catch (ClassificationException ex)
        {
            await stderr.WriteLineAsync($"reportgen classify: {where}{ex.CodeName}: {ex.Message}");
        }
        catch (ReportTextException ex)
        {
            await stderr.WriteLineAsync($"reportgen classify: {where}{ex.Code}: {ex.Message}");
        }
        return false;
    }

    private static async Task<int> FailAsync(TextWriter stderr, int code, string message)
    {
        await stderr.WriteLineAsync($"reportgen classify: {message}");
        return code;
    }

    /// <summary>The output contract: {"id"?, "language", "labels": {label: value}} on one line, plus "prompt": {name, sha256} for the llm engine.</summary>
    internal static string Format(string? id, ClassificationResult result)
    {
        var obj = new Dictionary<string, object>();
        if (id is not null) obj["id"] = id;
        obj["language"] = result.Language;
        obj["labels"] = result.Labels.ToDictionary(kv => kv.Key, kv => kv.Value.ToWireName());
        if (result.Prompt is { } prompt) obj["prompt"] = prompt;
        return JsonSerializer.Serialize(obj, Json);
    }

    private static async Task<List<(string? Id, string? Text, string? Problem)>> ReadInputAsync(string input, TextReader stdin, CancellationToken ct)
    {
        var text = input == "-" ? await stdin.ReadToEndAsync(ct) : await File.ReadAllTextAsync(input, ct);
        if (!input.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)) return [(null, text, null)];
        var result = new List<(string?, string?, string?)>();
        foreach (var line in text.Split('\n'))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    result.Add((null, null, "invalid_line: not a JSON object"));
                    continue;
                }
                var id = root.TryGetProperty("id", out var idEl) ? (idEl.ValueKind == JsonValueKind.String ? idEl.GetString() : idEl.GetRawText()) : null;
                if (!root.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
                {
                    result.Add((id, null, "invalid_line: missing string field 'text'"));
                    continue;
                }
                result.Add((id, t.GetString(), null));
            }
            catch (JsonException)
            {
                result.Add((null, null, "invalid_line: not valid JSON"));
            }
        }
        return result;
    }
}
