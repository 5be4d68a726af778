using System.Runtime.InteropServices;

namespace ReportGen.Onnx.Native;

/// <summary>An owned ORT object of kind <typeparamref name="T"/>, released by the kind's own Release function.</summary>
internal abstract unsafe class OrtHandle<T> : SafeHandle where T : unmanaged
{
    protected OrtHandle(T* pointer) : base(IntPtr.Zero, ownsHandle: true) => SetHandle((IntPtr)pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The typed pointer, for calls through <see cref="OrtApi.Table"/> (no reference taken: see <see cref="SafeHandle.DangerousGetHandle"/>).</summary>
    public T* Pointer => (T*)handle;
}

/// <summary>An <c>OrtEnv</c>.</summary>
internal sealed unsafe class OrtEnvHandle(OrtEnv* pointer) : OrtHandle<OrtEnv>(pointer)
{
    protected override bool ReleaseHandle() { OrtApi.Table->ReleaseEnv((OrtEnv*)handle); return true; }
}

/// <summary>An <c>OrtMemoryInfo</c>.</summary>
internal sealed unsafe class OrtMemoryInfoHandle(OrtMemoryInfo* pointer) : OrtHandle<OrtMemoryInfo>(pointer)
{
    protected override bool ReleaseHandle() { OrtApi.Table->ReleaseMemoryInfo((OrtMemoryInfo*)handle); return true; }
}

/// <summary>An <c>OrtSessionOptions</c>.</summary>
internal sealed unsafe class OrtSessionOptionsHandle(OrtSessionOptions* pointer) : OrtHandle<OrtSessionOptions>(pointer)
{
    /// <summary>New options with ORT's defaults.</summary>
    public static OrtSessionOptionsHandle Create()
    {
        OrtSessionOptions* options;
        OrtApi.Check(OrtApi.Table->CreateSessionOptions(&options), "CreateSessionOptions");
        return new OrtSessionOptionsHandle(options);
    }

    protected override bool ReleaseHandle() { OrtApi.Table->ReleaseSessionOptions((OrtSessionOptions*)handle); return true; }
}

/// <summary>An <c>OrtSession</c>.</summary>
internal sealed unsafe class OrtSessionHandle(OrtSession* pointer) : OrtHandle<OrtSession>(pointer)
{
    protected override bool ReleaseHandle() { OrtApi.Table->ReleaseSession((OrtSession*)handle); return true; }
}

/// <summary>An <c>OrtTypeInfo</c>.</summary>
internal sealed unsafe class OrtTypeInfoHandle(OrtTypeInfo* pointer) : OrtHandle<OrtTypeInfo>(pointer)
{
    protected override bool ReleaseHandle() { OrtApi.Table->ReleaseTypeInfo((OrtTypeInfo*)handle); return true; }
}

/// <summary>An <c>OrtTensorTypeAndShapeInfo</c> ORT allocated for the caller (not one owned by a type info).</summary>
internal sealed unsafe class OrtTensorTypeAndShapeInfoHandle(OrtTensorTypeAndShapeInfo* pointer) : OrtHandle<OrtTensorTypeAndShapeInfo>(pointer)
{
    protected override bool ReleaseHandle() { OrtApi.Table->ReleaseTensorTypeAndShapeInfo((OrtTensorTypeAndShapeInfo*)handle); return true; }
}

/// <summary>Process-wide ORT objects: ORT wants exactly one OrtEnv per process, and one CPU memory description serves every tensor.</summary>
internal static unsafe class OrtGlobals
{
    private static readonly Lazy<OrtEnvHandle> LazyEnv = new(CreateEnv, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<OrtMemoryInfoHandle> LazyCpuMemory = new(CreateCpuMemory, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The one OrtEnv. ORT logs only FATAL, through <see cref="OrtLog"/>: every error we act on comes back as a
    /// status with its message, and stdout/stderr belong to the CLI's contract (one JSON object, one error line).</summary>
    public static OrtEnvHandle Env => LazyEnv.Value;

    /// <summary>CPU memory description (arena allocator, default memory type) for tensors over managed buffers.</summary>
    public static OrtMemoryInfoHandle CpuMemory => LazyCpuMemory.Value;

    private static OrtEnvHandle CreateEnv()
    {
        var logId = Marshal.StringToCoTaskMemUTF8("reportgen");
        try
        {
            OrtEnv* env;
            OrtApi.Check(OrtApi.Table->CreateEnvWithCustomLogger(OrtLog.Callback, IntPtr.Zero, OrtLoggingLevel.Fatal, (byte*)logId, &env), "CreateEnvWithCustomLogger");
            return new OrtEnvHandle(env);
        }
        finally
        {
            Marshal.FreeCoTaskMem(logId);
        }
    }

    private static OrtMemoryInfoHandle CreateCpuMemory()
    {
        OrtMemoryInfo* info;
        OrtApi.Check(OrtApi.Table->CreateCpuMemoryInfo(OrtAllocatorType.Arena, OrtMemType.Default, &info), "CreateCpuMemoryInfo");
        return new OrtMemoryInfoHandle(info);
    }
}
