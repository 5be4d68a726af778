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
    [Theory]
    [InlineData(LlmWeightType.F16)]
    [InlineData(LlmWeightType.Q8_0)]
    public async Task Generated_tiny_gguf_loads_and_decodes_in_llama_cpp(LlmWeightType weights)
    {
        var donor = SharedData.Model("stories260K.gguf");
        using var dir = new TempDir();
        var shape = LlmSyntheticShape.Tiny with { WeightType = weights };
        var generated = LlmGgufWriter.GetOrCreate(dir.Path, shape, donor, TestContext.Current.CancellationToken);

        LlamaLibrary.EnsureInitialised();
        using var model = LlamaModel.Load(generated.Path);
        model.Architecture.ShouldBe("llama");
        model.LayerCount.ShouldBe(LlmSyntheticShape.Tiny.Layers);
        model.EmbeddingSize.ShouldBe(LlmSyntheticShape.Tiny.Embedding);
        model.VocabSize.ShouldBe(generated.VocabSize);
        // Per-token bytes: every matrix (F16: 2 bytes a weight; Q8_0: 34 bytes per 32) and F32 norm except the embedding table.
        var s = shape;
        var kv = s.Embedding / s.Heads * s.KvHeads;
        long Matrix(long elements) => weights == LlmWeightType.F16 ? 2 * elements : elements / 32 * 34;
        long expected = Matrix((long)s.Embedding * generated.VocabSize) + 4L * s.Embedding
            + s.Layers * (Matrix(2L * s.Embedding * s.Embedding + 2L * s.Embedding * kv + 3L * s.Embedding * s.FeedForward) + 8L * s.Embedding);
        generated.WeightBytesPerToken.ShouldBe(expected);

        var rate = await LlmBenchmark.DecodeRateAsync(model, 1, 8, 1, TestContext.Current.CancellationToken);
        rate.ShouldBeGreaterThan(0);

        // Cached: a second call reuses the file.
        var again = LlmGgufWriter.GetOrCreate(dir.Path, shape, donor, TestContext.Current.CancellationToken);
        File.GetLastWriteTimeUtc(again.Path).ShouldBe(File.GetLastWriteTimeUtc(generated.Path));
    }

    [Fact]
    public async Task Reference_decoder_compiles_against_the_provisioned_header_and_decodes()
    {
        var modelPath = SharedData.Model("stories260K.gguf");
        string source;
        // Provisions the pinned headers from the npm cache (or npm) on first use; without npm, git or a verified cache it skips, saying why.
        try { source = LlmReferenceDecoder.LocateSource(); }
        catch (InvalidOperationException e) { Assert.Skip("pinned llama.h unavailable: " + e.Message); throw; }
        File.Exists(Path.Combine(source, "include", "llama.h")).ShouldBeTrue();
        LlamaLibrary.EnsureInitialised();
        using var dir = new TempDir();
        LlmReferenceDecoder reference;
        try { reference = LlmReferenceDecoder.Build(LlamaLibrary.Directory, source, dir.Path); }
        catch (InvalidOperationException e) when (e.Message.StartsWith("cannot run", StringComparison.Ordinal)) { Assert.Skip(e.Message); throw; }
        File.Exists(reference.Executable).ShouldBeTrue();

        var run = reference.Decode(modelPath, 1, 16, 128, LlmBenchmark.Prompt, TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine($"C reference on stories260K, 1 thread: {run.TokensPerSecond:0} tok/s, {run.CpuSecondsPerToken * 1e6:0} us CPU per token");
        run.Tokens.ShouldBe(15); // stories260K greedy-decodes without an end token here
        run.TokensPerSecond.ShouldBeGreaterThan(0);
        run.CpuSecondsPerToken.ShouldBeGreaterThan(0);

        using var model = LlamaModel.Load(modelPath);
        var pairs = await LlmBenchmark.OverheadAsync(model, reference, 1, 8, 1, TestContext.Current.CancellationToken);
        pairs.Count.ShouldBe(1);
        pairs[0].Stack.TokensPerSecond.ShouldBeGreaterThan(0);
        pairs[0].Stack.Tokens.ShouldBe(pairs[0].Reference.Tokens); // same prompt, same greedy tokens
        pairs[0].Ratio.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void A_missing_compiler_is_a_clear_error()
    {
        LlamaLibrary.EnsureInitialised();
        using var source = new TempDir();
        Directory.CreateDirectory(Path.Combine(source.Path, "include"));
        File.WriteAllText(Path.Combine(source.Path, "include", "llama.h"), "");
        using var cache = new TempDir();
        var e = Should.Throw<InvalidOperationException>(() => LlmReferenceDecoder.Build(LlamaLibrary.Directory, source.Path, cache.Path, "/nonexistent/cc"));
        e.Message.ShouldStartWith("cannot run /nonexistent/cc");
        e.Message.ShouldContain("C compiler");
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
        // 64 MiB, beyond this machine's 32 MiB L3, read by 2 threads: at least 1 GB/s on any machine this runs on.
        LlmMemoryBandwidth.Measure(64 << 20, 2, 2, TestContext.Current.CancellationToken).ShouldBeGreaterThan(1e9);
        LlmBenchmark.Median([3, 1, 2]).ShouldBe(2);
        LlmBenchmark.Median([4, 1, 2, 3]).ShouldBe(2.5);
        Should.Throw<ArgumentException>(() => LlmMemoryBandwidth.Measure(10, 1, 1, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void The_cpu_is_named_by_model_family_and_vector_width_from_the_first_processor()
    {
        // Two processors of a Zen 2 VM (flags abridged); only the first is read.
        string[] zen2 =
        [
            "processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 23", "model\t\t: 49", "model name\t: AMD EPYC",
            "flags\t\t: fpu sse2 avx avx2 fma f16c bmi2", "",
            "processor\t: 1", "cpu family\t: 25", "model\t\t: 17", "model name\t: Other", "flags\t\t: avx512f", "",
        ];
        LlmBenchmark.DescribeCpu(zen2).ShouldBe("AMD EPYC, family 23 model 49, AVX2");
        LlmBenchmark.DescribeCpu(["model name\t: AMD EPYC 9B45", "cpu family\t: 26", "model\t\t: 2", "flags\t\t: avx2 avx512f avx512_vnni"])
            .ShouldBe("AMD EPYC 9B45, family 26 model 2, AVX-512");
        LlmBenchmark.DescribeCpu(["processor\t: 0", "BogoMIPS\t: 50.00", "Features\t: fp asimd"]).ShouldBe("unknown CPU"); // an Arm cpuinfo
        LlmBenchmark.CpuModel().ShouldNotBeNullOrWhiteSpace();
    }
}
