using ReportGen.Eval.Bench;
using ReportGen.Llama;
using ReportGen.Llama.Native;
using ReportGen.TestSupport;
using Shouldly;
using Xunit;

namespace ReportGen.Eval.Tests.Bench;

/// <summary>Smoke tests of the LLM benchmark pieces at tiny sizes (no timings asserted beyond "positive").</summary>
public sealed class LlmBenchTests
{
    [Fact]
    public async Task Generated_tiny_gguf_loads_and_decodes_in_llama_cpp()
    {
        var donor = SharedData.Model("stories260K.gguf");
        using var dir = new TempDir();
        var generated = LlmGgufWriter.GetOrCreate(dir.Path, LlmSyntheticShape.Tiny, donor, TestContext.Current.CancellationToken);

        LlamaLibrary.EnsureInitialised();
        using var model = LlamaModel.Load(generated.Path);
        model.Architecture.ShouldBe("llama");
        model.LayerCount.ShouldBe(LlmSyntheticShape.Tiny.Layers);
        model.EmbeddingSize.ShouldBe(LlmSyntheticShape.Tiny.Embedding);
        model.VocabSize.ShouldBe(generated.VocabSize);
        // Per-token bytes: every F16 matrix and F32 norm except the embedding table.
        var s = LlmSyntheticShape.Tiny;
        var kv = s.Embedding / s.Heads * s.KvHeads;
        long expected = 2L * s.Embedding * generated.VocabSize + 4L * s.Embedding
            + s.Layers * (2L * (2L * s.Embedding * s.Embedding + 2L * s.Embedding * kv + 3L * s.Embedding * s.FeedForward) + 8L * s.Embedding);
        generated.WeightBytesPerToken.ShouldBe(expected);

        var rate = await LlmBenchmark.DecodeRateAsync(model, 1, 8, 1, TestContext.Current.CancellationToken);
        rate.ShouldBeGreaterThan(0);

        // Cached: a second call reuses the file.
        var again = LlmGgufWriter.GetOrCreate(dir.Path, LlmSyntheticShape.Tiny, donor, TestContext.Current.CancellationToken);
        File.GetLastWriteTimeUtc(again.Path).ShouldBe(File.GetLastWriteTimeUtc(generated.Path));
    }

    [Fact]
    public async Task Reference_decoder_compiles_and_overhead_pairs_are_measured()
    {
        var modelPath = SharedData.Model("stories260K.gguf");
        if (!File.Exists(Path.Combine(LlmReferenceDecoder.DefaultSourceDirectory, "include", "llama.h")))
            Assert.Skip($"llama.cpp source (llama.h) not at {LlmReferenceDecoder.DefaultSourceDirectory}; set REPORTGEN_LLAMA_SRC");
        LlamaLibrary.EnsureInitialised();
        using var dir = new TempDir();
        var reference = LlmReferenceDecoder.Build(LlamaLibrary.Directory, LlmReferenceDecoder.DefaultSourceDirectory, dir.Path);
        File.Exists(reference.Executable).ShouldBeTrue();
        using var model = LlamaModel.Load(modelPath);
        var pairs = await LlmBenchmark.OverheadAsync(model, reference, 1, 8, 1, TestContext.Current.CancellationToken);
        pairs.Count.ShouldBe(1);
        pairs[0].StackTokensPerSecond.ShouldBeGreaterThan(0);
        pairs[0].ReferenceTokensPerSecond.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Batching_reports_every_concurrency_with_all_tokens()
    {
        LlamaLibrary.EnsureInitialised();
        using var model = LlamaModel.Load(SharedData.Model("stories260K.gguf"));
        var rows = await LlmBenchmark.BatchingAsync(model, 1, 4, [1, 4], TestContext.Current.CancellationToken);
        rows.Select(r => r.Concurrency).ShouldBe([1, 4]);
        rows.ShouldAllBe(r => r.Tokens > 0 && r.Seconds > 0);
        rows[1].Tokens.ShouldBeGreaterThan(rows[0].Tokens);
    }

    [Fact]
    public void Memory_bandwidth_is_positive_and_median_is_the_middle()
    {
        LlmMemoryBandwidth.Measure(8 << 20, 2, 1, TestContext.Current.CancellationToken).ShouldBeGreaterThan(1e6);
        LlmBenchmark.Median([3, 1, 2]).ShouldBe(2);
        LlmBenchmark.Median([4, 1, 2, 3]).ShouldBe(2.5);
        Should.Throw<ArgumentException>(() => LlmMemoryBandwidth.Measure(10, 1, 1, TestContext.Current.CancellationToken));
    }
}
