using System.Runtime.InteropServices;

namespace ReportGen.Onnx.Native;

/// <summary>
/// The loaded <c>OrtApi</c> function table (<see cref="OrtApiTable"/>: every function declared once, typed) and the
/// helpers around it. Every call that returns an <c>OrtStatus*</c> goes through <see cref="Check"/>, which turns a
/// failure into an <see cref="OnnxRuntimeException"/> carrying ORT's message and releases the status.
/// </summary>
internal static unsafe class OrtApi
{
    private static OrtApiTable* _table;
    private static readonly Lock Gate = new();

    /// <summary>The function table; loads the library on first use (throws <see cref="DllNotFoundException"/> when absent).</summary>
    public static OrtApiTable* Table
    {
        get
        {
            if (_table != null) return _table;
            lock (Gate)
            {
                if (_table == null) _table = (OrtApiTable*)OrtLibrary.Api();
                return _table;
            }
        }
    }

    /// <summary>Throws when <paramref name="status"/> is an error; always releases it.</summary>
    public static void Check(OrtStatus* status, string? context = null)
    {
        if (status == null) return;
        throw ToException(status, context);
    }

    /// <summary>Reads code and message of a non-null status, releases it, and returns the exception to throw.</summary>
    public static OnnxRuntimeException ToException(OrtStatus* status, string? context)
    {
        try
        {
            var code = Table->GetErrorCode(status);
            var message = Marshal.PtrToStringUTF8((IntPtr)Table->GetErrorMessage(status)) ?? "(no message)";
            return new OnnxRuntimeException(code, context is null ? message : $"{context}: {message}");
        }
        finally
        {
            Table->ReleaseStatus(status);
        }
    }

    /// <summary>A new error status (tests use it to check the status functions).</summary>
    public static OrtStatus* CreateStatus(OrtErrorCode code, string message)
    {
        var utf8 = Marshal.StringToCoTaskMemUTF8(message);
        try { return Table->CreateStatus(code, (byte*)utf8); }
        finally { Marshal.FreeCoTaskMem(utf8); }
    }

    /// <summary>Execution providers compiled into the loaded library (e.g. CPUExecutionProvider, CUDAExecutionProvider).</summary>
    public static string[] AvailableProviders()
    {
        byte** list;
        int count;
        Check(Table->GetAvailableProviders(&list, &count), "GetAvailableProviders");
        try
        {
            var names = new string[count];
            for (var i = 0; i < count; i++) names[i] = Marshal.PtrToStringUTF8((IntPtr)list[i]) ?? "";
            return names;
        }
        finally
        {
            Check(Table->ReleaseAvailableProviders(list, count), "ReleaseAvailableProviders");
        }
    }

    /// <summary>The library's build description (git commit, build type).</summary>
    public static string BuildInfo() => Marshal.PtrToStringUTF8((IntPtr)Table->GetBuildInfoString()) ?? "";

    /// <summary>The default CPU allocator (owned by ORT, never released).</summary>
    public static OrtAllocator* DefaultAllocator()
    {
        OrtAllocator* allocator;
        Check(Table->GetAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions");
        return allocator;
    }

    /// <summary>Copies a UTF-8 string ORT allocated with <paramref name="allocator"/> and frees it.</summary>
    public static string TakeAllocatorString(OrtAllocator* allocator, byte* value)
    {
        try { return Marshal.PtrToStringUTF8((IntPtr)value) ?? ""; }
        finally { Check(Table->AllocatorFree(allocator, value), "AllocatorFree"); }
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
