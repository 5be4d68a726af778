using System.Runtime.InteropServices;

namespace ReportGen.Llama.Native;

/// <summary>What llama.cpp build is loaded, and which ggml backends it uses (for <c>reportgen doctor</c> and provenance).</summary>
/// <param name="Build">Which build it is: its release, and for a source build its commit.</param>
/// <param name="LibraryDirectory">Where the libraries were loaded from.</param>
/// <param name="Backends">Registered ggml backends (e.g. CPU, CUDA).</param>
/// <param name="Devices">Devices with their descriptions.</param>
/// <param name="CpuVariant">The libggml-cpu-*.so actually mapped into the process (e.g. haswell), "native (built for this CPU)"
/// for a source build's one CPU backend, or null.</param>
/// <param name="SystemInfo">llama.cpp's own feature line (AVX2, F16C, ...).</param>
/// <param name="SupportsGpuOffload">Whether layers can be offloaded.</param>
public sealed partial record LlamaRuntimeInfo(
    LlamaBuild Build, string LibraryDirectory, IReadOnlyList<string> Backends,
    IReadOnlyList<string> Devices, string? CpuVariant, string SystemInfo, bool SupportsGpuOffload)
{
    /// <summary>Loads llama.cpp (if not yet) and describes it.</summary>
    public static LlamaRuntimeInfo Read()
    {
        LlamaLibrary.EnsureInitialised();
        var backends = new List<string>();
        for (nuint i = 0, n = NativeMethods.ggml_backend_reg_count(); i < n; i++)
            backends.Add(Marshal.PtrToStringUTF8(NativeMethods.ggml_backend_reg_name(NativeMethods.ggml_backend_reg_get(i))) ?? "?");
        var devices = new List<string>();
        for (nuint i = 0, n = NativeMethods.ggml_backend_dev_count(); i < n; i++)
        {
            var dev = NativeMethods.ggml_backend_dev_get(i);
            devices.Add($"{Marshal.PtrToStringUTF8(NativeMethods.ggml_backend_dev_name(dev))} ({Marshal.PtrToStringUTF8(NativeMethods.ggml_backend_dev_description(dev))})");
        }
        return new LlamaRuntimeInfo(LlamaBuild.Read(LlamaLibrary.Directory), LlamaLibrary.Directory, backends, devices, LoadedCpuVariant(),
            Marshal.PtrToStringUTF8(NativeMethods.llama_print_system_info())?.Trim() ?? "",
            NativeMethods.llama_supports_gpu_offload());
    }

    // ggml picks the best CPU variant at run time; /proc/self/maps shows which one it mapped. A source build for this CPU
    // (provision.sh llama-native) has one plain libggml-cpu.so.N, compiled for the machine it was built on.
    private static string? LoadedCpuVariant()
    {
        try
        {
            var names = File.ReadLines("/proc/self/maps")
                .Select(l => Path.GetFileName(l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? ""))
                .Where(f => f.StartsWith("libggml-cpu", StringComparison.Ordinal)).ToList();
            var variant = names.FirstOrDefault(f => f.StartsWith("libggml-cpu-", StringComparison.Ordinal) && f.EndsWith(".so", StringComparison.Ordinal));
            return variant is not null ? variant["libggml-cpu-".Length..^3]
                : names.Any(f => f.StartsWith("libggml-cpu.so", StringComparison.Ordinal)) ? "native (built for this CPU)"
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static partial class NativeMethods
    {
        [LibraryImport(LlamaLibrary.Ggml)] internal static partial nuint ggml_backend_reg_count();
        [LibraryImport(LlamaLibrary.Ggml)] internal static partial IntPtr ggml_backend_reg_get(nuint index);
        [LibraryImport(LlamaLibrary.GgmlBase)] internal static partial IntPtr ggml_backend_reg_name(IntPtr reg);
        [LibraryImport(LlamaLibrary.Ggml)] internal static partial nuint ggml_backend_dev_count();
        [LibraryImport(LlamaLibrary.Ggml)] internal static partial IntPtr ggml_backend_dev_get(nuint index);
        [LibraryImport(LlamaLibrary.GgmlBase)] internal static partial IntPtr ggml_backend_dev_name(IntPtr dev);
        [LibraryImport(LlamaLibrary.GgmlBase)] internal static partial IntPtr ggml_backend_dev_description(IntPtr dev);
        [LibraryImport(LlamaLibrary.Llama)] internal static partial IntPtr llama_print_system_info();
        [LibraryImport(LlamaLibrary.Llama)][return: MarshalAs(UnmanagedType.U1)] internal static partial bool llama_supports_gpu_offload();
    }
}
