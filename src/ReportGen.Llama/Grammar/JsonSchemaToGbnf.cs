using System.Globalization;
using System.Text;
using System.Text.Json;
using ReportGen.Core.Json;

namespace ReportGen.Llama.Grammar;

/// <summary>
/// Converts a JSON Schema (the subset in <see cref="JsonSchemaSubset"/>) into a llama.cpp GBNF grammar whose
/// start rule is <c>root</c>, so that every text the grammar accepts is JSON that
/// <see cref="JsonSchemaValidator"/> accepts.
/// </summary>
/// <remarks>
/// Supported: objects (properties in declared order, required and optional ones; no additional properties
/// are ever generated, and an object with no <c>properties</c> but a schema-valued <c>additionalProperties</c>
/// is a map), arrays (<c>items</c>, <c>minItems</c>, <c>maxItems</c>), <c>enum</c>, <c>const</c>, strings
/// (<c>minLength</c>, <c>maxLength</c>), integer, number, boolean, null, type arrays, <c>anyOf</c>/<c>oneOf</c>
/// and local <c>$ref</c>s. <see cref="JsonWhitespace.Compact"/> (the default) allows no whitespace between tokens:
/// small models otherwise spend their token budget on indentation and get cut off mid-document.
/// <see cref="JsonWhitespace.Permissive"/> allows, like llama.cpp's own converter, one space or one newline plus up to
/// 20 indent characters at every separator. Numbers have a bounded number of digits, so a model cannot loop forever on
/// padding. Strings allow every JSON escape but no raw control character and no lone surrogate escape.
/// <c>oneOf</c> is generated like <c>anyOf</c>: alternatives that overlap can produce a value matching two of them.
/// </remarks>
public static class JsonSchemaToGbnf
{
    /// <summary>Converts a schema document.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="whitespace">Whether the output may hold whitespace between tokens.</param>
    /// <exception cref="NotSupportedException">The schema uses a keyword or form outside the subset; the message names the keyword and its path.</exception>
    public static string Convert(JsonElement schema, JsonWhitespace whitespace = JsonWhitespace.Compact) => new GbnfWriter(schema, whitespace).Write();

    /// <summary>Parses and converts a schema given as JSON text.</summary>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    /// <exception cref="NotSupportedException">The schema uses a keyword or form outside the subset.</exception>
    public static string Convert(string schemaJson, JsonWhitespace whitespace = JsonWhitespace.Compact)
    {
        using var document = JsonDocument.Parse(schemaJson);
        return Convert(document.RootElement, whitespace);
    }

    private sealed class GbnfWriter(JsonElement root, JsonWhitespace whitespace)
    {
        // Insertion-ordered so the grammar reads top-down: root first, then what it uses.
        private readonly List<KeyValuePair<string, string>> _rules = [];
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _refRules = new(StringComparer.Ordinal);

        public string Write()
        {
            var expression = Visit(root, "", "root");
            if (!_names.Contains("root")) AddRule("root", expression);
            var text = new StringBuilder();
            foreach (var (name, body) in _rules.OrderBy(r => r.Key == "root" ? 0 : 1)) // stable: root first, then the rest as written
            {
                text.Append(name).Append(" ::= ").Append(JsonGrammar.CollapseSpaces(body)).Append('\n');
            }
            return text.ToString();
        }

        // Returns a GBNF expression for the schema; named rules are created where a value needs one.
        private string Visit(JsonElement schema, string path, string name)
        {
            JsonSchemaSubset.CheckKeywords(schema, path);
            if (schema.ValueKind == JsonValueKind.True) return Primitive("value");
            if (schema.ValueKind == JsonValueKind.False)
            {
                throw new NotSupportedException($"JSON schema at '{JsonSchemaSubset.DisplayPath(path)}' is false: no value can satisfy it.");
            }

            if (schema.TryGetProperty("$ref", out var reference))
            {
                RejectSiblings(schema, path, "$ref");
                if (reference.ValueKind != JsonValueKind.String)
                {
                    throw new NotSupportedException($"JSON schema '$ref' at '{JsonSchemaSubset.DisplayPath(path)}' must be a string.");
                }
                return RefRule(reference.GetString()!, JsonSchemaSubset.Append(path, "$ref"));
            }

            if (schema.TryGetProperty("const", out var constValue))
            {
                return Literals([constValue], schema, path, "const");
            }
            if (schema.TryGetProperty("enum", out var enumValues))
            {
                if (enumValues.ValueKind != JsonValueKind.Array || enumValues.GetArrayLength() == 0)
                {
                    throw new NotSupportedException($"JSON schema 'enum' at '{JsonSchemaSubset.DisplayPath(path)}' must be a non-empty array.");
                }
                return Literals(enumValues.EnumerateArray().ToList(), schema, path, "enum");
            }

            foreach (var keyword in (string[])["anyOf", "oneOf"])
            {
                if (!schema.TryGetProperty(keyword, out var alternatives)) continue;
                RejectSiblings(schema, path, keyword);
                if (alternatives.ValueKind != JsonValueKind.Array || alternatives.GetArrayLength() == 0)
                {
                    throw new NotSupportedException($"JSON schema '{keyword}' at '{JsonSchemaSubset.DisplayPath(path)}' must be a non-empty array.");
                }
                var options = alternatives.EnumerateArray()
                    .Select((alternative, i) => Named(Visit(alternative, JsonSchemaSubset.Append(JsonSchemaSubset.Append(path, keyword), i), $"{name}-{i}"), $"{name}-{i}"))
                    .ToList();
                return Group(options);
            }

            var types = JsonSchemaSubset.Types(schema, path) ?? InferTypes(schema);
            if (types.Count == 0) return Primitive("value");
            var bodies = types.Distinct().Select(t => TypeExpression(t, schema, path, types.Count == 1 ? name : $"{name}-{t}")).ToList();
            return Group(bodies);
        }

        private static List<string> InferTypes(JsonElement schema)
        {
            bool Has(params string[] keywords) => keywords.Any(k => schema.TryGetProperty(k, out _));
            if (Has("properties", "required", "additionalProperties")) return ["object"];
            if (Has("items", "minItems", "maxItems")) return ["array"];
            if (Has("minLength", "maxLength")) return ["string"];
            return [];
        }

        private string TypeExpression(string type, JsonElement schema, string path, string name) => type switch
        {
            "object" => ObjectExpression(schema, path, name),
            "array" => ArrayExpression(schema, path, name),
            "string" => StringExpression(schema, path),
            "integer" => Primitive("integer"),
            "number" => Primitive("number"),
            "boolean" => Primitive("boolean"),
            _ => Primitive("null"),
        };

        private string ObjectExpression(JsonElement schema, string path, string name)
        {
            var hasProperties = schema.TryGetProperty("properties", out var properties);
            if (hasProperties && properties.ValueKind != JsonValueKind.Object)
            {
                throw new NotSupportedException($"JSON schema 'properties' at '{JsonSchemaSubset.DisplayPath(path)}' must be an object.");
            }
            var required = new HashSet<string>(StringComparer.Ordinal);
            if (schema.TryGetProperty("required", out var requiredList))
            {
                if (requiredList.ValueKind != JsonValueKind.Array || requiredList.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
                {
                    throw new NotSupportedException($"JSON schema 'required' at '{JsonSchemaSubset.DisplayPath(path)}' must be an array of strings.");
                }
                foreach (var r in requiredList.EnumerateArray()) required.Add(r.GetString()!);
            }
            var declared = hasProperties ? properties.EnumerateObject().ToList() : [];
            foreach (var missing in required.Where(r => declared.All(p => p.Name != r)))
            {
                throw new NotSupportedException($"JSON schema 'required' at '{JsonSchemaSubset.DisplayPath(path)}' names '{missing}', which has no schema in 'properties'.");
            }

            var ws = Primitive("ws");
            if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.Object)
            {
                if (declared.Count > 0)
                {
                    throw new NotSupportedException($"JSON schema 'additionalProperties' with a schema at '{JsonSchemaSubset.DisplayPath(path)}' is only supported on objects without 'properties' (maps).");
                }
                var valueRule = Named(Visit(additional, JsonSchemaSubset.Append(path, "additionalProperties"), $"{name}-value"), $"{name}-value");
                var entry = AddRule($"{name}-entry", $"{Primitive("string")} {ws} \":\" {ws} {valueRule} {ws}");
                return $"\"{{\" {ws} ({entry} (\",\" {ws} {entry})*)? \"}}\"";
            }
            if (declared.Count == 0) return $"\"{{\" {ws} \"}}\"";

            var propertiesPath = JsonSchemaSubset.Append(path, "properties");
            var members = declared.Select(p =>
            {
                var memberName = $"{name}-{Sanitize(p.Name)}";
                var value = Named(Visit(p.Value, JsonSchemaSubset.Append(propertiesPath, p.Name), memberName), memberName);
                return (Required: required.Contains(p.Name), Member: $"{Literal(JsonText(p.Name))} {ws} \":\" {ws} {value} {ws}", Name: memberName);
            }).ToList();

            if (members.All(m => m.Required))
            {
                return $"\"{{\" {ws} {string.Join($" \",\" {ws} ", members.Select(m => m.Member))} \"}}\"";
            }

            // Optional members may be left out anywhere while the declared order is kept. after(i) is what may
            // follow once something has been written (each member then needs its leading comma); the body starts
            // with any member up to and including the first required one. One rule per position keeps the grammar
            // linear in the number of properties.
            var after = new string[members.Count + 1];
            after[members.Count] = "";
            for (var i = members.Count - 1; i >= 1; i--)
            {
                var member = members[i];
                var body = member.Required ? $"\",\" {ws} {member.Member} {after[i + 1]}" : $"(\",\" {ws} {member.Member})? {after[i + 1]}";
                after[i] = AddRule($"{member.Name}-after", body.Trim());
            }
            var starts = new List<string>();
            var anyRequired = false;
            for (var i = 0; i < members.Count; i++)
            {
                starts.Add($"{members[i].Member} {after[i + 1]}".Trim());
                if (members[i].Required)
                {
                    anyRequired = true;
                    break;
                }
            }
            var start = AddRule($"{name}-body", string.Join(" | ", starts));
            return $"\"{{\" {ws} {start}{(anyRequired ? "" : "?")} \"}}\"";
        }

        private string ArrayExpression(JsonElement schema, string path, string name)
        {
            var min = JsonSchemaSubset.NonNegativeInt(schema, "minItems", path) ?? 0;
            var max = JsonSchemaSubset.NonNegativeInt(schema, "maxItems", path);
            if (min > max)
            {
                throw new NotSupportedException($"JSON schema at '{JsonSchemaSubset.DisplayPath(path)}' has minItems {min} greater than maxItems {max}: no array can satisfy it.");
            }
            var ws = Primitive("ws");
            string? item = null;
            if (schema.TryGetProperty("items", out var items))
            {
                if (items.ValueKind == JsonValueKind.False) max = 0;
                else if (items.ValueKind is JsonValueKind.Object or JsonValueKind.True)
                {
                    item = Named(Visit(items, JsonSchemaSubset.Append(path, "items"), $"{name}-item"), $"{name}-item");
                }
                else
                {
                    throw new NotSupportedException($"JSON schema 'items' at '{JsonSchemaSubset.DisplayPath(path)}' must be a single schema (tuple form is not supported).");
                }
            }
            if (max == 0)
            {
                if (min > 0) throw new NotSupportedException($"JSON schema at '{JsonSchemaSubset.DisplayPath(path)}' requires {min} items but allows none.");
                return $"\"[\" {ws} \"]\"";
            }
            item ??= Primitive("value");
            var next = $"(\",\" {ws} {item} {ws})";
            var tail = Repeat(next, Math.Max(min - 1, 0), max - 1);
            var list = $"{item} {ws} {tail}".TrimEnd();
            return min == 0 ? $"\"[\" {ws} ({list})? \"]\"" : $"\"[\" {ws} {list} \"]\"";
        }

        private string StringExpression(JsonElement schema, string path)
        {
            var min = JsonSchemaSubset.NonNegativeInt(schema, "minLength", path);
            var max = JsonSchemaSubset.NonNegativeInt(schema, "maxLength", path);
            if (min is null && max is null) return Primitive("string");
            if (min > max)
            {
                throw new NotSupportedException($"JSON schema at '{JsonSchemaSubset.DisplayPath(path)}' has minLength {min} greater than maxLength {max}: no string can satisfy it.");
            }
            return $"\"\\\"\" {Repeat(Primitive("char"), min ?? 0, max)} \"\\\"\"";
        }

        // enum and const: the JSON text of each value, keeping only values that satisfy the rest of the schema
        // (a value the validator would reject must not be generated).
        private string Literals(IReadOnlyList<JsonElement> values, JsonElement schema, string path, string keyword)
        {
            foreach (var property in schema.EnumerateObject())
            {
                if (property.Name is "anyOf" or "oneOf" or "$ref")
                {
                    throw new NotSupportedException($"JSON schema '{keyword}' together with '{property.Name}' at '{JsonSchemaSubset.DisplayPath(path)}' is not supported.");
                }
            }
            var allowed = values.Where(v => JsonSchemaValidator.IsValid(v, schema)).Select(v => Literal(JsonText(v))).Distinct().ToList();
            if (allowed.Count == 0)
            {
                throw new NotSupportedException($"JSON schema '{keyword}' at '{JsonSchemaSubset.DisplayPath(path)}' has no value that satisfies the rest of the schema.");
            }
            return Group(allowed);
        }

        private string RefRule(string reference, string path)
        {
            if (_refRules.TryGetValue(reference, out var existing)) return existing;
            var target = JsonSchemaSubset.ResolveRef(root, reference, path);
            var last = reference.TrimEnd('/').Split('/')[^1];
            var ruleName = Reserve("ref-" + Sanitize(last));
            _refRules[reference] = ruleName; // registered before visiting, so recursive schemas terminate
            var body = Visit(target, reference.Length > 1 ? reference[1..] : "", ruleName);
            SetRule(ruleName, body);
            return ruleName;
        }

        private static void RejectSiblings(JsonElement schema, string path, string keyword)
        {
            foreach (var property in schema.EnumerateObject())
            {
                if (property.Name != keyword && JsonSchemaSubset.ConstraintKeywords.Contains(property.Name))
                {
                    throw new NotSupportedException($"JSON schema keyword '{property.Name}' beside '{keyword}' at '{JsonSchemaSubset.DisplayPath(path)}' is not supported.");
                }
            }
        }

        private string Primitive(string kind)
        {
            // Compact: no whitespace rule at all; the doubled spaces left where it would stand are collapsed on output.
            if (kind == "ws" && whitespace == JsonWhitespace.Compact) return "";
            if (_names.Contains(kind)) return kind;
            switch (kind)
            {
                case "ws":
                    AddRule("ws", "(\" \" | \"\\n\" [ \\t]{0,20})?");
                    break;
                case "char":
                    // Any character but '"', '\', controls, or an escape. llama.cpp decodes a stray UTF-8 byte from a
                    // byte-fallback token as a code point of its own (a lone continuation byte 0x80-0xBF reads as
                    // U+0080-U+00BF; 0xF5-0xFF leads give values past U+10FFFF), so those code points are refused raw
                    // to keep the output valid UTF-8; U+0080-U+00BF (e.g. the degree sign) stay writable as \u escapes.
                    // \u escapes exclude surrogates, which would need a correctly paired second escape.
                    AddRule("char", "[^\"\\\\\\x00-\\x1F\\x7F-\\xBF\\uD800-\\uDFFF\\U00110000-\\UFFFFFFFF] | \"\\\\\" ([\"\\\\/bfnrt] | \"u\" ([0-9a-cA-CefEF] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2}))");
                    break;
                case "string":
                    AddRule("string", $"\"\\\"\" {Primitive("char")}* \"\\\"\"");
                    break;
                case "integer":
                    AddRule("integer", "\"-\"? (\"0\" | [1-9] [0-9]{0,15})");
                    break;
                case "number":
                    AddRule("number", $"{Primitive("integer")} (\".\" [0-9]{{1,15}})? ([eE] [-+]? [0-9]{{1,2}})?");
                    break;
                case "boolean":
                    AddRule("boolean", "\"true\" | \"false\"");
                    break;
                case "null":
                    AddRule("null", "\"null\"");
                    break;
                case "value":
                    // Any JSON value (an empty schema, or array items without a schema).
                    _names.Add("value");
                    var ws = Primitive("ws");
                    var body = $"any-object | any-array | {Primitive("string")} | {Primitive("number")} | {Primitive("boolean")} | {Primitive("null")}";
                    _rules.Add(new("value", body));
                    AddRule("any-object", $"\"{{\" {ws} ({Primitive("string")} {ws} \":\" {ws} value {ws} (\",\" {ws} {Primitive("string")} {ws} \":\" {ws} value {ws})*)? \"}}\"");
                    AddRule("any-array", $"\"[\" {ws} (value {ws} (\",\" {ws} value {ws})*)? \"]\"");
                    break;
                default:
                    throw new InvalidOperationException(kind);
            }
            return kind;
        }

        // A repetition with bounds in GBNF's {m,n} form (llama.cpp expands it without the x? x? x? slowdown).
        private static string Repeat(string item, int min, int? max) => (min, max) switch
        {
            (0, null) => $"{item}*",
            (1, null) => $"{item}+",
            (_, null) => $"{item}{{{min},}}",
            (0, 0) => "",
            (0, 1) => $"{item}?",
            (1, 1) => item,
            var (m, n) when m == n => $"{item}{{{m}}}",
            _ => $"{item}{{{min},{max}}}",
        };

        private static string Group(IReadOnlyList<string> alternatives) =>
            alternatives.Count == 1 ? alternatives[0] : "(" + string.Join(" | ", alternatives) + ")";

        // Gives an expression its own rule unless it already is a single rule name.
        private string Named(string expression, string name) =>
            IsRuleName(expression) ? expression : AddRule(name, expression);

        private static bool IsRuleName(string expression) =>
            expression.Length > 0 && expression.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

        private string AddRule(string name, string body)
        {
            var unique = Reserve(name);
            _rules.Add(new(unique, body));
            return unique;
        }

        private string Reserve(string name)
        {
            var unique = name;
            for (var n = 2; !_names.Add(unique); n++) unique = $"{name}-{n}";
            return unique;
        }

        private void SetRule(string name, string body)
        {
            var index = _rules.FindIndex(r => r.Key == name);
            if (index >= 0) _rules[index] = new(name, body);
            else _rules.Add(new(name, body));
        }

        private static string Sanitize(string text)
        {
            var result = new StringBuilder();
            foreach (var c in text.ToLowerInvariant())
            {
                if (char.IsAsciiLetterOrDigit(c)) result.Append(c);
                else if (result.Length > 0 && result[^1] != '-') result.Append('-');
            }
            var name = result.ToString().Trim('-');
            return name.Length == 0 ? "p" : name;
        }

        // Compact JSON text for a value, escaping only what JSON requires so non-ASCII stays literal.
        private static string JsonText(JsonElement value)
        {
            var text = new StringBuilder();
            AppendJson(text, value);
            return text.ToString();
        }

        private static string JsonText(string value)
        {
            var text = new StringBuilder();
            AppendJsonString(text, value);
            return text.ToString();
        }

        private static void AppendJson(StringBuilder text, JsonElement value)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.String:
                    AppendJsonString(text, value.GetString()!);
                    break;
                case JsonValueKind.Array:
                    text.Append('[');
                    var firstItem = true;
                    foreach (var item in value.EnumerateArray())
                    {
                        if (!firstItem) text.Append(',');
                        AppendJson(text, item);
                        firstItem = false;
                    }
                    text.Append(']');
                    break;
                case JsonValueKind.Object:
                    text.Append('{');
                    var firstMember = true;
                    foreach (var member in value.EnumerateObject())
                    {
                        if (!firstMember) text.Append(',');
                        AppendJsonString(text, member.Name);
                        text.Append(':');
                        AppendJson(text, member.Value);
                        firstMember = false;
                    }
                    text.Append('}');
                    break;
                default:
                    text.Append(value.GetRawText());
                    break;
            }
        }

        private static void AppendJsonString(StringBuilder text, string value)
        {
            text.Append('"');
            foreach (var c in value)
            {
                switch (c)
                {
                    case '"': text.Append("\\\""); break;
                    case '\\': text.Append("\\\\"); break;
                    case '\n': text.Append("\\n"); break;
                    case '\r': text.Append("\\r"); break;
                    case '\t': text.Append("\\t"); break;
                    default:
                        // U+007F-U+00BF as escapes: llama.cpp would also match them with a stray UTF-8 byte.
                        if (c < 0x20 || c is >= '\x7F' and <= '\xBF') text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else text.Append(c);
                        break;
                }
            }
            text.Append('"');
        }

        // A GBNF string literal for the given text.
        private static string Literal(string text)
        {
            var literal = new StringBuilder("\"");
            foreach (var rune in text.EnumerateRunes())
            {
                var v = rune.Value;
                if (v == '"') literal.Append("\\\"");
                else if (v == '\\') literal.Append("\\\\");
                else if (v < 0x20 || v == 0x7F) literal.Append("\\x").Append(v.ToString("X2", CultureInfo.InvariantCulture));
                else literal.Append(rune.ToString());
            }
            return literal.Append('"').ToString();
        }
    }
}
