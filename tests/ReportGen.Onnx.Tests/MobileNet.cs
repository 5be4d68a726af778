using ReportGen.TestSupport;

namespace ReportGen.Onnx.Tests;

/// <summary>The shared MobileNetV2 int8 encoder and a deterministic test input.</summary>
internal static class MobileNet
{
    public const string File = "mobilenetv2-12-int8.onnx";
    public const int Size = 3 * 224 * 224;

    public static string Path => SharedData.Model(File);

    /// <summary>x[i] = sin(i * 0.001) * 2, the input the golden values were computed for.</summary>
    public static float[] SineInput(float scale = 1f)
    {
        var x = new float[Size];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(Math.Sin(i * 0.001) * 2) * scale;
        return x;
    }
}
