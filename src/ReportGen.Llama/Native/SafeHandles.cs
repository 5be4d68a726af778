using System.Runtime.InteropServices;

namespace ReportGen.Llama.Native;

/// <summary>Owns a <c>llama_model*</c>; freed with <c>llama_model_free</c> once no context uses it.</summary>
public sealed class SafeLlamaModelHandle : SafeHandle
{
    internal SafeLlamaModelHandle(IntPtr model) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(model);

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_model_free(handle);
        return true;
    }
}

/// <summary>
/// Owns a <c>llama_context*</c>. It holds a reference on its model handle, so the model outlives every
/// context made from it even when the model is disposed first (as LLamaSharp's SafeLLamaContextHandle does).
/// </summary>
public sealed class SafeLlamaContextHandle : SafeHandle
{
    private readonly SafeLlamaModelHandle _model;

    internal SafeLlamaContextHandle(SafeLlamaModelHandle model, LlamaContextParams parameters) : base(IntPtr.Zero, ownsHandle: true)
    {
        _model = model;
        var added = false;
        model.DangerousAddRef(ref added);
        var ctx = LlamaNative.llama_init_from_model(model, parameters);
        if (ctx == IntPtr.Zero)
        {
            model.DangerousRelease();
            throw new LlamaException("llama_init_from_model failed (context too large for memory, or invalid context parameters)");
        }
        SetHandle(ctx);
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_free(handle);
        _model.DangerousRelease();
        return true;
    }
}

/// <summary>Owns a <c>llama_sampler*</c> (usually a chain, which owns the samplers added to it).</summary>
public sealed class SafeLlamaSamplerHandle : SafeHandle
{
    internal SafeLlamaSamplerHandle(IntPtr sampler) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(sampler);

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_sampler_free(handle);
        return true;
    }
}

/// <summary>
/// Owns an <c>mtmd_context*</c> (the mmproj's vision encoder). mtmd keeps a pointer to the text model, so the handle
/// holds a reference on the model handle until it is freed, as a llama context does.
/// </summary>
public sealed class SafeMtmdContextHandle : SafeHandle
{
    private readonly SafeLlamaModelHandle _model;

    internal SafeMtmdContextHandle(SafeLlamaModelHandle model, Func<IntPtr> create) : base(IntPtr.Zero, ownsHandle: true)
    {
        _model = model;
        var added = false;
        model.DangerousAddRef(ref added);
        var ctx = IntPtr.Zero;
        try
        {
            ctx = create();
        }
        finally
        {
            if (ctx == IntPtr.Zero) model.DangerousRelease();
        }
        SetHandle(ctx);
    }

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        MtmdNative.mtmd_free(handle);
        _model.DangerousRelease();
        return true;
    }
}

/// <summary>Owns an <c>mtmd_bitmap*</c> (an RGB image copied into mtmd).</summary>
public sealed class SafeMtmdBitmapHandle : SafeHandle
{
    internal SafeMtmdBitmapHandle(IntPtr bitmap) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(bitmap);

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        MtmdNative.mtmd_bitmap_free(handle);
        return true;
    }
}

/// <summary>Owns an <c>mtmd_input_chunks*</c> (the text and image chunks of one tokenised prompt; frees its chunks).</summary>
public sealed class SafeMtmdInputChunksHandle : SafeHandle
{
    internal SafeMtmdInputChunksHandle(IntPtr chunks) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(chunks);

    /// <inheritdoc />
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        MtmdNative.mtmd_input_chunks_free(handle);
        return true;
    }
}
