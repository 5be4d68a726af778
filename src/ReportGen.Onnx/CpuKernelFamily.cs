using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ReportGen.Onnx;

/// <summary>
/// Which family of ONNX Runtime CPU kernels this machine runs. Quantised (int8) kernels differ by family: the AVX2 path
/// saturates 16-bit intermediate sums where VNNI accumulates exactly, so the same encoder gives measurably different
/// vectors on AVX2 and VNNI CPUs (cosine 0.86 measured for MobileNetV2 int8). Anything stored from an encoder's output
/// (a saved <see cref="StudyIndex"/>) records the family and is only compared with vectors of the same family.
/// </summary>
public static class CpuKernelFamily
{
    /// <summary>This machine's family, e.g. <c>x64-avx512-vnni</c>, <c>x64-avx-vnni</c>, <c>x64-avx512</c>, <c>x64-avx2</c>, <c>arm64</c>.</summary>
    public static string Current { get; } = Detect();

    private static string Detect()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64) return RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var flags = CpuFlags();
        if (flags.Contains("avx512_vnni")) return "x64-avx512-vnni";
        if (flags.Contains("avx_vnni") || AvxVnni.IsSupported) return "x64-avx-vnni";
        if (Avx512F.IsSupported) return "x64-avx512";
        return Avx2.IsSupported ? "x64-avx2" : "x64-sse";
    }

    // /proc/cpuinfo names every feature the kernel reports (AVX-512 VNNI has no .NET intrinsics class to ask).
    private static HashSet<string> CpuFlags()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
            return line.Split([' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
