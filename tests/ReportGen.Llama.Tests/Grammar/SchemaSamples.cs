namespace ReportGen.Llama.Tests.Grammar;

/// <summary>One schema per supported feature, shared by the converter tests and the llama.cpp tests.</summary>
internal static class SchemaSamples
{
    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        ["required-and-optional"] = """
            {"type":"object","properties":{
              "a":{"type":"string","maxLength":8},
              "b":{"type":"integer"},
              "c":{"type":"boolean"},
              "d":{"type":"null"}},
             "required":["b","d"],"additionalProperties":false}
            """,
        ["all-optional"] = """
            {"type":"object","properties":{"x":{"type":"number"},"y":{"type":"integer"},"z":{"type":"boolean"}}}
            """,
        ["all-required"] = """
            {"type":"object","properties":{"name":{"type":"string","minLength":1,"maxLength":6},"age":{"type":"integer"}},"required":["name","age"]}
            """,
        ["array-bounds"] = """
            {"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":4}
            """,
        ["array-unbounded-max"] = """
            {"type":"array","items":{"type":"boolean"},"minItems":1}
            """,
        ["enum-and-const"] = """
            {"type":"object","properties":{
              "status":{"enum":["entailment","contradiction","neutral"]},
              "version":{"const":2},
              "mixed":{"enum":[1,"two",null,true,{"k":[1,2]}]}},
             "required":["status","version","mixed"]}
            """,
        ["string-lengths"] = """
            {"type":"array","items":{"type":"string","minLength":2,"maxLength":5},"maxItems":3}
            """,
        ["nullable-type-array"] = """
            {"type":"object","properties":{"impression":{"type":["string","null"],"maxLength":10},"count":{"type":["integer","null"]}},"required":["impression","count"]}
            """,
        ["any-of"] = """
            {"type":"array","maxItems":4,"items":{"anyOf":[{"type":"integer"},{"type":"string","maxLength":4},{"type":"object","properties":{"v":{"type":"boolean"}},"required":["v"]}]}}
            """,
        ["one-of"] = """
            {"oneOf":[{"type":"object","properties":{"kind":{"const":"a"},"n":{"type":"integer"}},"required":["kind","n"]},
                      {"type":"object","properties":{"kind":{"const":"b"},"ok":{"type":"boolean"}},"required":["kind","ok"]}]}
            """,
        ["refs-and-nesting"] = """
            {"$defs":{"entity":{"type":"object","properties":{
                 "tokens":{"type":"string","maxLength":12},
                 "label":{"enum":["ANAT-DP","OBS-DP","OBS-U","OBS-DA"]},
                 "start_ix":{"type":"integer"},
                 "relations":{"type":"array","maxItems":2,"items":{"$ref":"#/definitions/relation"}}},
               "required":["tokens","label","start_ix","relations"],"additionalProperties":false}},
             "definitions":{"relation":{"type":"array","minItems":2,"maxItems":2,"items":{"type":["string","integer"],"maxLength":8}}},
             "type":"object","properties":{"entities":{"type":"array","maxItems":3,"items":{"$ref":"#/$defs/entity"}}},
             "required":["entities"]}
            """,
        ["mosaic-labels"] = """
            {"type":"object","properties":{
              "Atelectasis":{"enum":[1,2,0,-1]},"Pleural Effusion":{"enum":[1,2,0,-1]},"No Finding":{"enum":[1,2,0,-1]}},
             "required":["Atelectasis","Pleural Effusion","No Finding"],"additionalProperties":false,"title":"labels","description":"MOSAIC output"}
            """,
        ["numbers"] = """
            {"type":"object","properties":{"score":{"type":"number"},"n":{"type":"integer"}},"required":["score","n"]}
            """,
        ["map"] = """
            {"type":"object","additionalProperties":{"type":"integer"}}
            """,
        ["recursive"] = """
            {"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},"children":{"type":"array","maxItems":2,"items":{"$ref":"#/$defs/node"}}},"required":["v"]}},
             "$ref":"#/$defs/node"}
            """,
        ["unicode-and-escapes"] = """
            {"type":"object","properties":{"größe \"q\"":{"enum":["é\n","日本語","a\\b"]}},"required":["größe \"q\""]}
            """,
        ["empty-schema-items"] = """
            {"type":"array","maxItems":2,"items":{}}
            """,
    };
}
