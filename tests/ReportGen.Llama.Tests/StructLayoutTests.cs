using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ReportGen.Llama.Native;

namespace ReportGen.Llama.Tests;

/// <summary>The native structs must match the pinned llama.h byte for byte, or every call corrupts memory.</summary>
public class StructLayoutTests
{
    [Fact]
    public void Struct_sizes_match_the_pinned_build_on_x86_64()
    {
        Marshal.SizeOf<LlamaModelParams>().ShouldBe(80);
        Unsafe.SizeOf<LlamaModelParams>().ShouldBe(80);
        Marshal.SizeOf<LlamaContextParams>().ShouldBe(160);
        Unsafe.SizeOf<LlamaContextParams>().ShouldBe(160);
        Marshal.SizeOf<LlamaBatch>().ShouldBe(56);
        Unsafe.SizeOf<LlamaBatch>().ShouldBe(56);
        Marshal.SizeOf<LlamaChatMessage>().ShouldBe(16);
        Marshal.SizeOf<LlamaLogitBias>().ShouldBe(8);
        Marshal.SizeOf<LlamaPerfContextData>().ShouldBe(48);
        Marshal.OffsetOf<LlamaPerfContextData>(nameof(LlamaPerfContextData.GraphsReused)).ToInt32().ShouldBe(40);
    }

    [Theory]
    [InlineData(nameof(LlamaModelParams.NGpuLayers), 16)]
    [InlineData(nameof(LlamaModelParams.MainGpu), 32)]
    [InlineData(nameof(LlamaModelParams.TensorSplit), 40)]
    [InlineData(nameof(LlamaModelParams.ProgressCallback), 48)]
    [InlineData(nameof(LlamaModelParams.KvOverrides), 64)]
    [InlineData(nameof(LlamaModelParams.VocabOnly), 72)]
    [InlineData(nameof(LlamaModelParams.LoadMtp), 77)]
    public void Model_params_offsets(string field, int offset) =>
        Marshal.OffsetOf<LlamaModelParams>(field).ToInt32().ShouldBe(offset);

    [Theory]
    [InlineData(nameof(LlamaContextParams.NThreads), 28)]
    [InlineData(nameof(LlamaContextParams.FlashAttnType), 52)]
    [InlineData(nameof(LlamaContextParams.RopeFreqBase), 56)]
    [InlineData(nameof(LlamaContextParams.DefragThold), 84)]
    [InlineData(nameof(LlamaContextParams.CbEval), 88)]
    [InlineData(nameof(LlamaContextParams.TypeK), 104)]
    [InlineData(nameof(LlamaContextParams.AbortCallback), 112)]
    [InlineData(nameof(LlamaContextParams.Embeddings), 128)]
    [InlineData(nameof(LlamaContextParams.KvUnified), 133)]
    [InlineData(nameof(LlamaContextParams.Samplers), 136)]
    [InlineData(nameof(LlamaContextParams.CtxOther), 152)]
    public void Context_params_offsets(string field, int offset) =>
        Marshal.OffsetOf<LlamaContextParams>(field).ToInt32().ShouldBe(offset);

    [Fact]
    public void Batch_offsets() =>
        Marshal.OffsetOf<LlamaBatch>(nameof(LlamaBatch.Logits)).ToInt32().ShouldBe(48);

    [Fact]
    public void Default_params_round_trip_with_the_values_in_the_pinned_source()
    {
        LlamaLibrary.EnsureInitialised();
        var m = LlamaNative.llama_model_default_params();
        m.NGpuLayers.ShouldBe(-1);
        m.SplitMode.ShouldBe(1);      // LLAMA_SPLIT_MODE_LAYER
        m.LoadMode.ShouldBe(-1);      // LLAMA_LOAD_MODE_AUTO
        m.LazyMode.ShouldBe(1);       // LLAMA_LAZY_MODE_AUTO
        m.ProgressCallback.ShouldBe(IntPtr.Zero);
        m.VocabOnly.ShouldBe((byte)0);
        m.UseExtraBufts.ShouldBe((byte)1);
        m.LoadMtp.ShouldBe((byte)0);

        var c = LlamaNative.llama_context_default_params();
        c.NCtx.ShouldBe(512u);
        c.NBatch.ShouldBe(2048u);
        c.NUbatch.ShouldBe(512u);
        c.NSeqMax.ShouldBe(1u);
        c.NOutputsMaxPerSeq.ShouldBe(1u);
        c.RopeScalingType.ShouldBe(-1);
        c.FlashAttnType.ShouldBe(-1);
        c.YarnExtFactor.ShouldBe(-1f);
        c.DefragThold.ShouldBe(-1f);
        c.TypeK.ShouldBe(1);          // GGML_TYPE_F16
        c.TypeV.ShouldBe(1);
        c.Embeddings.ShouldBe((byte)0);
        c.OffloadKqv.ShouldBe((byte)1);
        c.NoPerf.ShouldBe((byte)1);
        c.SwaFull.ShouldBe((byte)1);
        c.KvUnified.ShouldBe((byte)0);
        c.Samplers.ShouldBe(IntPtr.Zero);
        c.CtxOther.ShouldBe(IntPtr.Zero);

        LlamaNative.llama_sampler_chain_default_params().NoPerf.ShouldBe((byte)1);
    }

    [Fact]
    public void Mtmd_struct_sizes_match_the_pinned_mtmd_h()
    {
        Marshal.SizeOf<MtmdContextParams>().ShouldBe(96);
        Unsafe.SizeOf<MtmdContextParams>().ShouldBe(96);
        Marshal.SizeOf<MtmdInputText>().ShouldBe(24);
        Marshal.SizeOf<GgufInitParams>().ShouldBe(16);
        Marshal.SizeOf<MtmdDecoderPosition>().ShouldBe(16); // four uint32_t, returned by value
    }

    [Theory]
    [InlineData(nameof(MtmdContextParams.Device), 8)]
    [InlineData(nameof(MtmdContextParams.PrintTimings), 16)]
    [InlineData(nameof(MtmdContextParams.NThreads), 20)]
    [InlineData(nameof(MtmdContextParams.ImageMarker), 24)]
    [InlineData(nameof(MtmdContextParams.MediaMarker), 32)]
    [InlineData(nameof(MtmdContextParams.FlashAttnType), 40)]
    [InlineData(nameof(MtmdContextParams.Warmup), 44)]
    [InlineData(nameof(MtmdContextParams.ImageMinTokens), 48)]
    [InlineData(nameof(MtmdContextParams.ImageMaxTokens), 52)]
    [InlineData(nameof(MtmdContextParams.CbEval), 56)]
    [InlineData(nameof(MtmdContextParams.BatchMaxTokens), 72)]
    [InlineData(nameof(MtmdContextParams.ProgressCallback), 80)]
    [InlineData(nameof(MtmdContextParams.ProgressCallbackUserData), 88)]
    public void Mtmd_context_params_offsets(string field, int offset) =>
        Marshal.OffsetOf<MtmdContextParams>(field).ToInt32().ShouldBe(offset);

    [Fact]
    public void Mtmd_default_params_round_trip_with_the_values_in_the_pinned_source()
    {
        MtmdFixtures.RequireLibrary();
        var p = MtmdNative.mtmd_context_params_default();
        p.UseGpu.ShouldBe((byte)1);
        p.Device.ShouldBe(IntPtr.Zero);
        p.PrintTimings.ShouldBe((byte)1);
        p.NThreads.ShouldBe(4);
        p.ImageMarker.ShouldBe(IntPtr.Zero);
        Marshal.PtrToStringUTF8(p.MediaMarker).ShouldBe("<__media__>");
        p.FlashAttnType.ShouldBe(-1);   // LLAMA_FLASH_ATTN_TYPE_AUTO
        p.Warmup.ShouldBe((byte)1);
        p.ImageMinTokens.ShouldBe(-1);
        p.ImageMaxTokens.ShouldBe(-1);
        p.CbEval.ShouldBe(IntPtr.Zero);
        p.BatchMaxTokens.ShouldBe(1024);
        p.ProgressCallback.ShouldBe(IntPtr.Zero);
        MultimodalProjector.DefaultMarker.ShouldBe("<__media__>");
    }
}
