using System.Runtime.InteropServices;

namespace ReportGen.Onnx.Native;

/// <summary>
/// The part of ONNX Runtime's <c>struct OrtApi</c> (a table of function pointers) this binding calls: each function
/// is declared once, here, with its C signature and its slot (<c>[FieldOffset(slot * 8)]</c>, 64-bit pointers).
/// Callers write <c>OrtApi.Table-&gt;CreateSession(...)</c>, so the compiler checks every argument against the one
/// declaration; object pointers are typed (<see cref="OrtSession"/>*, <see cref="OrtValue"/>*, ...) so one kind of
/// object cannot be passed where another is expected.
/// </summary>
/// <remarks>
/// Slots are the member's index in <c>struct OrtApi</c> of <c>onnxruntime_c_api.h</c> with
/// <c>#define ORT_API_VERSION 30</c> (426 members). ONNX Runtime only ever appends to the struct, so these hold for
/// any library that returns a table for <see cref="OrtLibrary.ApiVersion"/>. <c>OrtApiTableTests</c> checks every
/// field's slot against the member list of that header (<c>tests/ReportGen.Onnx.Tests/OrtApi/ort_api_v30_members.txt</c>)
/// and calls each slot family with an observable effect.
/// </remarks>
[StructLayout(LayoutKind.Explicit)]
internal unsafe struct OrtApiTable
{
    /// <summary>Bytes per slot: the table is an array of function pointers (64-bit only, as the native packages are).</summary>
    public const int SlotSize = 8;

    /// <summary>Number of members of <c>struct OrtApi</c> in the version-30 header (the table a newer library returns may be longer).</summary>
    public const int MemberCountInVersion30Header = 426;

    // --- status ---
    [FieldOffset(0 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtErrorCode, byte*, OrtStatus*> CreateStatus;
    [FieldOffset(1 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtStatus*, OrtErrorCode> GetErrorCode;
    [FieldOffset(2 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtStatus*, byte*> GetErrorMessage;
    [FieldOffset(93 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtStatus*, void> ReleaseStatus;

    // --- environment, allocator, library ---
    /// <summary>logging function (<c>OrtLoggingFunction</c>: param, severity, category, log id, code location, message), its param, level, log id.</summary>
    [FieldOffset(4 * SlotSize)] public delegate* unmanaged[Cdecl]<delegate* unmanaged[Cdecl]<IntPtr, OrtLoggingLevel, byte*, byte*, byte*, byte*, void>, IntPtr, OrtLoggingLevel, byte*, OrtEnv**, OrtStatus*> CreateEnvWithCustomLogger;
    [FieldOffset(92 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtEnv*, void> ReleaseEnv;
    [FieldOffset(69 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtAllocatorType, OrtMemType, OrtMemoryInfo**, OrtStatus*> CreateCpuMemoryInfo;
    [FieldOffset(94 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtMemoryInfo*, void> ReleaseMemoryInfo;
    [FieldOffset(76 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtAllocator*, void*, OrtStatus*> AllocatorFree;
    [FieldOffset(78 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtAllocator**, OrtStatus*> GetAllocatorWithDefaultOptions;
    [FieldOffset(125 * SlotSize)] public delegate* unmanaged[Cdecl]<byte***, int*, OrtStatus*> GetAvailableProviders;
    [FieldOffset(126 * SlotSize)] public delegate* unmanaged[Cdecl]<byte**, int, OrtStatus*> ReleaseAvailableProviders;
    [FieldOffset(254 * SlotSize)] public delegate* unmanaged[Cdecl]<byte*> GetBuildInfoString;

    // --- session options ---
    [FieldOffset(10 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSessionOptions**, OrtStatus*> CreateSessionOptions;
    [FieldOffset(100 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSessionOptions*, void> ReleaseSessionOptions;
    [FieldOffset(23 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSessionOptions*, GraphOptimizationLevel, OrtStatus*> SetSessionGraphOptimizationLevel;
    [FieldOffset(24 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSessionOptions*, int, OrtStatus*> SetIntraOpNumThreads;
    [FieldOffset(25 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSessionOptions*, int, OrtStatus*> SetInterOpNumThreads;
    [FieldOffset(152 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSessionOptions*, OrtCudaProviderOptions*, OrtStatus*> SessionOptionsAppendExecutionProvider_CUDA;

    // --- session ---
    /// <summary>The model path is <c>ORTCHAR_T*</c>: UTF-8 <c>char</c> on Linux and macOS.</summary>
    [FieldOffset(7 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtEnv*, byte*, OrtSessionOptions*, OrtSession**, OrtStatus*> CreateSession;
    [FieldOffset(8 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtEnv*, void*, nuint, OrtSessionOptions*, OrtSession**, OrtStatus*> CreateSessionFromArray;
    [FieldOffset(95 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSession*, void> ReleaseSession;
    /// <summary>session, run options (may be null), input names, inputs, input count, output names, output count, outputs.</summary>
    [FieldOffset(9 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSession*, OrtRunOptions*, byte**, OrtValue**, nuint, byte**, nuint, OrtValue**, OrtStatus*> Run;
    [FieldOffset(30 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSession*, nuint*, OrtStatus*> SessionGetInputCount;
    [FieldOffset(31 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSession*, nuint*, OrtStatus*> SessionGetOutputCount;
    [FieldOffset(33 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSession*, nuint, OrtTypeInfo**, OrtStatus*> SessionGetInputTypeInfo;
    [FieldOffset(34 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSession*, nuint, OrtTypeInfo**, OrtStatus*> SessionGetOutputTypeInfo;
    [FieldOffset(36 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSession*, nuint, OrtAllocator*, byte**, OrtStatus*> SessionGetInputName;
    [FieldOffset(37 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtSession*, nuint, OrtAllocator*, byte**, OrtStatus*> SessionGetOutputName;

    // --- values and their types ---
    [FieldOffset(49 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtMemoryInfo*, void*, nuint, long*, nuint, OnnxElementType, OrtValue**, OrtStatus*> CreateTensorWithDataAsOrtValue;
    [FieldOffset(96 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtValue*, void> ReleaseValue;
    [FieldOffset(51 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtValue*, void**, OrtStatus*> GetTensorMutableData;
    [FieldOffset(65 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtValue*, OrtTensorTypeAndShapeInfo**, OrtStatus*> GetTensorTypeAndShape;
    [FieldOffset(98 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtTypeInfo*, void> ReleaseTypeInfo;
    /// <summary>The result is owned by the type info (not released separately); null when the type is not a tensor.</summary>
    [FieldOffset(55 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtTypeInfo*, OrtTensorTypeAndShapeInfo**, OrtStatus*> CastTypeInfoToTensorInfo;
    [FieldOffset(99 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtTensorTypeAndShapeInfo*, void> ReleaseTensorTypeAndShapeInfo;
    [FieldOffset(60 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtTensorTypeAndShapeInfo*, OnnxElementType*, OrtStatus*> GetTensorElementType;
    [FieldOffset(61 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtTensorTypeAndShapeInfo*, nuint*, OrtStatus*> GetDimensionsCount;
    [FieldOffset(62 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtTensorTypeAndShapeInfo*, long*, nuint, OrtStatus*> GetDimensions;
    [FieldOffset(64 * SlotSize)] public delegate* unmanaged[Cdecl]<OrtTensorTypeAndShapeInfo*, nuint*, OrtStatus*> GetTensorShapeElementCount;
}

// Opaque ORT object types: only ever used behind a pointer, so a call site cannot mix one kind up with another.
internal struct OrtStatus { }
internal struct OrtEnv { }
internal struct OrtMemoryInfo { }
internal struct OrtAllocator { }
internal struct OrtSessionOptions { }
internal struct OrtSession { }
internal struct OrtRunOptions { }
internal struct OrtValue { }
internal struct OrtTypeInfo { }
internal struct OrtTensorTypeAndShapeInfo { }

/// <summary>ONNX Runtime's <c>OrtLoggingLevel</c>.</summary>
internal enum OrtLoggingLevel { Verbose = 0, Info = 1, Warning = 2, Error = 3, Fatal = 4 }

/// <summary>ONNX Runtime's <c>OrtAllocatorType</c> (the values this binding uses).</summary>
internal enum OrtAllocatorType { Device = 0, Arena = 1 }

/// <summary>ONNX Runtime's <c>OrtMemType</c> (the value this binding uses).</summary>
internal enum OrtMemType { Default = 0 }

/// <summary>Mirrors <c>OrtCUDAProviderOptions</c> of the version-30 header (x86-64 layout, 64 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct OrtCudaProviderOptions
{
    public int DeviceId;
    public int CudnnConvAlgoSearch;
    public nuint GpuMemLimit;
    public int ArenaExtendStrategy;
    public int DoCopyInDefaultStream;
    public int HasUserComputeStream;
    public IntPtr UserComputeStream;
    public IntPtr DefaultMemoryArenaCfg;
    public int TunableOpEnable;
    public int TunableOpTuningEnable;
    public int TunableOpMaxTuningDurationMs;
}
