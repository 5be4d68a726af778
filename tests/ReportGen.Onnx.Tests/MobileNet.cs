using ReportGen.TestSupport;

namespace ReportGen.Onnx.Tests;

/// <summary>The shared MobileNetV2 int8 encoder and a deterministic test input.</summary>
internal static class MobileNet
{
    public const string File = "mobilenetv2-12-int8.onnx";
    public const int Size = 3 * 224 * 224;

    public static string Path => SharedData.Model(File);

    /// <summary>
    /// Which int8 kernel family ONNX Runtime's MLAS picks on this CPU. The quantised MobileNet's outputs differ between
    /// them (the AVX2 u8s8 path saturates 16-bit intermediate sums; VNNI accumulates exactly), so golden values from
    /// onnxruntime-node are recorded per family and a test compares with the family of the machine it runs on.
    /// </summary>
    public static bool CpuHasVnni { get; } = ReadCpuHasVnni();

    private static bool ReadCpuHasVnni()
    {
        try
        {
            var flags = System.IO.File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? "";
            var set = flags.Split([' ', '\t', ':'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            return set.Contains("avx512_vnni") || set.Contains("avx_vnni");
        }
        catch (IOException) { return false; }
    }

    /// <summary>x[i] = sin(i * 0.001) * 2, the input the golden values were computed for.</summary>
    public static float[] SineInput(float scale = 1f)
    {
        var x = new float[Size];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(Math.Sin(i * 0.001) * 2) * scale;
        return x;
    }
}
