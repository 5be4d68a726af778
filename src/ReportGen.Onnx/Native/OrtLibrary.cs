using System.Reflection;
using System.Runtime.InteropServices;

namespace ReportGen.Onnx.Native;

/// <summary>
/// Locates the npm-provisioned <c>libonnxruntime.so.1</c> (<c>native/onnxruntime/</c> beside the binaries,
/// or <c>REPORTGEN_ORT_LIB_DIR</c>) and exposes the C API entry point. The assembly's one DllImport resolver.
/// </summary>
public static unsafe partial class OrtLibrary
{
    /// <summary>Library name used in <c>LibraryImport</c>.</summary>
    public const string Name = "onnxruntime";

    /// <summary>The ORT_API_VERSION of the headers this binding follows (ONNX Runtime 1.30: ORT_API_VERSION 30).</summary>
    public const uint ApiVersion = 30;

    static OrtLibrary() => NativeLibrary.SetDllImportResolver(typeof(OrtLibrary).Assembly, Resolve);

    /// <summary>The folder the library is loaded from.</summary>
    public static string Directory { get; } =
        Environment.GetEnvironmentVariable("REPORTGEN_ORT_LIB_DIR") is { Length: > 0 } env ? env : Path.Combine(AppContext.BaseDirectory, "native", "onnxruntime");

    /// <summary>The version string the loaded library reports (e.g. "1.30.0").</summary>
    /// <exception cref="DllNotFoundException">The library is not where the build put it.</exception>
    public static string Version()
    {
        var apiBase = BaseOrThrow();
        return Marshal.PtrToStringUTF8((IntPtr)apiBase->GetVersionString()) ?? "unknown";
    }

    /// <summary>The <c>OrtApi</c> function table for <see cref="ApiVersion"/>, or throws when the library is older.</summary>
    public static IntPtr Api()
    {
        var apiBase = BaseOrThrow();
        var api = (IntPtr)apiBase->GetApi(ApiVersion);
        return api != IntPtr.Zero ? api : throw new DllNotFoundException($"ONNX Runtime {Version()} does not provide API version {ApiVersion}");
    }

    private static OrtApiBase* BaseOrThrow()
    {
        var path = Path.Combine(Directory, "libonnxruntime.so.1");
        if (!File.Exists(path))
            throw new DllNotFoundException($"ONNX Runtime not found at {path}; build the project (dotnet build) so it is provisioned from npm, or set REPORTGEN_ORT_LIB_DIR");
        return OrtGetApiBase();
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Name) return IntPtr.Zero;
        var path = Path.Combine(Directory, "libonnxruntime.so.1");
        return File.Exists(path) ? NativeLibrary.Load(path) : IntPtr.Zero;
    }

    /// <summary><c>struct OrtApiBase</c>: the two functions every ORT version has.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct OrtApiBase
    {
        public delegate* unmanaged[Cdecl]<uint, OrtApiTable*> GetApi;
        public delegate* unmanaged[Cdecl]<byte*> GetVersionString;
    }

    [LibraryImport(Name)]
    private static partial OrtApiBase* OrtGetApiBase();
}
