using System.Runtime.InteropServices;

namespace ReportGen.Llama.Native;

/// <summary>
/// The libmtmd C functions this binding uses (signatures from tools/mtmd/mtmd.h and mtmd-helper.h of the pinned
/// llama.cpp), plus the few gguf reads that name an mmproj's projector before mtmd loads it.
/// </summary>
internal static unsafe partial class MtmdNative
{
    private const string M = LlamaLibrary.Mtmd;

    [LibraryImport(M)] internal static partial IntPtr mtmd_default_marker();
    [LibraryImport(M)] internal static partial MtmdContextParams mtmd_context_params_default();
    [LibraryImport(M, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr mtmd_init_from_file(string mmprojPath, SafeLlamaModelHandle textModel, MtmdContextParams parameters);
    [LibraryImport(M)] internal static partial void mtmd_free(IntPtr context);
    [LibraryImport(M)][return: MarshalAs(UnmanagedType.U1)] internal static partial bool mtmd_decode_use_non_causal(SafeMtmdContextHandle context, IntPtr chunk);
    [LibraryImport(M)][return: MarshalAs(UnmanagedType.U1)] internal static partial bool mtmd_decode_use_mrope(SafeMtmdContextHandle context);
    [LibraryImport(M)][return: MarshalAs(UnmanagedType.U1)] internal static partial bool mtmd_support_vision(SafeMtmdContextHandle context);
    [LibraryImport(M)] internal static partial IntPtr mtmd_get_marker(SafeMtmdContextHandle context);
    [LibraryImport(M)] internal static partial void mtmd_helper_log_set(delegate* unmanaged[Cdecl]<int, byte*, IntPtr, void> callback, IntPtr userData);

    [LibraryImport(M)] internal static partial IntPtr mtmd_bitmap_init(uint nx, uint ny, byte* rgb);
    [LibraryImport(M)] internal static partial void mtmd_bitmap_free(IntPtr bitmap);

    [LibraryImport(M)] internal static partial IntPtr mtmd_input_chunks_init();
    [LibraryImport(M)] internal static partial nuint mtmd_input_chunks_size(SafeMtmdInputChunksHandle chunks);
    [LibraryImport(M)] internal static partial IntPtr mtmd_input_chunks_get(SafeMtmdInputChunksHandle chunks, nuint index);
    [LibraryImport(M)] internal static partial void mtmd_input_chunks_free(IntPtr chunks);

    [LibraryImport(M)] internal static partial int mtmd_input_chunk_get_type(IntPtr chunk);
    [LibraryImport(M)] internal static partial int* mtmd_input_chunk_get_tokens_text(IntPtr chunk, nuint* nTokens);
    [LibraryImport(M)] internal static partial nuint mtmd_input_chunk_get_n_tokens(IntPtr chunk);
    [LibraryImport(M)] internal static partial int mtmd_input_chunk_get_n_pos(IntPtr chunk);
    [LibraryImport(M)] internal static partial IntPtr mtmd_input_chunk_get_tokens_image(IntPtr chunk);
    [LibraryImport(M)] internal static partial MtmdDecoderPosition mtmd_image_tokens_get_decoder_pos(IntPtr imageTokens, int position0, nuint index);

    [LibraryImport(M)]
    internal static partial int mtmd_tokenize(SafeMtmdContextHandle context, SafeMtmdInputChunksHandle output, MtmdInputText* text, IntPtr* bitmaps, nuint nBitmaps);
    [LibraryImport(M)] internal static partial int mtmd_encode_chunk(SafeMtmdContextHandle context, IntPtr chunk);
    [LibraryImport(M)] internal static partial float* mtmd_get_output_embd(SafeMtmdContextHandle context);

    // mtmd-helper: the reference prefill (text and image chunks of one sequence) that parity checks compare with.
    [LibraryImport(M)]
    internal static partial int mtmd_helper_eval_chunks(SafeMtmdContextHandle context, SafeLlamaContextHandle llamaContext, SafeMtmdInputChunksHandle chunks,
        int nPast, int seqId, int nBatch, [MarshalAs(UnmanagedType.U1)] bool logitsLast, int* newNPast);

    // gguf (libggml-base): read the mmproj's projector type without loading its tensors.
    [LibraryImport(LlamaLibrary.GgmlBase, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr gguf_init_from_file(string path, GgufInitParams parameters);
    [LibraryImport(LlamaLibrary.GgmlBase)] internal static partial void gguf_free(IntPtr context);
    [LibraryImport(LlamaLibrary.GgmlBase, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial long gguf_find_key(IntPtr context, string key);
    [LibraryImport(LlamaLibrary.GgmlBase)] internal static partial int gguf_get_kv_type(IntPtr context, long keyId);
    [LibraryImport(LlamaLibrary.GgmlBase)] internal static partial IntPtr gguf_get_val_str(IntPtr context, long keyId);
    [LibraryImport(LlamaLibrary.GgmlBase)] internal static partial uint gguf_get_val_u32(IntPtr context, long keyId);
}
