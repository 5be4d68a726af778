using System.Text.Json;

namespace ReportGen.Core.Json;

/// <summary>
/// The JSON Schema subset ReportGen supports for constrained output: the validator
/// (<see cref="JsonSchemaValidator"/>) and the grammar converter in ReportGen.Llama accept exactly these
/// keywords, so whatever the grammar lets a model write can be checked here. Anything else is refused
/// with <see cref="NotSupportedException"/> naming the keyword and its schema path, rather than silently ignored.
/// </summary>
public static class JsonSchemaSubset
{
    /// <summary>Keywords that constrain values and are understood.</summary>
    public static IReadOnlySet<string> ConstraintKeywords { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
        "enum", "const", "minLength", "maxLength", "anyOf", "oneOf", "$ref",
    };

    /// <summary>Annotation keywords that carry no constraint and are ignored (plus the definition containers).</summary>
    public static IReadOnlySet<string> IgnoredKeywords { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "title", "description", "$schema", "$id", "$comment", "default", "examples", "deprecated",
        "readOnly", "writeOnly", "$defs", "definitions",
    };

    /// <summary>The primitive type names of JSON Schema.</summary>
    public static IReadOnlySet<string> TypeNames { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "object", "array", "string", "integer", "number", "boolean", "null",
    };

    /// <summary>
    /// Throws <see cref="NotSupportedException"/> when <paramref name="schema"/> (at <paramref name="path"/>, a JSON pointer
    /// into the schema document) uses a keyword outside the subset, or is not an object or boolean schema.
    /// </summary>
    public static void CheckKeywords(JsonElement schema, string path)
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False) return;
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new NotSupportedException($"JSON schema at '{DisplayPath(path)}' must be an object or a boolean, not {schema.ValueKind}.");
        }
        foreach (var property in schema.EnumerateObject())
        {
            if (!ConstraintKeywords.Contains(property.Name) && !IgnoredKeywords.Contains(property.Name))
            {
                throw new NotSupportedException($"JSON schema keyword '{property.Name}' at '{DisplayPath(path)}' is not supported.");
            }
        }
    }

    /// <summary>
    /// Walks the whole schema (properties, items, additionalProperties, anyOf, oneOf, $defs, definitions and local
    /// $refs) and throws <see cref="NotSupportedException"/> at the first keyword outside the subset. Lets a
    /// prompt file's response schema be checked at start-up, before any model runs.
    /// </summary>
    public static void EnsureSupported(JsonElement schema)
    {
        Walk(schema, schema, "");

        static void Walk(JsonElement root, JsonElement node, string path)
        {
            CheckKeywords(node, path);
            if (node.ValueKind != JsonValueKind.Object) return;
            Types(node, path);
            foreach (var keyword in (string[])["minItems", "maxItems", "minLength", "maxLength"]) NonNegativeInt(node, keyword, path);
            foreach (var container in (string[])["properties", "$defs", "definitions"])
            {
                if (!node.TryGetProperty(container, out var members)) continue;
                if (members.ValueKind != JsonValueKind.Object) throw new NotSupportedException($"JSON schema '{container}' at '{DisplayPath(path)}' must be an object.");
                foreach (var member in members.EnumerateObject()) Walk(root, member.Value, Append(Append(path, container), member.Name));
            }
            foreach (var single in (string[])["items", "additionalProperties"])
            {
                if (!node.TryGetProperty(single, out var child)) continue;
                if (child.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
                {
                    throw new NotSupportedException($"JSON schema '{single}' at '{DisplayPath(path)}' must be a schema or a boolean{(single == "items" ? " (tuple form is not supported)" : "")}.");
                }
                Walk(root, child, Append(path, single));
            }
            foreach (var list in (string[])["anyOf", "oneOf"])
            {
                if (!node.TryGetProperty(list, out var alternatives)) continue;
                if (alternatives.ValueKind != JsonValueKind.Array || alternatives.GetArrayLength() == 0) throw new NotSupportedException($"JSON schema '{list}' at '{DisplayPath(path)}' must be a non-empty array.");
                var i = 0;
                foreach (var alternative in alternatives.EnumerateArray()) Walk(root, alternative, Append(Append(path, list), i++));
            }
            if (node.TryGetProperty("$ref", out var reference))
            {
                if (reference.ValueKind != JsonValueKind.String) throw new NotSupportedException($"JSON schema '$ref' at '{DisplayPath(path)}' must be a string.");
                ResolveRef(root, reference.GetString()!, Append(path, "$ref"));
            }
        }
    }

    /// <summary>Resolves a local <c>$ref</c> (<c>#/$defs/X</c>, <c>#/definitions/X</c> or any <c>#/...</c> pointer) against the schema root.</summary>
    /// <exception cref="NotSupportedException">A remote reference, or one that points nowhere.</exception>
    public static JsonElement ResolveRef(JsonElement root, string reference, string path)
    {
        if (reference == "#") return root;
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"JSON schema '$ref' '{reference}' at '{DisplayPath(path)}' is not supported: only local references (#/$defs/..., #/definitions/...) are.");
        }
        var current = root;
        foreach (var raw in reference[2..].Split('/'))
        {
            var token = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(token, out var next))
            {
                current = next;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(token, out var index) && index >= 0 && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                throw new NotSupportedException($"JSON schema '$ref' '{reference}' at '{DisplayPath(path)}' does not resolve.");
            }
        }
        return current;
    }

    /// <summary>Appends a property name to a JSON pointer, escaping '~' and '/'.</summary>
    public static string Append(string pointer, string token) =>
        pointer + "/" + token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>Appends an array index to a JSON pointer.</summary>
    public static string Append(string pointer, int index) => pointer + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The types a schema allows through its <c>type</c> keyword (a string or an array of strings); null when it has none.</summary>
    /// <exception cref="NotSupportedException">An unknown type name or a malformed <c>type</c>.</exception>
    public static IReadOnlyList<string>? Types(JsonElement schema, string path)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out var type)) return null;
        var names = type.ValueKind switch
        {
            JsonValueKind.String => [type.GetString()!],
            JsonValueKind.Array => type.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString()! : "").ToList(),
            _ => new List<string> { "" },
        };
        foreach (var name in names)
        {
            if (!TypeNames.Contains(name))
            {
                throw new NotSupportedException($"JSON schema 'type' at '{DisplayPath(path)}' has an unsupported value ('{name}').");
            }
        }
        return names;
    }

    /// <summary>Reads a non-negative integer keyword (minItems, maxLength, ...); null when absent.</summary>
    public static int? NonNegativeInt(JsonElement schema, string keyword, string path)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty(keyword, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n) || n < 0)
        {
            throw new NotSupportedException($"JSON schema '{keyword}' at '{DisplayPath(path)}' must be a non-negative integer.");
        }
        return n;
    }

    /// <summary>Shows the root pointer "" as "#" so messages stay readable.</summary>
    public static string DisplayPath(string pointer) => pointer.Length == 0 ? "#" : "#" + pointer;
}
