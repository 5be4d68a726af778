using System.Runtime.InteropServices;

namespace ReportGen.Llama.Native;

/// <summary>The llama.cpp C functions this binding uses (signatures from the pinned include/llama.h).</summary>
internal static unsafe partial class LlamaNative
{
    private const string L = LlamaLibrary.Llama;

    [LibraryImport(L)] internal static partial LlamaModelParams llama_model_default_params();
    [LibraryImport(L)] internal static partial LlamaContextParams llama_context_default_params();
    [LibraryImport(L)] internal static partial LlamaSamplerChainParams llama_sampler_chain_default_params();

    [LibraryImport(L)] internal static partial void llama_log_set(delegate* unmanaged[Cdecl]<int, byte*, IntPtr, void> callback, IntPtr userData);

    [LibraryImport(L, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr llama_model_load_from_file(string path, LlamaModelParams parameters);
    [LibraryImport(L)] internal static partial void llama_model_free(IntPtr model);
    [LibraryImport(L)] internal static partial IntPtr llama_init_from_model(SafeLlamaModelHandle model, LlamaContextParams parameters);
    [LibraryImport(L)] internal static partial void llama_free(IntPtr context);
    [LibraryImport(L)] internal static partial void llama_attach_threadpool(IntPtr context, IntPtr threadPool, IntPtr threadPoolBatch);

    [LibraryImport(L)] internal static partial IntPtr llama_model_get_vocab(SafeLlamaModelHandle model);
    [LibraryImport(L)] internal static partial int llama_model_n_ctx_train(SafeLlamaModelHandle model);
    [LibraryImport(L)] internal static partial int llama_model_n_embd(SafeLlamaModelHandle model);
    [LibraryImport(L)] internal static partial int llama_model_n_embd_inp(SafeLlamaModelHandle model);
    [LibraryImport(L)] internal static partial int llama_model_rope_type(SafeLlamaModelHandle model);
    [LibraryImport(L)] internal static partial int llama_model_n_swa(SafeLlamaModelHandle model);
    [LibraryImport(L)][return: MarshalAs(UnmanagedType.U1)] internal static partial bool llama_model_is_recurrent(SafeLlamaModelHandle model);
    [LibraryImport(L)][return: MarshalAs(UnmanagedType.U1)] internal static partial bool llama_model_is_hybrid(SafeLlamaModelHandle model);
    [LibraryImport(L)] internal static partial int llama_model_n_layer(SafeLlamaModelHandle model);
    [LibraryImport(L)] internal static partial ulong llama_model_n_params(SafeLlamaModelHandle model);
    [LibraryImport(L)] internal static partial ulong llama_model_size(SafeLlamaModelHandle model);
    [LibraryImport(L, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int llama_model_meta_val_str(SafeLlamaModelHandle model, string key, byte* buf, nuint bufSize);
    [LibraryImport(L)] internal static partial int llama_model_desc(SafeLlamaModelHandle model, byte* buf, nuint bufSize);
    [LibraryImport(L)] internal static partial IntPtr llama_model_chat_template(SafeLlamaModelHandle model, IntPtr name);

    [LibraryImport(L)] internal static partial int llama_vocab_n_tokens(IntPtr vocab);
    [LibraryImport(L)] internal static partial int llama_vocab_bos(IntPtr vocab);
    [LibraryImport(L)] internal static partial int llama_vocab_eos(IntPtr vocab);
    [LibraryImport(L)][return: MarshalAs(UnmanagedType.U1)] internal static partial bool llama_vocab_is_eog(IntPtr vocab, int token);
    [LibraryImport(L)][return: MarshalAs(UnmanagedType.U1)] internal static partial bool llama_vocab_get_add_bos(IntPtr vocab);

    [LibraryImport(L)]
    internal static partial int llama_tokenize(IntPtr vocab, byte* text, int textLen, int* tokens, int nTokensMax,
        [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);
    [LibraryImport(L)]
    internal static partial int llama_token_to_piece(IntPtr vocab, int token, byte* buf, int length, int lstrip,
        [MarshalAs(UnmanagedType.U1)] bool special);
    [LibraryImport(L)]
    internal static partial int llama_detokenize(IntPtr vocab, int* tokens, int nTokens, byte* text, int textLenMax,
        [MarshalAs(UnmanagedType.U1)] bool removeSpecial, [MarshalAs(UnmanagedType.U1)] bool unparseSpecial);

    [LibraryImport(L)]
    internal static partial int llama_chat_apply_template(byte* tmpl, LlamaChatMessage* chat, nuint nMsg,
        [MarshalAs(UnmanagedType.U1)] bool addAssistant, byte* buf, int length);

    [LibraryImport(L)] internal static partial uint llama_n_ctx(SafeLlamaContextHandle context);
    [LibraryImport(L)] internal static partial uint llama_n_ctx_seq(SafeLlamaContextHandle context);
    [LibraryImport(L)] internal static partial uint llama_n_batch(SafeLlamaContextHandle context);
    [LibraryImport(L)] internal static partial uint llama_n_seq_max(SafeLlamaContextHandle context);
    [LibraryImport(L)] internal static partial IntPtr llama_get_memory(SafeLlamaContextHandle context);
    [LibraryImport(L)] internal static partial void llama_memory_clear(IntPtr memory, [MarshalAs(UnmanagedType.U1)] bool data);
    [LibraryImport(L)][return: MarshalAs(UnmanagedType.U1)] internal static partial bool llama_memory_seq_rm(IntPtr memory, int seqId, int p0, int p1);
    [LibraryImport(L)] internal static partial int llama_memory_seq_pos_max(IntPtr memory, int seqId);
    [LibraryImport(L)] internal static partial void llama_memory_seq_cp(IntPtr memory, int seqIdSrc, int seqIdDst, int p0, int p1);

    [LibraryImport(L)] internal static partial LlamaBatch llama_batch_init(int nTokens, int embd, int nSeqMax);
    [LibraryImport(L)] internal static partial void llama_batch_free(LlamaBatch batch);
    [LibraryImport(L)] internal static partial int llama_decode(SafeLlamaContextHandle context, LlamaBatch batch);
    [LibraryImport(L)] internal static partial void llama_set_causal_attn(SafeLlamaContextHandle context, [MarshalAs(UnmanagedType.U1)] bool causalAttention);
    [LibraryImport(L)] internal static partial float* llama_get_logits_ith(SafeLlamaContextHandle context, int i);
    [LibraryImport(L)] internal static partial LlamaPerfContextData llama_perf_context(SafeLlamaContextHandle context);

    [LibraryImport(L)] internal static partial IntPtr llama_sampler_chain_init(LlamaSamplerChainParams parameters);
    [LibraryImport(L)] internal static partial void llama_sampler_chain_add(SafeLlamaSamplerHandle chain, IntPtr sampler);
    [LibraryImport(L)] internal static partial int llama_sampler_chain_n(SafeLlamaSamplerHandle chain);
    [LibraryImport(L)] internal static partial void llama_sampler_free(IntPtr sampler);
    [LibraryImport(L)] internal static partial int llama_sampler_sample(SafeLlamaSamplerHandle sampler, SafeLlamaContextHandle context, int idx);
    [LibraryImport(L)] internal static partial void llama_sampler_reset(SafeLlamaSamplerHandle sampler);
    [LibraryImport(L)] internal static partial IntPtr llama_sampler_init_greedy();
    [LibraryImport(L)] internal static partial IntPtr llama_sampler_init_dist(uint seed);
    [LibraryImport(L)] internal static partial IntPtr llama_sampler_init_top_k(int k);
    [LibraryImport(L)] internal static partial IntPtr llama_sampler_init_top_p(float p, nuint minKeep);
    [LibraryImport(L)] internal static partial IntPtr llama_sampler_init_min_p(float p, nuint minKeep);
    [LibraryImport(L)] internal static partial IntPtr llama_sampler_init_temp(float t);
    [LibraryImport(L)]
    internal static partial IntPtr llama_sampler_init_penalties(int nVocab, int penaltyLastN, float penaltyRepeat, float penaltyFreq, float penaltyPresent);
    [LibraryImport(L)]
    internal static unsafe partial IntPtr llama_sampler_init_logit_bias(int nVocab, int nLogitBias, LlamaLogitBias* logitBias);
    [LibraryImport(L, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr llama_sampler_init_grammar(IntPtr vocab, string grammar, string root);
}
