using System.Runtime.InteropServices;

namespace ReportGen.Onnx.Native;

/// <summary>
/// The <c>OrtApi</c> function table and typed calls through it (<c>delegate* unmanaged[Cdecl]</c>). Every call that
/// returns an <c>OrtStatus*</c> goes through <see cref="Check"/>, which turns a failure into an
/// <see cref="OnnxRuntimeException"/> carrying ORT's message and releases the status.
/// </summary>
internal static unsafe class OrtApi
{
    private static IntPtr* _table;
    private static readonly Lock Gate = new();

    /// <summary>The function table; loads the library on first use (throws <see cref="DllNotFoundException"/> when absent).</summary>
    public static IntPtr* Table
    {
        get
        {
            if (_table != null) return _table;
            lock (Gate)
            {
                if (_table == null) _table = (IntPtr*)OrtLibrary.Api();
                return _table;
            }
        }
    }

    /// <summary>The function pointer in <paramref name="slot"/> (see <see cref="OrtApiSlot"/>).</summary>
    public static IntPtr Fn(int slot) => Table[slot];

    /// <summary>Throws when <paramref name="status"/> is an error; always releases it.</summary>
    public static void Check(IntPtr status, string? context = null)
    {
        if (status == IntPtr.Zero) return;
        throw ToException(status, context);
    }

    /// <summary>Reads code and message of a non-null status, releases it, and returns the exception to throw.</summary>
    public static OnnxRuntimeException ToException(IntPtr status, string? context)
    {
        try
        {
            var code = ((delegate* unmanaged[Cdecl]<IntPtr, int>)Fn(OrtApiSlot.GetErrorCode))(status);
            var message = Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)Fn(OrtApiSlot.GetErrorMessage))(status)) ?? "(no message)";
            return new OnnxRuntimeException((OrtErrorCode)code, context is null ? message : $"{context}: {message}");
        }
        finally
        {
            ReleaseStatus(status);
        }
    }

    public static IntPtr CreateStatus(OrtErrorCode code, string message)
    {
        var utf8 = Marshal.StringToCoTaskMemUTF8(message);
        try { return ((delegate* unmanaged[Cdecl]<int, IntPtr, IntPtr>)Fn(OrtApiSlot.CreateStatus))((int)code, utf8); }
        finally { Marshal.FreeCoTaskMem(utf8); }
    }

    public static void ReleaseStatus(IntPtr status) =>
        ((delegate* unmanaged[Cdecl]<IntPtr, void>)Fn(OrtApiSlot.ReleaseStatus))(status);

    /// <summary>Calls a one-pointer-argument release function (Release*).</summary>
    public static void Release(int slot, IntPtr handle) =>
        ((delegate* unmanaged[Cdecl]<IntPtr, void>)Fn(slot))(handle);

    /// <summary>Execution providers compiled into the loaded library (e.g. CPUExecutionProvider, CUDAExecutionProvider).</summary>
    public static string[] AvailableProviders()
    {
        IntPtr list;
        int count;
        Check(((delegate* unmanaged[Cdecl]<IntPtr*, int*, IntPtr>)Fn(OrtApiSlot.GetAvailableProviders))(&list, &count), "GetAvailableProviders");
        try
        {
            var names = new string[count];
            for (var i = 0; i < count; i++) names[i] = Marshal.PtrToStringUTF8(((IntPtr*)list)[i]) ?? "";
            return names;
        }
        finally
        {
            Check(((delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)Fn(OrtApiSlot.ReleaseAvailableProviders))(list, count), "ReleaseAvailableProviders");
        }
    }

    /// <summary>The library's build description (git commit, build type).</summary>
    public static string BuildInfo() =>
        Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<IntPtr>)Fn(OrtApiSlot.GetBuildInfoString))()) ?? "";

    /// <summary>The default CPU allocator (owned by ORT, never released).</summary>
    public static IntPtr DefaultAllocator()
    {
        IntPtr allocator;
        Check(((delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)Fn(OrtApiSlot.GetAllocatorWithDefaultOptions))(&allocator), "GetAllocatorWithDefaultOptions");
        return allocator;
    }

    /// <summary>Copies a UTF-8 string ORT allocated with <paramref name="allocator"/> and frees it.</summary>
    public static string TakeAllocatorString(IntPtr allocator, IntPtr value)
    {
        try { return Marshal.PtrToStringUTF8(value) ?? ""; }
        finally { Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr>)Fn(OrtApiSlot.AllocatorFree))(allocator, value), "AllocatorFree"); }
    }
}

/// <summary>ONNX Runtime's <c>OrtErrorCode</c>.</summary>
public enum OrtErrorCode
{
    /// <summary>No error.</summary>
    Ok = 0,
    /// <summary>ORT_FAIL.</summary>
    Fail = 1,
    /// <summary>ORT_INVALID_ARGUMENT.</summary>
    InvalidArgument = 2,
    /// <summary>ORT_NO_SUCHFILE.</summary>
    NoSuchFile = 3,
    /// <summary>ORT_NO_MODEL.</summary>
    NoModel = 4,
    /// <summary>ORT_ENGINE_ERROR.</summary>
    EngineError = 5,
    /// <summary>ORT_RUNTIME_EXCEPTION.</summary>
    RuntimeException = 6,
    /// <summary>ORT_INVALID_PROTOBUF.</summary>
    InvalidProtobuf = 7,
    /// <summary>ORT_MODEL_LOADED.</summary>
    ModelLoaded = 8,
    /// <summary>ORT_NOT_IMPLEMENTED.</summary>
    NotImplemented = 9,
    /// <summary>ORT_INVALID_GRAPH.</summary>
    InvalidGraph = 10,
    /// <summary>ORT_EP_FAIL.</summary>
    EpFail = 11,
}
