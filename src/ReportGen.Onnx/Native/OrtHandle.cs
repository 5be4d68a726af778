using System.Runtime.InteropServices;

namespace ReportGen.Onnx.Native;

/// <summary>An owned ORT object (OrtEnv, OrtSessionOptions, OrtSession, OrtMemoryInfo, OrtValue, ...) released through its Release* slot.</summary>
internal sealed class OrtHandle : SafeHandle
{
    private readonly int _releaseSlot;

    public OrtHandle(IntPtr handle, int releaseSlot) : base(IntPtr.Zero, ownsHandle: true)
    {
        _releaseSlot = releaseSlot;
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        OrtApi.Release(_releaseSlot, handle);
        return true;
    }
}

/// <summary>Process-wide ORT objects: ORT wants exactly one OrtEnv per process, and one CPU memory description serves every tensor.</summary>
internal static unsafe class OrtGlobals
{
    private static readonly Lazy<OrtHandle> LazyEnv = new(CreateEnv, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<OrtHandle> LazyCpuMemory = new(CreateCpuMemory, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The one OrtEnv. ORT logs only FATAL to stderr: every error we act on comes back as a status with its
    /// message, and stdout/stderr belong to the CLI's contract (one JSON object, one error line).</summary>
    public static OrtHandle Env => LazyEnv.Value;

    /// <summary>CPU memory description (arena allocator, default memory type) for tensors over managed buffers.</summary>
    public static OrtHandle CpuMemory => LazyCpuMemory.Value;

    private static OrtHandle CreateEnv()
    {
        const int OrtLoggingLevelFatal = 4;
        var logId = Marshal.StringToCoTaskMemUTF8("reportgen");
        try
        {
            IntPtr env;
            OrtApi.Check(((delegate* unmanaged[Cdecl]<int, IntPtr, IntPtr*, IntPtr>)OrtApi.Fn(OrtApiSlot.CreateEnv))(OrtLoggingLevelFatal, logId, &env), "CreateEnv");
            return new OrtHandle(env, OrtApiSlot.ReleaseEnv);
        }
        finally
        {
            Marshal.FreeCoTaskMem(logId);
        }
    }

    private static OrtHandle CreateCpuMemory()
    {
        const int OrtArenaAllocator = 1, OrtMemTypeDefault = 0;
        IntPtr info;
        OrtApi.Check(((delegate* unmanaged[Cdecl]<int, int, IntPtr*, IntPtr>)OrtApi.Fn(OrtApiSlot.CreateCpuMemoryInfo))(OrtArenaAllocator, OrtMemTypeDefault, &info), "CreateCpuMemoryInfo");
        return new OrtHandle(info, OrtApiSlot.ReleaseMemoryInfo);
    }
}
