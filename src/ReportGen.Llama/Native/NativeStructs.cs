using System.Runtime.InteropServices;

namespace ReportGen.Llama.Native;

// Mirrors of the C structs of the pinned llama.cpp (include/llama.h of release v0.5.0). Booleans are
// bytes so the structs stay blittable for LibraryImport; StructLayoutTests pins sizes and offsets.

/// <summary><c>struct llama_model_params</c> (80 bytes on x86-64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaModelParams
{
    public IntPtr Devices;
    public IntPtr TensorBuftOverrides;
    public int NGpuLayers;
    public int SplitMode;
    public int LoadMode;
    public int LazyMode;
    public int MainGpu;
    public IntPtr TensorSplit;
    public IntPtr ProgressCallback;
    public IntPtr ProgressCallbackUserData;
    public IntPtr KvOverrides;
    public byte VocabOnly;
    public byte CheckTensors;
    public byte UseExtraBufts;
    public byte NoHost;
    public byte NoAlloc;
    public byte LoadMtp;
}

/// <summary><c>struct llama_context_params</c> (160 bytes on x86-64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaContextParams
{
    public uint NCtx;
    public uint NBatch;
    public uint NUbatch;
    public uint NSeqMax;
    public uint NRsSeq;
    public uint NOutputsMax;
    public uint NOutputsMaxPerSeq;
    public int NThreads;
    public int NThreadsBatch;
    public int CtxType;
    public int RopeScalingType;
    public int PoolingType;
    public int AttentionType;
    public int FlashAttnType;
    public float RopeFreqBase;
    public float RopeFreqScale;
    public float YarnExtFactor;
    public float YarnAttnFactor;
    public float YarnBetaFast;
    public float YarnBetaSlow;
    public uint YarnOrigCtx;
    public float DefragThold;
    public IntPtr CbEval;
    public IntPtr CbEvalUserData;
    public int TypeK;
    public int TypeV;
    public IntPtr AbortCallback;
    public IntPtr AbortCallbackData;
    public byte Embeddings;
    public byte OffloadKqv;
    public byte NoPerf;
    public byte OpOffload;
    public byte SwaFull;
    public byte KvUnified;
    public IntPtr Samplers;
    public nuint NSamplers;
    public IntPtr CtxOther;
}

/// <summary><c>struct llama_batch</c> (56 bytes on x86-64); arrays allocated by <c>llama_batch_init</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaBatch
{
    public int NTokens;
    public int* Token;
    public float* Embd;
    public int* Pos;
    public int* NSeqId;
    public int** SeqId;
    public sbyte* Logits;
}

/// <summary><c>struct llama_chat_message</c>: two UTF-8 C strings.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaChatMessage
{
    public IntPtr Role;
    public IntPtr Content;
}

/// <summary><c>struct llama_sampler_chain_params</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaSamplerChainParams
{
    public byte NoPerf;
}

/// <summary><c>struct mtmd_context_params</c> of tools/mtmd/mtmd.h (96 bytes on x86-64).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MtmdContextParams
{
    public byte UseGpu;
    public IntPtr Device;
    public byte PrintTimings;
    public int NThreads;
    public IntPtr ImageMarker;
    public IntPtr MediaMarker;
    public int FlashAttnType;
    public byte Warmup;
    public int ImageMinTokens;
    public int ImageMaxTokens;
    public IntPtr CbEval;
    public IntPtr CbEvalUserData;
    public int BatchMaxTokens;
    public IntPtr ProgressCallback;
    public IntPtr ProgressCallbackUserData;
}

/// <summary><c>struct mtmd_input_text</c>: UTF-8 text with its length and tokenizer flags (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MtmdInputText
{
    public IntPtr Text;
    public nuint TextLength;
    public byte AddSpecial;
    public byte ParseSpecial;
}

/// <summary><c>struct mtmd_decoder_pos</c>: an image token's M-RoPE position (t, x, y, z; 16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MtmdDecoderPosition
{
    public uint T;
    public uint X;
    public uint Y;
    public uint Z;
}

/// <summary><c>struct gguf_init_params</c>: no_alloc and an optional <c>ggml_context**</c> (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GgufInitParams
{
    public byte NoAlloc;
    public IntPtr Context;
}

/// <summary><c>struct llama_perf_context_data</c> (48 bytes on x86-64), returned by value by <c>llama_perf_context</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaPerfContextData
{
    public double StartMs, LoadMs, PromptEvalMs, EvalMs;
    public int PromptTokens, EvalTokens;
    /// <summary>Compute graphs reused from the previous ubatch instead of built again (counted even with no_perf).</summary>
    public int GraphsReused;
}

/// <summary><c>struct llama_logit_bias</c> (8 bytes: token, bias).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaLogitBias
{
    public int Token;
    public float Bias;
}

/// <summary>
/// <c>struct ggml_threadpool_params</c> of ggml.h (528 bytes on x86-64): a CPU mask of GGML_MAX_N_THREADS (512) bools,
/// then thread count, priority, polling level and two flags. Filled by <c>ggml_threadpool_params_default</c>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GgmlThreadPoolParams
{
    public fixed byte CpuMask[512];
    public int NThreads;
    public int Priority;
    public uint Poll;
    public byte StrictCpu;
    public byte Paused;
}
