using System.Text.Json;
using Microsoft.Extensions.AI;
using ReportGen.Core.Models;
using ReportGen.Imaging;
using ReportGen.Llama;
using ReportGen.Llama.Native;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>
/// Our whole image path (our PNG decoder → RGB → libmtmd through the binding → the scheduler's batches, chat template
/// from the GGUF) against numbers llama.cpp's own path recorded on the same fixtures and PNGs
/// (tests/fixtures/gguf/expected-mtmd.json, written by tools/vlm-fixtures/record_expected.sh): identical greedy tokens,
/// image embeddings within 1e-4.
/// </summary>
public class MmprojRecordedTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<int> Cases => new(0, 1, 2, 3, 4, 5);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Greedy_tokens_and_image_embeddings_equal_llama_cpps_recorded_ones(int index)
    {
        LlamaLibrary.EnsureInitialised();
        if (LlamaLibrary.MtmdPath is null) Assert.Skip($"libmtmd is not provisioned in {LlamaLibrary.Directory} (run build/native/provision.sh mtmd, then rebuild)");
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(RepoFiles.Path("tests", "fixtures", "gguf", "expected-mtmd.json"), Ct));
        var root = doc.RootElement;
        var c = root.GetProperty("cases")[index];
        var resolver = new ModelResolver(ModelManifest.Load(RepoFiles.Path("models", "models.json")), [RepoFiles.Path("tests", "fixtures", "gguf")]);
        using var set = MultimodalModelSet.Load(resolver, c.GetProperty("set").GetString()!, projectorOptions: new MultimodalProjectorOptions { Threads = 1 });
        await using var scheduler = new SequenceScheduler(set.Model, new SchedulerOptions
        {
            Context = new LlamaContextOptions { ContextSize = 2048, Sequences = 1, BatchSize = 512, Threads = 1 },
        });
        using var chat = new LlamaChatClient(scheduler, set.Projector, new RgbImageDecoder());
        var png = await File.ReadAllBytesAsync(SharedData.Data("images", c.GetProperty("image").GetString()!), Ct);
        // As llama-mtmd-cli: the image marker before the prompt, one user turn through the GGUF's chat template.
        ChatMessage[] messages = [new(ChatRole.User, [new DataContent(png, "image/png"), new TextContent(root.GetProperty("prompt").GetString())])];
        var (prompt, generation) = await chat.PrepareAsync(messages, new ChatOptions { MaxOutputTokens = root.GetProperty("max_tokens").GetInt32() }, Ct);

        var rows = prompt.Parts.OfType<EmbeddingPart>().Single().Embeddings.Values;
        rows.Length.ShouldBe(c.GetProperty("embedding_values").GetInt32());
        var first = c.GetProperty("first").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        for (var i = 0; i < first.Length; i++) rows[i].ShouldBe(first[i], 1e-4f);
        rows.Sum(v => Math.Abs((double)v)).ShouldBe(c.GetProperty("abs_sum").GetDouble(), 1e-4 * rows.Length);

        var result = await scheduler.GenerateAsync(prompt, generation, Ct);
        result.Tokens.ShouldBe(c.GetProperty("tokens").EnumerateArray().Select(t => t.GetInt32()).ToArray());
    }
}
