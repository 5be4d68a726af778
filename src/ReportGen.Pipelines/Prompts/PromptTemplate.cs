using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HandlebarsDotNet;
using Microsoft.Extensions.AI;
using ReportGen.Core.Json;
using YamlDotNet.Core;

namespace ReportGen.Pipelines.Prompts;

/// <summary>
/// One prompt file in Semantic Kernel's prompt-YAML schema (<c>name</c>, <c>description</c>,
/// <c>template_format: handlebars</c>, <c>template</c> with <c>&lt;message role="..."&gt;</c> blocks,
/// <c>input_variables</c>, <c>execution_settings</c>), compiled once and rendered into chat messages.
/// </summary>
/// <remarks>
/// Values are inserted verbatim, never HTML-escaped; report text containing "&lt;message" stays inside its
/// message. Templates must insert values with <c>{{x}}</c>: the unescaped forms <c>{{{x}}}</c> and <c>{{&amp;x}}</c>
/// could let a value open a message block and are refused at load. Literal "&amp;lt;" in the template text
/// reads as "&lt;" (as in Semantic Kernel, whose message tags are XML).
/// </remarks>
public sealed class PromptTemplate
{
    private readonly HandlebarsTemplate<object, object> _compiled;

    private PromptTemplate(string name, string description, string template, IReadOnlyList<PromptInputVariable> inputVariables,
        PromptExecutionSettings executionSettings, string source, string contentHash, HandlebarsTemplate<object, object> compiled)
    {
        Name = name;
        Description = description;
        Template = template;
        InputVariables = inputVariables;
        ExecutionSettings = executionSettings;
        Source = source;
        ContentHash = contentHash;
        _compiled = compiled;
    }

    /// <summary>The prompt's name (<c>name</c>), unique within a <see cref="PromptLibrary"/>.</summary>
    public string Name { get; }

    /// <summary><c>description</c>.</summary>
    public string Description { get; }

    /// <summary>The Handlebars template text.</summary>
    public string Template { get; }

    /// <summary><c>input_variables</c> in file order.</summary>
    public IReadOnlyList<PromptInputVariable> InputVariables { get; }

    /// <summary><c>execution_settings.default</c>.</summary>
    public PromptExecutionSettings ExecutionSettings { get; }

    /// <summary>The JSON schema the model's answer must follow (from <c>response_format</c>), or null; check answers with <see cref="JsonSchemaValidator"/>.</summary>
    public JsonElement? ResponseSchema => ExecutionSettings.ResponseSchema;

    /// <summary>The file it was loaded from (or the source name given to <see cref="Parse"/>).</summary>
    public string Source { get; }

    /// <summary>Lower-case hex SHA-256 of the file's bytes: which prompt produced a result (provenance, eval comparisons).</summary>
    public string ContentHash { get; }

    /// <summary>Loads and validates one prompt file.</summary>
    /// <exception cref="PromptFileException">The file is not a valid prompt file; the message names the file and the problem.</exception>
    public static PromptTemplate Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PromptFileException(path, $"cannot be read ({e.GetType().Name})");
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses and validates prompt-YAML text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="PromptFileException">The text is not a valid prompt file.</exception>
    public static PromptTemplate Parse(string yaml, string source) => Parse(Encoding.UTF8.GetBytes(yaml), source);

    private static PromptTemplate Parse(byte[] bytes, string source)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        JsonElement root;
        try
        {
            root = YamlToJson.Parse(new UTF8Encoding(false, true).GetString(bytes).TrimStart('\uFEFF'));
        }
        catch (YamlException e)
        {
            throw new PromptFileException(source, $"invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        catch (DecoderFallbackException)
        {
            throw new PromptFileException(source, "is not UTF-8 text");
        }
        return FromDocument(root, source, hash);
    }

    /// <summary>
    /// Renders the template into chat messages. Missing variables take their <c>default</c>; a required one with
    /// neither a value nor a default is an error naming it. Values may be strings, numbers, lists, dictionaries,
    /// records or <see cref="JsonElement"/>s.
    /// </summary>
    /// <exception cref="PromptRenderException">A required variable is missing, or the rendered text has malformed message blocks.</exception>
    public IReadOnlyList<ChatMessage> Render(IReadOnlyDictionary<string, object?> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var context = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in arguments) context[name] = TemplateValues.From(value);
        foreach (var variable in InputVariables)
        {
            if (context.TryGetValue(variable.Name, out var given) && given is not null) continue;
            if (variable.Default is { } fallback) context[variable.Name] = TemplateValues.From(fallback);
            else if (variable.IsRequired) throw new PromptRenderException(Name, $"required variable '{variable.Name}' was not given");
        }
        string text;
        try
        {
            text = _compiled(context);
        }
        catch (HandlebarsException e)
        {
            throw new PromptRenderException(Name, $"rendering failed: {e.GetType().Name}");
        }
        try
        {
            return MessageBlocks.Split(text);
        }
        catch (FormatException e)
        {
            throw new PromptRenderException(Name, e.Message);
        }
    }

    /// <summary>A fresh <see cref="ChatOptions"/> from <see cref="ExecutionSettings"/> (temperature, max tokens, top-p, stop sequences, JSON-schema response format...).</summary>
    public ChatOptions CreateChatOptions() => ExecutionSettings.ToChatOptions();

    private static readonly HashSet<string> TopLevelKeys = new(StringComparer.Ordinal)
    {
        "name", "description", "template_format", "template", "input_variables", "output_variable", "execution_settings",
        "allow_dangerously_set_content",
    };

    private static PromptTemplate FromDocument(JsonElement root, string source, string hash)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new PromptFileException(source, "the YAML document must be a mapping");
        foreach (var property in root.EnumerateObject())
        {
            if (!TopLevelKeys.Contains(property.Name)) throw new PromptFileException(source, $"unknown key '{property.Name}'");
        }
        var name = RequiredString(root, "name", source);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new PromptFileException(source, $"name '{name}' may hold only letters, digits, '_', '-' and '.'");
        }
        var format = OptionalString(root, "template_format", source);
        if (format != "handlebars")
        {
            throw new PromptFileException(source, format is null
                ? "template_format is missing (only 'handlebars' is supported)"
                : $"unknown template_format '{format}' (only 'handlebars' is supported)");
        }
        if (root.TryGetProperty("allow_dangerously_set_content", out var dangerous) && dangerous.ValueKind == JsonValueKind.True)
        {
            throw new PromptFileException(source, "allow_dangerously_set_content is not supported: values are always kept inside their message");
        }
        var template = RequiredString(root, "template", source);
        var variables = ReadVariables(root, source);
        CheckTemplateVariables(template, variables, source);
        var settings = ReadExecutionSettings(root, source);
        HandlebarsTemplate<object, object> compiled;
        try
        {
            compiled = Engine.Compile(template);
        }
        catch (HandlebarsException e)
        {
            throw new PromptFileException(source, $"template does not compile: {e.Message}");
        }
        return new PromptTemplate(name, OptionalString(root, "description", source) ?? "", template, variables, settings, source, hash, compiled);
    }

    // One engine for all prompts: values escaped only as far as message blocks need (see MessageBlocks.Encoder).
    private static readonly IHandlebars Engine = Handlebars.Create(new HandlebarsConfiguration
    {
        TextEncoder = new MessageBlocks.Encoder(),
        ThrowOnUnresolvedBindingExpression = false,
    });

    private static IReadOnlyList<PromptInputVariable> ReadVariables(JsonElement root, string source)
    {
        if (!root.TryGetProperty("input_variables", out var list) || list.ValueKind == JsonValueKind.Null) return [];
        if (list.ValueKind != JsonValueKind.Array) throw new PromptFileException(source, "input_variables must be a list");
        var variables = new List<PromptInputVariable>();
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) throw new PromptFileException(source, "each input_variables entry must be a mapping");
            foreach (var property in item.EnumerateObject())
            {
                if (property.Name is not ("name" or "description" or "is_required" or "default" or "json_schema" or "allow_dangerously_set_content"))
                {
                    throw new PromptFileException(source, $"unknown key '{property.Name}' in input_variables");
                }
            }
            var name = RequiredString(item, "name", source, "input_variables entry");
            if (variables.Any(v => v.Name == name)) throw new PromptFileException(source, $"input variable '{name}' is declared twice");
            var isRequired = item.TryGetProperty("is_required", out var r) ? r.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new PromptFileException(source, $"is_required of input variable '{name}' must be true or false"),
            } : true; // Semantic Kernel's default
            JsonElement? fallback = item.TryGetProperty("default", out var d) && d.ValueKind != JsonValueKind.Null ? d.Clone() : null;
            variables.Add(new PromptInputVariable(name, OptionalString(item, "description", source), isRequired, fallback));
        }
        return variables;
    }

    private static void CheckTemplateVariables(string template, IReadOnlyList<PromptInputVariable> variables, string source)
    {
        if (template.Contains("{{{", StringComparison.Ordinal) || template.Contains("{{&", StringComparison.Ordinal) || template.Contains("{{~&", StringComparison.Ordinal))
        {
            throw new PromptFileException(source, "the template uses unescaped output ({{{x}}} or {{&x}}); use {{x}}, which never HTML-escapes but keeps values inside their message");
        }
        var used = TemplateVariables.TopLevel(template);
        foreach (var name in used.Where(u => variables.All(v => v.Name != u)).Order(StringComparer.Ordinal))
        {
            throw new PromptFileException(source, $"the template uses '{name}', which is not declared in input_variables");
        }
        foreach (var variable in variables)
        {
            if (!used.Contains(variable.Name) && !template.Contains(variable.Name, StringComparison.Ordinal))
            {
                throw new PromptFileException(source, $"input variable '{variable.Name}' is declared but the template never uses it");
            }
        }
    }

    private static PromptExecutionSettings ReadExecutionSettings(JsonElement root, string source)
    {
        if (!root.TryGetProperty("execution_settings", out var all) || all.ValueKind == JsonValueKind.Null) return new PromptExecutionSettings();
        if (all.ValueKind != JsonValueKind.Object) throw new PromptFileException(source, "execution_settings must be a mapping of service id to settings");
        if (!all.TryGetProperty("default", out var s)) return new PromptExecutionSettings();
        if (s.ValueKind != JsonValueKind.Object) throw new PromptFileException(source, "execution_settings.default must be a mapping");
        foreach (var property in s.EnumerateObject())
        {
            if (!PromptExecutionSettings.Keys.Contains(property.Name)) throw new PromptFileException(source, $"unknown key '{property.Name}' in execution_settings.default");
        }

        double? Number(string key) => s.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw new PromptFileException(source, $"execution_settings.default.{key} must be a number")
            : null;
        long? Integer(string key) => s.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 0 ? n : throw new PromptFileException(source, $"execution_settings.default.{key} must be a non-negative integer")
            : null;

        List<string>? stops = null;
        if (s.TryGetProperty("stop_sequences", out var stopList) && stopList.ValueKind != JsonValueKind.Null)
        {
            if (stopList.ValueKind != JsonValueKind.Array || stopList.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
            {
                throw new PromptFileException(source, "execution_settings.default.stop_sequences must be a list of strings");
            }
            stops = stopList.EnumerateArray().Select(x => x.GetString()!).ToList();
        }
        var (format, schema, schemaName) = ReadResponseFormat(s, source);
        var maxTokens = Integer("max_tokens") ?? Integer("max_output_tokens");
        return new PromptExecutionSettings(
            Temperature: Number("temperature"),
            TopP: Number("top_p"),
            TopK: (int?)Integer("top_k"),
            MaxTokens: maxTokens is null ? null : (int)Math.Min(maxTokens.Value, int.MaxValue),
            Seed: Integer("seed"),
            FrequencyPenalty: Number("frequency_penalty"),
            PresencePenalty: Number("presence_penalty"),
            StopSequences: stops,
            ModelId: OptionalString(s, "model_id", source),
            ResponseFormat: format,
            ResponseSchema: schema,
            ResponseSchemaName: schemaName);
    }

    // response_format: "text" | "json_object" | {type: json_object} | {type: json_schema, json_schema: {name, schema}}
    // (OpenAI / Semantic Kernel form) | a bare JSON schema. A schema may also be given as JSON text.
    private static (string? Format, JsonElement? Schema, string? Name) ReadResponseFormat(JsonElement settings, string source)
    {
        if (!settings.TryGetProperty("response_format", out var format) || format.ValueKind == JsonValueKind.Null) return (null, null, null);
        if (format.ValueKind == JsonValueKind.String)
        {
            var text = format.GetString()!;
            if (text is "text" or "json_object") return (text, null, null);
            if (text.TrimStart().StartsWith('{')) return ReadFormatObject(ParseJson(text, source), source);
            throw new PromptFileException(source, $"unknown response_format '{text}' (text, json_object or a JSON schema)");
        }
        return ReadFormatObject(format, source);
    }

    private static (string? Format, JsonElement? Schema, string? Name) ReadFormatObject(JsonElement format, string source)
    {
        if (format.ValueKind != JsonValueKind.Object) throw new PromptFileException(source, "response_format must be text, json_object or a mapping");
        JsonElement schema;
        string? name = null;
        var type = format.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type == "json_object" && !format.TryGetProperty("json_schema", out _) && !format.TryGetProperty("properties", out _)) return ("json_object", null, null);
        if (type == "text") return ("text", null, null);
        if (type == "json_schema")
        {
            if (!format.TryGetProperty("json_schema", out var wrapper) || wrapper.ValueKind != JsonValueKind.Object || !wrapper.TryGetProperty("schema", out schema))
            {
                throw new PromptFileException(source, "response_format of type json_schema needs json_schema.schema");
            }
            name = wrapper.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        }
        else
        {
            schema = format; // a bare JSON schema
        }
        if (schema.ValueKind == JsonValueKind.String) schema = ParseJson(schema.GetString()!, source);
        try
        {
            JsonSchemaSubset.EnsureSupported(schema);
        }
        catch (NotSupportedException e)
        {
            throw new PromptFileException(source, $"response_format schema: {e.Message}");
        }
        return ("json_schema", schema.Clone(), name);
    }

    private static JsonElement ParseJson(string text, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new PromptFileException(source, $"response_format JSON does not parse (line {e.LineNumber + 1})");
        }
    }

    private static string RequiredString(JsonElement node, string key, string source, string where = "file")
    {
        var value = OptionalString(node, key, source);
        return string.IsNullOrWhiteSpace(value) ? throw new PromptFileException(source, $"'{key}' is missing from the {where}") : value;
    }

    private static string? OptionalString(JsonElement node, string key, string source)
    {
        if (!node.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new PromptFileException(source, $"'{key}' must be text");
    }
}
