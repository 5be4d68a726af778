using System.Text.Json;
using ReportGen.Llama.Grammar;
using ReportGen.TestSupport;

namespace ReportGen.Llama.Tests.Grammar;

[Fast]
public class JsonSchemaToGbnfTests
{
    private static string Rule(string grammar, string name) =>
        grammar.Split('\n').Single(l => l.StartsWith(name + " ::= ", StringComparison.Ordinal))[(name.Length + 5)..];

    // The rule texts below are checked in the permissive form, where every separator's whitespace is visible.
    private static string Permissive(JsonElement schema) => JsonSchemaToGbnf.Convert(schema, JsonWhitespace.Permissive);
    private static string Permissive(string schema) => JsonSchemaToGbnf.Convert(schema, JsonWhitespace.Permissive);

    [Fact]
    public void The_default_compact_grammar_allows_no_whitespace_between_tokens()
    {
        foreach (var (sample, schema) in SchemaSamples.All)
        {
            var grammar = JsonSchemaToGbnf.Convert(schema);
            grammar.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldNotContain(l => l.StartsWith("ws ::= ", StringComparison.Ordinal), sample);
            grammar.ShouldNotContain(" ws", customMessage: sample);
            grammar.ShouldNotContain("  ", customMessage: sample); // the removed rule leaves no doubled separators
        }
        Rule(JsonSchemaToGbnf.Convert(SchemaSamples.All["all-required"]), "root")
            .ShouldBe("\"{\" \"\\\"name\\\"\" \":\" root-name \",\" \"\\\"age\\\"\" \":\" integer \"}\"");
        Permissive(SchemaSamples.All["all-required"]).ShouldContain("ws ::= ");
    }

    [Fact]
    public void Root_rule_comes_first_and_every_referenced_rule_is_defined()
    {
        foreach (var (sample, schema) in SchemaSamples.All)
        {
            var grammar = Permissive(schema);
            grammar.ShouldStartWith("root ::= ", customMessage: sample);
            var defined = grammar.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..l.IndexOf(" ::= ", StringComparison.Ordinal)]).ToList();
            defined.ShouldBeUnique(sample);
        }
    }

    [Fact]
    public void Required_properties_in_declared_order_and_optional_ones_may_be_left_out()
    {
        var grammar = Permissive(SchemaSamples.All["required-and-optional"]);
        // The body may start with optional "a" or with required "b", never with "c" or "d".
        Rule(grammar, "root-body").ShouldBe("\"\\\"a\\\"\" ws \":\" ws root-a ws root-b-after | \"\\\"b\\\"\" ws \":\" ws integer ws root-c-after");
        Rule(grammar, "root-b-after").ShouldStartWith("\",\" ws \"\\\"b\\\"\"");                 // required: comma and member
        Rule(grammar, "root-c-after").ShouldStartWith("(\",\" ws \"\\\"c\\\"\" ws \":\" ws boolean ws)?"); // optional
        Rule(grammar, "root").ShouldBe("\"{\" ws root-body \"}\"");
    }

    [Fact]
    public void An_object_of_only_optional_properties_may_be_empty()
    {
        var grammar = Permissive(SchemaSamples.All["all-optional"]);
        Rule(grammar, "root").ShouldBe("\"{\" ws root-body? \"}\"");
        Rule(grammar, "root-body").Split(" | ").Length.ShouldBe(3);
    }

    [Fact]
    public void All_required_properties_are_one_sequence()
    {
        var grammar = Permissive(SchemaSamples.All["all-required"]);
        Rule(grammar, "root").ShouldBe("\"{\" ws \"\\\"name\\\"\" ws \":\" ws root-name ws \",\" ws \"\\\"age\\\"\" ws \":\" ws integer ws \"}\"");
        Rule(grammar, "root-name").ShouldBe("\"\\\"\" char{1,6} \"\\\"\"");
    }

    [Theory]
    [InlineData("""{"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":4}""", """ "[" ws integer ws ("," ws integer ws){1,3} "]" """)]
    [InlineData("""{"type":"array","items":{"type":"integer"},"minItems":1}""", """ "[" ws integer ws ("," ws integer ws)* "]" """)]
    [InlineData("""{"type":"array","items":{"type":"integer"},"minItems":3}""", """ "[" ws integer ws ("," ws integer ws){2,} "]" """)]
    [InlineData("""{"type":"array","items":{"type":"integer"}}""", """ "[" ws (integer ws ("," ws integer ws)*)? "]" """)]
    [InlineData("""{"type":"array","items":{"type":"integer"},"maxItems":1}""", """ "[" ws (integer ws)? "]" """)]
    [InlineData("""{"type":"array","items":{"type":"integer"},"maxItems":0}""", """ "[" ws "]" """)]
    [InlineData("""{"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":2}""", """ "[" ws integer ws ("," ws integer ws) "]" """)]
    public void Array_bounds_become_bounded_repetitions(string schema, string expected)
    {
        Rule(Permissive(schema), "root").ShouldBe(expected.Trim());
    }

    [Fact]
    public void Enum_and_const_are_json_literals()
    {
        var grammar = Permissive(SchemaSamples.All["enum-and-const"]);
        Rule(grammar, "root-status").ShouldBe("(\"\\\"entailment\\\"\" | \"\\\"contradiction\\\"\" | \"\\\"neutral\\\"\")");
        Rule(grammar, "root-version").ShouldBe("\"2\"");
        Rule(grammar, "root-mixed").ShouldBe("(\"1\" | \"\\\"two\\\"\" | \"null\" | \"true\" | \"{\\\"k\\\":[1,2]}\")");
    }

    [Fact]
    public void Enum_values_that_break_the_rest_of_the_schema_are_dropped()
    {
        var grammar = Permissive("""{"type":"string","enum":["a",1,"b"]}""");
        Rule(grammar, "root").ShouldBe("(\"\\\"a\\\"\" | \"\\\"b\\\"\")");
    }

    [Fact]
    public void Enum_literals_escape_quotes_and_keep_unicode()
    {
        var grammar = Permissive(SchemaSamples.All["unicode-and-escapes"]);
        grammar.ShouldContain("\"\\\"größe \\\\\\\"q\\\\\\\"\\\"\""); // "größe \"q\"" as a GBNF literal
        grammar.ShouldContain("\"\\\"日本語\\\"\"");
        grammar.ShouldContain("\"\\\"é\\\\n\\\"\"", Case.Sensitive); // "é\n": é raw, the newline as a JSON escape
        // U+0080-U+00BF are written as JSON escapes: llama.cpp would also match them with a stray UTF-8 byte.
        Rule(Permissive("""{"const":"5°"}"""), "root").ShouldBe("\"\\\"5\\\\u00b0\\\"\"");
    }

    [Fact]
    public void Strings_exclude_raw_controls_and_allow_json_escapes()
    {
        var grammar = Permissive("""{"type":"string"}""");
        Rule(grammar, "root").ShouldBe("string");
        Rule(grammar, "string").ShouldBe("\"\\\"\" char* \"\\\"\"");
        var ch = Rule(grammar, "char");
        ch.ShouldStartWith("[^\"\\\\\\x00-\\x1F");                // no quote, backslash or control character raw
        ch.ShouldContain("\"\\\\\" ([\"\\\\/bfnrt] | \"u\"");       // \" \\ \/ \b \f \n \r \t \uXXXX
    }

    [Fact]
    public void Whitespace_is_bounded()
    {
        var grammar = Permissive(SchemaSamples.All["refs-and-nesting"]);
        Rule(grammar, "ws").ShouldBe("(\" \" | \"\\n\" [ \\t]{0,20})?");
        grammar.ShouldNotContain("ws ws");
        grammar.ShouldNotContain("ws*");
        grammar.ShouldNotContain("ws+");
    }

    [Fact]
    public void Numbers_and_integers_have_bounded_digits()
    {
        var grammar = Permissive(SchemaSamples.All["numbers"]);
        Rule(grammar, "integer").ShouldBe("\"-\"? (\"0\" | [1-9] [0-9]{0,15})");
        Rule(grammar, "number").ShouldBe("integer (\".\" [0-9]{1,15})? ([eE] [-+]? [0-9]{1,2})?");
    }

    [Fact]
    public void Type_arrays_and_any_of_become_alternatives()
    {
        var nullable = Permissive(SchemaSamples.All["nullable-type-array"]);
        Rule(nullable, "root-impression").ShouldBe("(\"\\\"\" char{0,10} \"\\\"\" | null)");
        Rule(nullable, "root-count").ShouldBe("(integer | null)");
        var anyOf = Permissive(SchemaSamples.All["any-of"]);
        Rule(anyOf, "root-item").ShouldBe("(integer | root-item-1 | root-item-2)");
    }

    [Fact]
    public void Refs_to_defs_and_definitions_become_shared_rules_and_may_recurse()
    {
        var grammar = Permissive(SchemaSamples.All["refs-and-nesting"]);
        Rule(grammar, "root-entities").ShouldContain("ref-entity");
        Rule(grammar, "ref-entity-relations").ShouldContain("ref-relation");
        var recursive = Permissive(SchemaSamples.All["recursive"]);
        Rule(recursive, "root").ShouldBe("ref-node");
        Rule(recursive, "ref-node-children").ShouldContain("ref-node");
    }

    [Fact]
    public void A_map_is_an_object_of_string_keys()
    {
        var grammar = Permissive(SchemaSamples.All["map"]);
        Rule(grammar, "root").ShouldBe("\"{\" ws (root-entry (\",\" ws root-entry)*)? \"}\"");
        Rule(grammar, "root-entry").ShouldBe("string ws \":\" ws integer ws");
    }

    [Theory]
    [InlineData("""{"type":"string","pattern":"a+"}""", "'pattern'", "'#'")]
    [InlineData("""{"type":"object","properties":{"n":{"type":"integer","minimum":0}}}""", "'minimum'", "'#/properties/n'")]
    [InlineData("""{"type":"array","items":{"type":"string","format":"date"}}""", "'format'", "'#/items'")]
    [InlineData("""{"allOf":[{"type":"string"}]}""", "'allOf'", "'#'")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"http://x/y"}}}""", "'$ref'", "#/properties/a/$ref")]
    [InlineData("""{"$ref":"#/$defs/missing"}""", "does not resolve", "'#/$ref'")]
    [InlineData("""{"type":"date"}""", "'type'", "'#'")]
    [InlineData("""{"type":"array","items":[{"type":"string"}]}""", "'items'", "tuple")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"required":["b"]}""", "'b'", "'#'")]
    [InlineData("""{"type":"array","minItems":3,"maxItems":2}""", "minItems", "'#'")]
    [InlineData("""{"anyOf":[{"type":"string"}],"type":"string"}""", "'type'", "'anyOf'")]
    public void Unsupported_keywords_and_forms_name_the_keyword_and_path(string schema, string keyword, string path)
    {
        var error = Should.Throw<NotSupportedException>(() => Permissive(schema));
        error.Message.ShouldContain(keyword);
        error.Message.ShouldContain(path);
    }

    [Fact]
    public void Annotations_are_ignored()
    {
        var plain = Permissive("""{"type":"boolean"}""");
        var annotated = Permissive("""{"type":"boolean","title":"t","description":"d","$schema":"https://json-schema.org/draft/2020-12/schema","default":true,"examples":[false]}""");
        annotated.ShouldBe(plain);
    }

    [Fact]
    public void Text_that_is_not_json_is_a_json_exception()
    {
        Should.Throw<JsonException>(() => Permissive("{not json"));
    }
}
