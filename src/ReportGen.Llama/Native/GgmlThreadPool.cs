using System.Runtime.InteropServices;

namespace ReportGen.Llama.Native;

/// <summary>
/// A persistent ggml CPU thread pool for one llama context. Without one, every <c>llama_decode</c> of the npm build
/// (which has no OpenMP) starts and joins fresh worker threads; llama-server attaches a pool the same way
/// (common/common.cpp: the CPU backend's registry hands out <c>ggml_threadpool_new</c>/<c>ggml_threadpool_free</c>
/// as proc addresses, since they live in the dynamically loaded CPU variant, not in libggml-base).
/// </summary>
internal static unsafe partial class GgmlThreadPool
{
    /// <summary>
    /// Set to <c>off</c> to decode without a persistent pool (llama.cpp's default here); a diagnostic switch for
    /// measuring what the pool is worth.
    /// </summary>
    internal const string SwitchVariable = "REPORTGEN_LLAMA_THREADPOOL";

    private static readonly Lazy<(IntPtr New, IntPtr Free)> Functions = new(FindFunctions);

    /// <summary>Whether pools are made: the CPU backend exports the functions and the switch is not <c>off</c>.</summary>
    internal static bool Enabled =>
        !string.Equals(Environment.GetEnvironmentVariable(SwitchVariable), "off", StringComparison.OrdinalIgnoreCase)
        && Functions.Value.New != IntPtr.Zero && Functions.Value.Free != IntPtr.Zero;

    /// <summary>
    /// A new pool of <paramref name="threads"/> threads (llama.cpp's default polling and priority, as llama-server),
    /// or <see cref="IntPtr.Zero"/> when pools are not <see cref="Enabled"/> or creation failed (decoding then falls
    /// back to per-decode threads).
    /// </summary>
    internal static IntPtr Create(int threads)
    {
        if (!Enabled) return IntPtr.Zero;
        var parameters = ggml_threadpool_params_default(threads);
        var create = (delegate* unmanaged[Cdecl]<GgmlThreadPoolParams*, IntPtr>)Functions.Value.New;
        return create(&parameters);
    }

    /// <summary>Frees a pool from <see cref="Create"/> (after the context using it is freed).</summary>
    internal static void Free(IntPtr pool)
    {
        if (pool == IntPtr.Zero) return;
        ((delegate* unmanaged[Cdecl]<IntPtr, void>)Functions.Value.Free)(pool);
    }

    private static (IntPtr, IntPtr) FindFunctions()
    {
        LlamaLibrary.EnsureInitialised();
        var cpu = ggml_backend_reg_by_name("CPU");
        if (cpu == IntPtr.Zero) return (IntPtr.Zero, IntPtr.Zero);
        return (ggml_backend_reg_get_proc_address(cpu, "ggml_threadpool_new"),
            ggml_backend_reg_get_proc_address(cpu, "ggml_threadpool_free"));
    }

    [LibraryImport(LlamaLibrary.Ggml, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr ggml_backend_reg_by_name(string name);

    [LibraryImport(LlamaLibrary.GgmlBase, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr ggml_backend_reg_get_proc_address(IntPtr reg, string name);

    [LibraryImport(LlamaLibrary.GgmlBase)]
    private static partial GgmlThreadPoolParams ggml_threadpool_params_default(int threads);
}
