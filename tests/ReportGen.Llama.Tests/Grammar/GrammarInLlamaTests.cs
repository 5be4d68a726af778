using System.Text.Json;
using ReportGen.Core.Json;
using ReportGen.Llama.Grammar;

namespace ReportGen.Llama.Tests.Grammar;

/// <summary>Every converted grammar goes through llama.cpp's own parser and grammar sampler (real library, stories260K's vocabulary).</summary>
public class GrammarInLlamaTests
{
    public static TheoryData<string> Samples => new(SchemaSamples.All.Keys);

    // Samples whose every value is bounded, so a random walk ends (the others can nest or grow without limit).
    public static TheoryData<string> BoundedSamples => new(SchemaSamples.All.Keys.Except(["map", "recursive", "empty-schema-items"]));

    [Theory]
    [MemberData(nameof(Samples))]
    public void Llama_cpp_parses_the_generated_grammar(string sample)
    {
        var probe = new LlamaGrammarProbe(TestModels.Stories());
        var grammar = JsonSchemaToGbnf.Convert(SchemaSamples.All[sample]);
        probe.Parses(grammar).ShouldBeTrue(grammar);
    }

    [Fact]
    public void The_probe_rejects_a_broken_grammar()
    {
        var probe = new LlamaGrammarProbe(TestModels.Stories());
        probe.Parses("root ::= \"a\" undefined-rule").ShouldBeFalse();
        probe.Parses("root ::= \"a\"").ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(BoundedSamples))]
    public void Random_walks_through_the_grammar_always_give_json_that_validates(string sample)
    {
        var probe = new LlamaGrammarProbe(TestModels.Stories());
        using var schema = JsonDocument.Parse(SchemaSamples.All[sample]);
        var grammar = JsonSchemaToGbnf.Convert(schema.RootElement);
        var random = new Random(sample.Sum(c => c)); // stable per sample (string hash codes are randomised per process)
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        for (var walk = 0; walk < 25; walk++)
        {
            var text = probe.Walk(grammar, random);
            text.ShouldNotBeNull($"walk {walk} did not end within the token limit");
            var errors = JsonSchemaValidator.Validate(text, schema.RootElement);
            errors.ShouldBeEmpty($"walk {walk} produced {text}");
            distinct.Add(text);
        }
        distinct.Count.ShouldBeGreaterThan(1, "the walks should explore the grammar, not repeat one output");
    }
}
