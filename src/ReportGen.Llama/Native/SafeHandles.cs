using System.Runtime.InteropServices;

namespace ReportGen.Llama.Native;

/// <summary>A native pointer this handle owns and frees once (in <see cref="SafeHandle.ReleaseHandle"/>); null is invalid.</summary>
public abstract class OwnedNativeHandle : SafeHandle
{
    private protected OwnedNativeHandle(IntPtr pointer) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(pointer);

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;
}

/// <summary>Owns a <c>llama_model*</c>; freed with <c>llama_model_free</c> once no context uses it.</summary>
public sealed class SafeLlamaModelHandle : OwnedNativeHandle
{
    internal SafeLlamaModelHandle(IntPtr model) : base(model) { }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_model_free(handle);
        return true;
    }
}

/// <summary>
/// A native object made for a model that keeps a pointer to it (a llama context, an mtmd context): the handle holds a
/// reference on the model handle until it is freed, so the model outlives it even when the model is disposed first
/// (as LLamaSharp's SafeLLamaContextHandle does). When creation returns null the reference is given back at once.
/// </summary>
public abstract class ModelBoundHandle : SafeHandle
{
    private readonly SafeLlamaModelHandle _model;

    private protected ModelBoundHandle(SafeLlamaModelHandle model, Func<IntPtr> create) : base(IntPtr.Zero, ownsHandle: true)
    {
        _model = model;
        var added = false;
        model.DangerousAddRef(ref added);
        var pointer = IntPtr.Zero;
        try
        {
            pointer = create();
        }
        finally
        {
            if (pointer == IntPtr.Zero) model.DangerousRelease();
        }
        SetHandle(pointer);
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Frees the native object (the model reference is released after).</summary>
    private protected abstract void Free(IntPtr pointer);

    /// <inheritdoc />
    protected sealed override bool ReleaseHandle()
    {
        Free(handle);
        _model.DangerousRelease();
        return true;
    }
}

/// <summary>
/// Owns a <c>llama_context*</c> (keeps its model alive, see <see cref="ModelBoundHandle"/>) and the persistent CPU
/// thread pool attached to it, freed right after the context.
/// </summary>
public sealed class SafeLlamaContextHandle : ModelBoundHandle
{
    private IntPtr _threadPool;

    internal SafeLlamaContextHandle(SafeLlamaModelHandle model, LlamaContextParams parameters, bool threadPool = true)
        : base(model, () => LlamaNative.llama_init_from_model(model, parameters))
    {
        if (IsInvalid) throw new LlamaException("llama_init_from_model failed (context too large for memory, or invalid context parameters)");
        // One pool serves single-token and batch decodes (both use the same thread count).
        if (threadPool) _threadPool = GgmlThreadPool.Create(parameters.NThreads);
        if (_threadPool != IntPtr.Zero) LlamaNative.llama_attach_threadpool(handle, _threadPool, IntPtr.Zero);
    }

    /// <summary>Whether a persistent thread pool is attached (otherwise ggml starts threads per decode).</summary>
    internal bool HasThreadPool => _threadPool != IntPtr.Zero;

    private protected override void Free(IntPtr pointer)
    {
        LlamaNative.llama_free(pointer);
        GgmlThreadPool.Free(_threadPool);
        _threadPool = IntPtr.Zero;
    }
}

/// <summary>Owns a <c>llama_sampler*</c> (usually a chain, which owns the samplers added to it).</summary>
public sealed class SafeLlamaSamplerHandle : OwnedNativeHandle
{
    internal SafeLlamaSamplerHandle(IntPtr sampler) : base(sampler) { }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_sampler_free(handle);
        return true;
    }
}

/// <summary>Owns an <c>mtmd_context*</c> (the mmproj's vision encoder; keeps the text model alive, see <see cref="ModelBoundHandle"/>).</summary>
public sealed class SafeMtmdContextHandle : ModelBoundHandle
{
    internal SafeMtmdContextHandle(SafeLlamaModelHandle model, Func<IntPtr> create) : base(model, create) { }

    private protected override void Free(IntPtr pointer) => MtmdNative.mtmd_free(pointer);
}

/// <summary>Owns an <c>mtmd_bitmap*</c> (an RGB image copied into mtmd).</summary>
public sealed class SafeMtmdBitmapHandle : OwnedNativeHandle
{
    internal SafeMtmdBitmapHandle(IntPtr bitmap) : base(bitmap) { }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        MtmdNative.mtmd_bitmap_free(handle);
        return true;
    }
}

/// <summary>Owns an <c>mtmd_input_chunks*</c> (the text and image chunks of one tokenised prompt; frees its chunks).</summary>
public sealed class SafeMtmdInputChunksHandle : OwnedNativeHandle
{
    internal SafeMtmdInputChunksHandle(IntPtr chunks) : base(chunks) { }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        MtmdNative.mtmd_input_chunks_free(handle);
        return true;
    }
}
