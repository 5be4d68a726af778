using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Core.Imaging;
using ReportGen.Core.Json;

namespace ReportGen.Llama.Tests;

public class ChatClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Answers_through_the_scheduler_with_usage_and_finish_reason()
    {
        await using var scheduler = TestModels.Scheduler();
        using IChatClient client = new LlamaChatClient(scheduler, options: new LlamaChatClientOptions { ModelId = "stories260k" });
        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Once upon a time")], new ChatOptions { MaxOutputTokens = 40 }, Ct);
        response.Text.ShouldContain("Lily");
        response.FinishReason.ShouldBe(ChatFinishReason.Length);
        response.Usage!.OutputTokenCount.ShouldBe(40);
        response.Usage.InputTokenCount!.Value.ShouldBeGreaterThan(3);
        response.ModelId.ShouldBe("stories260k");
        client.GetService<ChatClientMetadata>()!.ProviderName.ShouldBe("llama.cpp");
        client.GetService<LlamaModel>().ShouldBeSameAs(scheduler.Model);
    }

    [Fact]
    public async Task Streaming_gives_the_same_text_and_ends_with_usage()
    {
        await using var scheduler = TestModels.Scheduler();
        IChatClient client = new LlamaChatClient(scheduler);
        var options = new ChatOptions { MaxOutputTokens = 30, StopSequences = ["\n\n"] };
        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Once upon a time")], options, Ct)) updates.Add(u);
        var streamed = updates.ToChatResponse();
        var whole = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Once upon a time")], options, Ct);
        streamed.Text.ShouldBe(whole.Text);
        streamed.Usage!.OutputTokenCount.ShouldBe(whole.Usage!.OutputTokenCount);
        updates[^1].FinishReason.ShouldNotBeNull();
    }

    [Fact]
    public async Task Two_hundred_schema_constrained_generations_at_temperature_one_all_validate()
    {
        using var schemaDoc = JsonDocument.Parse("""
            {
              "type": "object",
              "properties": {
                "name": { "type": "string", "maxLength": 12 },
                "age": { "type": "integer" },
                "happy": { "type": "boolean" },
                "pets": { "type": "array", "items": { "enum": ["cat", "dog", "bird"] }, "minItems": 1, "maxItems": 3 },
                "home": { "type": "object", "properties": { "town": { "type": "string", "maxLength": 8 } }, "required": ["town"] }
              },
              "required": ["name", "age", "pets"]
            }
            """);
        var schema = schemaDoc.RootElement;
        await using var scheduler = TestModels.Scheduler(sequences: 8, contextSize: 4096, queueCapacity: 256);
        IChatClient client = new LlamaChatClient(scheduler);
        var tasks = Enumerable.Range(0, 200).Select(i => client.GetResponseAsync(
            [new ChatMessage(ChatRole.User, "Once upon a time")],
            new ChatOptions { Temperature = 1.0f, Seed = i, MaxOutputTokens = 300, ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) }, Ct));
        var responses = await Task.WhenAll(tasks);
        var distinct = new HashSet<string>();
        foreach (var r in responses)
        {
            r.FinishReason.ShouldBe(ChatFinishReason.Stop, r.Text);
            var errors = JsonSchemaValidator.Validate(r.Text, schema);
            errors.ShouldBeEmpty(r.Text);
            distinct.Add(r.Text);
        }
        distinct.Count.ShouldBeGreaterThan(150); // temperature 1 with different seeds really samples
    }

    [Fact]
    public async Task Images_go_through_the_injected_embedding_provider_and_are_an_error_without_one()
    {
        await using var scheduler = TestModels.Scheduler();
        ChatMessage Message(byte[] image) => new(ChatRole.User, [new TextContent("Once upon a time "), new DataContent(image, "image/png"), new TextContent(" there was")]);
        var options = new ChatOptions { MaxOutputTokens = 20 };

        IChatClient blind = new LlamaChatClient(scheduler);
        var refused = await Should.ThrowAsync<ReportGen.Core.Models.ModelInputException>(() => blind.GetResponseAsync([Message([1, 2, 3])], options, Ct));
        refused.Message.ShouldContain("text-only model");
        refused.Code.ShouldBe(ReportGen.Core.Models.ModelInputException.Unsupported);   // typed: the API maps it to a 400 once

        var provider = new HashEmbeddingProvider(scheduler.Model.InputEmbeddingSize);
        IChatClient seeing = new LlamaChatClient(scheduler, provider);
        var a1 = await seeing.GetResponseAsync([Message([1, 2, 3])], options, Ct);
        var a2 = await seeing.GetResponseAsync([Message([1, 2, 3])], options, Ct);
        var b = await seeing.GetResponseAsync([Message([9, 9, 9])], options, Ct);
        a1.Text.ShouldBe(a2.Text);
        a1.Text.ShouldNotBe(b.Text);
        provider.Calls.ShouldBe(3);
        a1.Usage!.InputTokenCount.ShouldBe(b.Usage!.InputTokenCount); // same number of image rows

        IChatClient mismatched = new LlamaChatClient(scheduler, new HashEmbeddingProvider(32));
        (await Should.ThrowAsync<ArgumentException>(() => mismatched.GetResponseAsync([Message([1])], options, Ct))).Message.ShouldContain("dimension 32");
    }

    /// <summary>Deterministic stand-in for the ONNX encoder + projector: rows derived from the image bytes' hash.</summary>
    private sealed class HashEmbeddingProvider(int dimension) : IImageEmbeddingProvider
    {
        public int Dimension => dimension;
        public int Calls { get; private set; }

        public Task<ImageEmbeddings> EmbedAsync(ReadOnlyMemory<byte> image, string? mediaType, CancellationToken cancellationToken)
        {
            Calls++;
            var rng = new Random(BitConverter.ToInt32(SHA256.HashData(image.Span), 0));
            var values = new float[3 * dimension];
            for (var i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
            return Task.FromResult(new ImageEmbeddings(3, dimension, values));
        }
    }
}
