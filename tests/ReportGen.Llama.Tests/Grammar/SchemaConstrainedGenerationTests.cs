using System.Text.Json;
using ReportGen.Core.Json;
using ReportGen.Llama.Grammar;

namespace ReportGen.Llama.Tests.Grammar;

/// <summary>Issue 3's goal: schema-constrained generation with the real model at temperature 1.0 always yields JSON that validates.</summary>
public class SchemaConstrainedGenerationTests(ITestOutputHelper output)
{
    private const string Schema = """
        {"type":"object",
         "properties":{
           "finding":{"type":"string","minLength":1,"maxLength":24},
           "label":{"enum":["positive","negative","uncertain","not_mentioned"]},
           "size_mm":{"type":["integer","null"]},
           "confidence":{"type":"number"},
           "laterality":{"enum":["left","right","bilateral"]},
           "present":{"type":"boolean"},
           "tags":{"type":"array","maxItems":3,"items":{"type":"string","maxLength":10}},
           "location":{"anyOf":[{"type":"string","maxLength":12},{"type":"null"}]},
           "related":{"type":"array","minItems":1,"maxItems":2,"items":{"$ref":"#/$defs/relation"}}},
         "required":["finding","label","size_mm","confidence","present","tags","related"],
         "additionalProperties":false,
         "$defs":{"relation":{"type":"object","properties":{"type":{"enum":["modify","located_at"]},"target":{"type":"integer"}},"required":["type","target"]}}}
        """;

    // Enough for the longest text the grammar allows here (bounded strings, arrays and numbers; at most 21
    // whitespace characters between tokens), so every generation must end by itself, never by the limit.
    private const int MaxTokens = 1600;

    [Fact]
    public async Task Two_hundred_generations_at_temperature_one_all_parse_and_validate()
    {
        using var schema = JsonDocument.Parse(Schema);
        var grammar = new GbnfGrammar(JsonSchemaToGbnf.Convert(schema.RootElement));
        // One thread: ggml's worker threads spin while waiting, which is ruinous on a shared, oversubscribed CI machine.
        await using var scheduler = new SequenceScheduler(TestModels.Stories(), new SchedulerOptions
        {
            Context = new LlamaContextOptions { ContextSize = 8 * (MaxTokens + 64), Sequences = 8, BatchSize = 512, Threads = 1 },
            QueueCapacity = 256,
        });
        const int count = 200;
        var requests = Enumerable.Range(0, count).Select(i => scheduler.GenerateAsync(
            "Once upon a time, the doctor wrote",
            new GenerationOptions
            {
                MaxTokens = MaxTokens,
                // Pure temperature-1.0 sampling (no top-k/top-p/min-p truncation): the hardest case for the grammar.
                Sampling = new SamplingOptions { Temperature = 1.0f, TopK = 0, TopP = 1.0f, MinP = 0f, Seed = (uint)(1000 + i), Grammar = grammar },
            },
            TestContext.Current.CancellationToken)).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var results = await Task.WhenAll(requests);
        clock.Stop();

        var distinct = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var result = results[i];
            result.FinishReason.ShouldBe(LlamaFinishReason.EndOfGeneration, $"generation {i} did not end by itself: {result.Text}");
            var errors = JsonSchemaValidator.Validate(result.Text, schema.RootElement);
            errors.ShouldBeEmpty($"generation {i}: {result.Text}");
            distinct.Add(result.Text);
        }
        distinct.Count.ShouldBeGreaterThan(count / 2, "temperature 1.0 should give varied outputs");
        var tokens = results.Select(r => r.CompletionTokens).Order().ToList();
        output.WriteLine($"{count} generations valid; completion tokens min {tokens[0]}, median {tokens[count / 2]}, max {tokens[^1]}; {distinct.Count} distinct; {clock.Elapsed.TotalSeconds:F1} s");
        output.WriteLine("example: " + results[0].Text);
    }
}
