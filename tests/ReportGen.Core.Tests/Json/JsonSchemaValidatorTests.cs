using System.Text.Json;
using ReportGen.Core.Json;
using ReportGen.TestSupport;

namespace ReportGen.Core.Tests.Json;

[Fast]
public class JsonSchemaValidatorTests
{
    private const string Entity = """
        {"$defs":{"relation":{"type":"array","minItems":2,"maxItems":2,"items":{"type":["string","integer"]}}},
         "definitions":{"label":{"enum":["ANAT-DP","OBS-DP","OBS-U","OBS-DA"]}},
         "type":"object",
         "properties":{
           "tokens":{"type":"string","minLength":1,"maxLength":10},
           "label":{"$ref":"#/definitions/label"},
           "start_ix":{"type":"integer"},
           "score":{"type":["number","null"]},
           "relations":{"type":"array","maxItems":2,"items":{"$ref":"#/$defs/relation"}},
           "version":{"const":1}},
         "required":["tokens","label","start_ix"],
         "additionalProperties":false}
        """;

    private static IReadOnlyList<JsonSchemaError> Check(string instance, string schema)
    {
        using var s = JsonDocument.Parse(schema);
        return JsonSchemaValidator.Validate(instance, s.RootElement);
    }

    [Theory]
    [InlineData("""{"tokens":"effusion","label":"OBS-DP","start_ix":3}""")]
    [InlineData("""{"tokens":"lung","label":"ANAT-DP","start_ix":0,"score":0.5,"relations":[["located_at",4]],"version":1}""")]
    [InlineData("""{"tokens":"lung","label":"ANAT-DP","start_ix":2.0,"score":null,"relations":[],"version":1.0}""")]
    [InlineData("""{"tokens":"日本語のテキスト","label":"OBS-U","start_ix":-1}""")]
    public void Valid_instances_have_no_errors(string instance)
    {
        Check(instance, Entity).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("""{"label":"OBS-DP","start_ix":3}""", "", "required property 'tokens' is missing")]
    [InlineData("""{"tokens":"x","label":"OBS-XX","start_ix":3}""", "/label", "'enum'")]
    [InlineData("""{"tokens":"x","label":"OBS-DP","start_ix":3.5}""", "/start_ix", "expected type integer but found number")]
    [InlineData("""{"tokens":"","label":"OBS-DP","start_ix":3}""", "/tokens", "minLength 1")]
    [InlineData("""{"tokens":"abcdefghijk","label":"OBS-DP","start_ix":3}""", "/tokens", "maxLength 10")]
    [InlineData("""{"tokens":"x","label":"OBS-DP","start_ix":3,"extra":1}""", "/extra", "additionalProperties")]
    [InlineData("""{"tokens":"x","label":"OBS-DP","start_ix":3,"score":"high"}""", "/score", "expected type number or null")]
    [InlineData("""{"tokens":"x","label":"OBS-DP","start_ix":3,"relations":[["a"]]}""", "/relations/0", "minItems 2")]
    [InlineData("""{"tokens":"x","label":"OBS-DP","start_ix":3,"relations":[["a",1],["b",2],["c",3]]}""", "/relations", "maxItems 2")]
    [InlineData("""{"tokens":"x","label":"OBS-DP","start_ix":3,"relations":[["a",true]]}""", "/relations/0/1", "expected type string or integer but found boolean")]
    [InlineData("""{"tokens":"x","label":"OBS-DP","start_ix":3,"version":2}""", "/version", "'const'")]
    [InlineData("""["not","an","object"]""", "", "expected type object but found array")]
    [InlineData("""{"tokens":"x","label":"OBS-DP","start_ix":3,"tokens":"y"}""", "/tokens", "more than once")]
    public void Invalid_instances_are_reported_with_a_json_pointer(string instance, string path, string message)
    {
        var errors = Check(instance, Entity);
        errors.ShouldContain(e => e.Path == path && e.Message.Contains(message), string.Join("; ", errors));
    }

    [Fact]
    public void String_lengths_count_code_points_not_utf16_units()
    {
        const string schema = """{"type":"string","maxLength":2}""";
        Check("\"😀😀\"", schema).ShouldBeEmpty();
        Check("\"😀😀😀\"", schema).Single().Message.ShouldContain("3 characters");
    }

    [Fact]
    public void Any_of_needs_one_match_and_one_of_exactly_one()
    {
        const string anyOf = """{"anyOf":[{"type":"integer"},{"type":"number"}]}""";
        const string oneOf = """{"oneOf":[{"type":"integer"},{"type":"number"}]}""";
        Check("1.5", anyOf).ShouldBeEmpty();
        Check("\"x\"", anyOf).Single().Message.ShouldContain("none of the 2 'anyOf'");
        Check("1.5", oneOf).ShouldBeEmpty();
        Check("2", oneOf).Single().Message.ShouldContain("matches 2 'oneOf'");
    }

    [Fact]
    public void Maps_validate_every_value_with_additional_properties()
    {
        const string schema = """{"type":"object","additionalProperties":{"enum":[1,2,0,-1]}}""";
        Check("""{"Atelectasis":1,"Edema":-1}""", schema).ShouldBeEmpty();
        Check("""{"Atelectasis":1,"Edema":3}""", schema).Single().Path.ShouldBe("/Edema");
    }

    [Fact]
    public void Json_pointer_paths_escape_slash_and_tilde()
    {
        const string schema = """{"type":"object","properties":{"a/b~c":{"type":"string"}}}""";
        Check("""{"a/b~c":1}""", schema).Single().Path.ShouldBe("/a~1b~0c");
    }

    [Fact]
    public void Text_that_is_not_json_is_one_error_without_the_text()
    {
        var errors = Check("{\"tokens\": \"secret patient words", Entity);
        errors.Single().Path.ShouldBe("");
        errors.Single().Message.ShouldStartWith("not valid JSON");
        errors.Single().Message.ShouldNotContain("secret");
    }

    [Fact]
    public void Messages_never_quote_the_instance_values()
    {
        var errors = Check("""{"tokens":"patient name here and more","label":"private text","start_ix":"x"}""", Entity);
        errors.Count.ShouldBe(3);
        foreach (var error in errors)
        {
            error.Message.ShouldNotContain("patient");
            error.Message.ShouldNotContain("private");
        }
    }

    [Theory]
    [InlineData("\"a\"", """{"type":"string","pattern":"a"}""", "'pattern'", "'#'")]
    [InlineData("""{"n":2}""", """{"type":"object","properties":{"n":{"minimum":1}}}""", "'minimum'", "'#/properties/n'")]
    [InlineData("1", """{"$ref":"#/$defs/nowhere"}""", "does not resolve", "$ref")]
    [InlineData("[\"a\"]", """{"type":"array","items":[{"type":"string"}]}""", "tuple", "'#'")]
    public void Keywords_outside_the_subset_are_refused_with_their_path(string instance, string schema, string keyword, string path)
    {
        var error = Should.Throw<NotSupportedException>(() => Check(instance, schema));
        error.Message.ShouldContain(keyword);
        error.Message.ShouldContain(path);
    }

    [Fact]
    public void Boolean_schemas_and_the_empty_schema()
    {
        Check("{\"a\":[1,\"x\",null]}", "{}").ShouldBeEmpty();
        Check("3", "true").ShouldBeEmpty();
        Check("3", "false").Single().Message.ShouldContain("schema false");
    }

    [Fact]
    public void Json_equality_ignores_member_order_and_number_spelling()
    {
        using var a = JsonDocument.Parse("""{"x":[1,2.0],"y":null}""");
        using var b = JsonDocument.Parse("""{"y":null,"x":[1.0,2]}""");
        using var c = JsonDocument.Parse("""{"y":null,"x":[1.0,3]}""");
        JsonSchemaValidator.JsonEquals(a.RootElement, b.RootElement).ShouldBeTrue();
        JsonSchemaValidator.JsonEquals(a.RootElement, c.RootElement).ShouldBeFalse();
    }
}
