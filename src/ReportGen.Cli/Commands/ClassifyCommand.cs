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

    /// <summary>Builds the chat client for <c>--engine llm</c> (see <see cref="CliChatClients"/>).</summary>
    internal static Func<string?, IChatClient?> ChatClientFactory { get; set; } = CliChatClients.Create;

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

    internal static async Task<int> RunAsync(Options options, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if ((options.Taxonomy is null) == (options.Labels is null))
        {
            await stderr.WriteLineAsync("reportgen classify: give exactly one of --taxonomy ID or --labels \"A,B,C\"");
            return 2;
        }
        ClassificationEngine engine;
        switch (options.Engine.Trim().ToLowerInvariant())
        {
            case "rules": engine = ClassificationEngine.Rules; break;
            case "llm": engine = ClassificationEngine.Llm; break;
            default:
                await stderr.WriteLineAsync("reportgen classify: --engine must be rules or llm");
                return 2;
        }

        ClassificationService service;
        IReadOnlyList<string>? labelList = null;
        try
        {
            var library = TaxonomyLibrary.LoadDefault();
            if (options.Taxonomy is { } id) library.Get(id);
            if (options.Labels is { } l) labelList = TaxonomyLibrary.FromLabelList(l).LabelNames.ToList();
            IChatClient? chat = null;
            if (engine == ClassificationEngine.Llm)
            {
                chat = ChatClientFactory(options.Model);
                if (chat is null)
                {
                    await stderr.WriteLineAsync($"reportgen classify: the llm engine needs a chat model: pass --model ID (a GGUF from models/models.json) or set {LlmUrlEnvironmentVariable} to an OpenAI-compatible server");
                    return 1;
                }
            }
            PromptLibrary? prompts = null;
            if (chat is not null && (prompts = CliPrompts.Load("classify", stderr)) is null) return 1;
            service = new ClassificationService(library, chat, prompts);
        }
        catch (ClassificationException ex)
        {
            await stderr.WriteLineAsync($"reportgen classify: {ex.CodeName}: {ex.Message}");
            return 2;
        }

        List<(string? Id, string? Text, string? Problem)> reports;
        try
        {
            reports = await ReadInputAsync(options.Input, stdin, ct);
        }
        catch (IOException ex)
        {
            await stderr.WriteLineAsync($"reportgen classify: cannot read --input: {ex.Message}");
            return 2;
        }
        catch (UnauthorizedAccessException ex)
        {
            await stderr.WriteLineAsync($"reportgen classify: cannot read --input: {ex.Message}");
            return 2;
        }

        var jsonl = options.Input.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase);
        if (reports.Count == 0)
        {
            await stderr.WriteLineAsync("reportgen classify: empty_text: --input holds no reports");
            return 2;
        }
        var failed = false;
        for (var i = 0; i < reports.Count; i++)
        {
            var (id, text, problem) = reports[i];
            var where = jsonl ? $"line {i + 1}{(id is null ? "" : $" (id {id})")}: " : "";
            if (problem is not null)
            {
                await stderr.WriteLineAsync($"reportgen classify: {where}{problem}");
                failed = true;
                continue;
            }
            try
            {
                var result = await service.ClassifyAsync(new ClassificationRequest
                {
                    Text = text!,
                    TaxonomyId = options.Taxonomy,
                    Labels = labelList,
                    Engine = engine,
                    Language = options.Language,
                }, ct);
                foreach (var w in result.Warnings) await stderr.WriteLineAsync($"reportgen classify: {where}warning: {w}");
                await stdout.WriteLineAsync(Format(jsonl ? id ?? "" : null, result));
            }
            catch (ClassificationException ex)
            {
                await stderr.WriteLineAsync($"reportgen classify: {where}{ex.CodeName}: {ex.Message}");
                failed = true;
            }
            catch (ReportTextException ex)
            {
                await stderr.WriteLineAsync($"reportgen classify: {where}{ex.Code}: {ex.Message}");
                failed = true;
            }
        }
        return failed ? 2 : 0;
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
