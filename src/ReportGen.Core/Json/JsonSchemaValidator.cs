using System.Globalization;
using System.Text.Json;

namespace ReportGen.Core.Json;

/// <summary>One way an instance fails its schema.</summary>
/// <param name="Path">JSON pointer into the instance ("" is the whole document, "/findings/0/label" a nested value).</param>
/// <param name="Message">What is wrong, naming the keyword. Never contains the instance's text (it may be patient data).</param>
public sealed record JsonSchemaError(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{JsonSchemaSubset.DisplayPath(Path)}: {Message}";
}

/// <summary>
/// Validates JSON against the schema subset in <see cref="JsonSchemaSubset"/> (the subset the grammar
/// converter turns into GBNF): type (incl. arrays of types, integer vs number), properties, required,
/// additionalProperties (false or a schema), items, minItems, maxItems, enum, const, minLength, maxLength
/// (in Unicode code points), anyOf, oneOf and local $ref. Pipelines use it to check model output.
/// </summary>
public static class JsonSchemaValidator
{
    private const int MaxDepth = 256;

    /// <summary>Validates <paramref name="instance"/> against <paramref name="schema"/>; an empty list means valid.</summary>
    /// <exception cref="NotSupportedException">The schema uses a keyword outside the subset (named with its schema path).</exception>
    public static IReadOnlyList<JsonSchemaError> Validate(JsonElement instance, JsonElement schema)
    {
        var errors = new List<JsonSchemaError>();
        new Run(schema, errors).Check(instance, schema, "", "", 0);
        return errors;
    }

    /// <summary>
    /// Parses <paramref name="json"/> and validates it. Text that is not JSON gives one error at path "" describing
    /// where parsing failed (position only, never the text).
    /// </summary>
    public static IReadOnlyList<JsonSchemaError> Validate(string json, JsonElement schema)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return [new JsonSchemaError("", $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})")];
        }
        using (document)
        {
            return Validate(document.RootElement, schema);
        }
    }

    /// <summary>True when <paramref name="instance"/> satisfies <paramref name="schema"/>.</summary>
    public static bool IsValid(JsonElement instance, JsonElement schema) => Validate(instance, schema).Count == 0;

    /// <summary>Structural equality of JSON values as JSON Schema defines it for enum and const (1 equals 1.0; object member order is irrelevant).</summary>
    public static bool JsonEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind) return false;
        switch (a.ValueKind)
        {
            case JsonValueKind.String:
                return a.GetString() == b.GetString();
            case JsonValueKind.Number:
                if (a.TryGetDecimal(out var da) && b.TryGetDecimal(out var db)) return da == db;
                return a.TryGetDouble(out var fa) && b.TryGetDouble(out var fb) ? fa.Equals(fb) : a.GetRawText() == b.GetRawText();
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength()) return false;
                return a.EnumerateArray().Zip(b.EnumerateArray()).All(p => JsonEquals(p.First, p.Second));
            case JsonValueKind.Object:
                var left = a.EnumerateObject().ToList();
                var right = b.EnumerateObject().ToList();
                if (left.Count != right.Count) return false;
                foreach (var property in left)
                {
                    if (!b.TryGetProperty(property.Name, out var other) || !JsonEquals(property.Value, other)) return false;
                }
                return true;
            default:
                return true; // true, false, null: the kind is the value
        }
    }

    private sealed class Run(JsonElement root, List<JsonSchemaError> errors)
    {
        public void Check(JsonElement instance, JsonElement schema, string at, string schemaPath, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new NotSupportedException($"JSON schema at '{JsonSchemaSubset.DisplayPath(schemaPath)}' nests or references itself deeper than {MaxDepth} levels.");
            }
            JsonSchemaSubset.CheckKeywords(schema, schemaPath);
            if (schema.ValueKind == JsonValueKind.True) return;
            if (schema.ValueKind == JsonValueKind.False)
            {
                errors.Add(new JsonSchemaError(at, "no value is allowed here (schema false)"));
                return;
            }

            if (schema.TryGetProperty("$ref", out var reference))
            {
                var refPath = JsonSchemaSubset.Append(schemaPath, "$ref");
                if (reference.ValueKind != JsonValueKind.String) throw new NotSupportedException($"JSON schema '$ref' at '{JsonSchemaSubset.DisplayPath(schemaPath)}' must be a string.");
                var target = JsonSchemaSubset.ResolveRef(root, reference.GetString()!, refPath);
                Check(instance, target, at, reference.GetString()![1..], depth + 1);
            }

            var types = JsonSchemaSubset.Types(schema, schemaPath);
            if (types is not null && !types.Any(t => HasType(instance, t)))
            {
                errors.Add(new JsonSchemaError(at, $"expected type {string.Join(" or ", types)} but found {KindName(instance)}"));
                return; // the other keywords would only repeat the same problem
            }

            if (schema.TryGetProperty("enum", out var enumValues))
            {
                if (enumValues.ValueKind != JsonValueKind.Array) throw new NotSupportedException($"JSON schema 'enum' at '{JsonSchemaSubset.DisplayPath(schemaPath)}' must be an array.");
                if (!enumValues.EnumerateArray().Any(v => JsonEquals(v, instance)))
                {
                    errors.Add(new JsonSchemaError(at, $"value is not one of the {enumValues.GetArrayLength()} allowed by 'enum'"));
                }
            }
            if (schema.TryGetProperty("const", out var constValue) && !JsonEquals(constValue, instance))
            {
                errors.Add(new JsonSchemaError(at, "value differs from 'const'"));
            }

            switch (instance.ValueKind)
            {
                case JsonValueKind.String:
                    CheckString(instance, schema, at, schemaPath);
                    break;
                case JsonValueKind.Array:
                    CheckArray(instance, schema, at, schemaPath, depth);
                    break;
                case JsonValueKind.Object:
                    CheckObject(instance, schema, at, schemaPath, depth);
                    break;
            }

            CheckAlternatives(instance, schema, "anyOf", at, schemaPath, depth);
            CheckAlternatives(instance, schema, "oneOf", at, schemaPath, depth);
        }

        private void CheckString(JsonElement instance, JsonElement schema, string at, string schemaPath)
        {
            var min = JsonSchemaSubset.NonNegativeInt(schema, "minLength", schemaPath);
            var max = JsonSchemaSubset.NonNegativeInt(schema, "maxLength", schemaPath);
            if (min is null && max is null) return;
            var length = instance.GetString()!.EnumerateRunes().Count();
            if (length < min) errors.Add(new JsonSchemaError(at, $"string has {length} characters, fewer than minLength {min}"));
            if (length > max) errors.Add(new JsonSchemaError(at, $"string has {length} characters, more than maxLength {max}"));
        }

        private void CheckArray(JsonElement instance, JsonElement schema, string at, string schemaPath, int depth)
        {
            var count = instance.GetArrayLength();
            var min = JsonSchemaSubset.NonNegativeInt(schema, "minItems", schemaPath);
            var max = JsonSchemaSubset.NonNegativeInt(schema, "maxItems", schemaPath);
            if (count < min) errors.Add(new JsonSchemaError(at, $"array has {count} items, fewer than minItems {min}"));
            if (count > max) errors.Add(new JsonSchemaError(at, $"array has {count} items, more than maxItems {max}"));
            if (!schema.TryGetProperty("items", out var items)) return;
            if (items.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
            {
                throw new NotSupportedException($"JSON schema 'items' at '{JsonSchemaSubset.DisplayPath(schemaPath)}' must be a single schema (tuple form is not supported).");
            }
            var itemsPath = JsonSchemaSubset.Append(schemaPath, "items");
            var index = 0;
            foreach (var item in instance.EnumerateArray())
            {
                Check(item, items, JsonSchemaSubset.Append(at, index++), itemsPath, depth + 1);
            }
        }

        private void CheckObject(JsonElement instance, JsonElement schema, string at, string schemaPath, int depth)
        {
            var hasProperties = schema.TryGetProperty("properties", out var properties);
            if (hasProperties && properties.ValueKind != JsonValueKind.Object)
            {
                throw new NotSupportedException($"JSON schema 'properties' at '{JsonSchemaSubset.DisplayPath(schemaPath)}' must be an object.");
            }
            if (schema.TryGetProperty("required", out var required))
            {
                if (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
                {
                    throw new NotSupportedException($"JSON schema 'required' at '{JsonSchemaSubset.DisplayPath(schemaPath)}' must be an array of strings.");
                }
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                {
                    if (!instance.TryGetProperty(name, out _))
                    {
                        errors.Add(new JsonSchemaError(at, $"required property '{name}' is missing"));
                    }
                }
            }
            schema.TryGetProperty("additionalProperties", out var additional);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in instance.EnumerateObject())
            {
                var propertyAt = JsonSchemaSubset.Append(at, property.Name);
                if (!seen.Add(property.Name))
                {
                    errors.Add(new JsonSchemaError(propertyAt, "property appears more than once"));
                    continue;
                }
                if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
                {
                    Check(property.Value, propertySchema, propertyAt, JsonSchemaSubset.Append(JsonSchemaSubset.Append(schemaPath, "properties"), property.Name), depth + 1);
                }
                else if (additional.ValueKind == JsonValueKind.False)
                {
                    errors.Add(new JsonSchemaError(propertyAt, "property is not allowed (additionalProperties is false)"));
                }
                else if (additional.ValueKind == JsonValueKind.Object)
                {
                    Check(property.Value, additional, propertyAt, JsonSchemaSubset.Append(schemaPath, "additionalProperties"), depth + 1);
                }
                else if (additional.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.True))
                {
                    throw new NotSupportedException($"JSON schema 'additionalProperties' at '{JsonSchemaSubset.DisplayPath(schemaPath)}' must be a boolean or a schema.");
                }
            }
        }

        private void CheckAlternatives(JsonElement instance, JsonElement schema, string keyword, string at, string schemaPath, int depth)
        {
            if (!schema.TryGetProperty(keyword, out var alternatives)) return;
            if (alternatives.ValueKind != JsonValueKind.Array || alternatives.GetArrayLength() == 0)
            {
                throw new NotSupportedException($"JSON schema '{keyword}' at '{JsonSchemaSubset.DisplayPath(schemaPath)}' must be a non-empty array.");
            }
            var matches = 0;
            var index = 0;
            foreach (var alternative in alternatives.EnumerateArray())
            {
                var branch = new List<JsonSchemaError>();
                new Run(root, branch).Check(instance, alternative, at, JsonSchemaSubset.Append(JsonSchemaSubset.Append(schemaPath, keyword), index++), depth + 1);
                if (branch.Count == 0) matches++;
            }
            if (matches == 0)
            {
                errors.Add(new JsonSchemaError(at, $"value matches none of the {alternatives.GetArrayLength()} '{keyword}' alternatives"));
            }
            else if (keyword == "oneOf" && matches > 1)
            {
                errors.Add(new JsonSchemaError(at, $"value matches {matches} 'oneOf' alternatives, not exactly one"));
            }
        }

        private static bool HasType(JsonElement instance, string type) => type switch
        {
            "object" => instance.ValueKind == JsonValueKind.Object,
            "array" => instance.ValueKind == JsonValueKind.Array,
            "string" => instance.ValueKind == JsonValueKind.String,
            "boolean" => instance.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "null" => instance.ValueKind == JsonValueKind.Null,
            "number" => instance.ValueKind == JsonValueKind.Number,
            "integer" => instance.ValueKind == JsonValueKind.Number && IsInteger(instance),
            _ => false,
        };

        // JSON Schema counts 1.0 as an integer: what matters is the value, not the spelling.
        private static bool IsInteger(JsonElement number)
        {
            if (number.TryGetDecimal(out var d)) return decimal.Truncate(d) == d;
            return number.TryGetDouble(out var value) && double.IsFinite(value) && Math.Floor(value) == value;
        }

        private static string KindName(JsonElement instance) => instance.ValueKind switch
        {
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => IsInteger(instance) ? "integer" : "number",
            var kind => kind.ToString().ToLower(CultureInfo.InvariantCulture),
        };
    }
}
