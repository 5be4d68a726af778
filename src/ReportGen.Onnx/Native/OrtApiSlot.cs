namespace ReportGen.Onnx.Native;

/// <summary>
/// Slot indices into the <c>OrtApi</c> function table (a struct of function pointers, 8 bytes each on x86-64) for the
/// functions this binding calls.
/// </summary>
/// <remarks>
/// How the indices were derived: the members of <c>struct OrtApi</c> in <c>onnxruntime_c_api.h</c> with
/// <c>#define ORT_API_VERSION 30</c> (ONNX Runtime 1.30) were listed in declaration order, one per
/// <c>ORT_API2_STATUS(...)</c>, <c>ORT_CLASS_RELEASE(...)</c>, <c>ORT_API_T(...)</c> or plain function-pointer member
/// (426 members in that header), and numbered from 0. ONNX Runtime only ever appends to the struct (the header
/// says so and older headers, e.g. version 8 and 13, have the same prefix), so these indices hold for any library
/// that returns a table for <see cref="OrtLibrary.ApiVersion"/>. <c>OrtApiSlotTests</c> checks that each slot
/// behaves as its function should (status round trip, provider list, build info, a real session).
/// </remarks>
internal static class OrtApiSlot
{
    public const int CreateStatus = 0;
    public const int GetErrorCode = 1;
    public const int GetErrorMessage = 2;
    public const int CreateEnv = 3;
    public const int CreateSession = 7;
    public const int CreateSessionFromArray = 8;
    public const int Run = 9;
    public const int CreateSessionOptions = 10;
    public const int SetSessionGraphOptimizationLevel = 23;
    public const int SetIntraOpNumThreads = 24;
    public const int SetInterOpNumThreads = 25;
    public const int SessionGetInputCount = 30;
    public const int SessionGetOutputCount = 31;
    public const int SessionGetInputTypeInfo = 33;
    public const int SessionGetOutputTypeInfo = 34;
    public const int SessionGetInputName = 36;
    public const int SessionGetOutputName = 37;
    public const int CreateTensorWithDataAsOrtValue = 49;
    public const int GetTensorMutableData = 51;
    public const int CastTypeInfoToTensorInfo = 55;
    public const int GetOnnxTypeFromTypeInfo = 56;
    public const int GetTensorElementType = 60;
    public const int GetDimensionsCount = 61;
    public const int GetDimensions = 62;
    public const int GetTensorShapeElementCount = 64;
    public const int GetTensorTypeAndShape = 65;
    public const int CreateCpuMemoryInfo = 69;
    public const int AllocatorFree = 76;
    public const int GetAllocatorWithDefaultOptions = 78;
    public const int ReleaseEnv = 92;
    public const int ReleaseStatus = 93;
    public const int ReleaseMemoryInfo = 94;
    public const int ReleaseSession = 95;
    public const int ReleaseValue = 96;
    public const int ReleaseTypeInfo = 98;
    public const int ReleaseTensorTypeAndShapeInfo = 99;
    public const int ReleaseSessionOptions = 100;
    public const int GetAvailableProviders = 125;
    public const int ReleaseAvailableProviders = 126;
    public const int SessionOptionsAppendExecutionProvider_CUDA = 152;
    public const int GetBuildInfoString = 254;

    /// <summary>Number of members of <c>struct OrtApi</c> in the version-30 header (documentation; the table may be longer).</summary>
    public const int MemberCountInVersion30Header = 426;
}
