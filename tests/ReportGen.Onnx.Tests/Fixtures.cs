using System.Text.Json;
using ReportGen.Imaging;
using ReportGen.TestSupport;

namespace ReportGen.Onnx.Tests;

/// <summary>The generated ONNX fixtures (tests/fixtures/onnx, made by generate.py) and their numpy reference outputs.</summary>
internal static class Fixtures
{
    public static string Onnx(string name) => RepoFiles.Path("tests", "fixtures", "onnx", name);

    public static JsonElement Expected(string model) =>
        JsonDocument.Parse(File.ReadAllText(Onnx("expected.json"))).RootElement.GetProperty(model);

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();

    /// <summary>sin(0.01 * i) * scale, the generator's probe input.</summary>
    public static float[] Probe(int count, float scale = 1f) =>
        Enumerable.Range(0, count).Select(i => (float)(Math.Sin(i * 0.01) * scale)).ToArray();

    /// <summary>The smooth grey test image of golden_preprocess.py: v = 0.5 + 0.5 sin(x/37) cos(y/23).</summary>
    public static PixelImage SmoothGrey(int width = 1280, int height = 960)
    {
        var pixels = new float[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                pixels[y * width + x] = (float)(0.5 + 0.5 * Math.Sin(x / 37.0) * Math.Cos(y / 23.0));
        return new PixelImage(width, height, 1, pixels);
    }

    /// <summary>MobileNet's manifest preprocessing (models/models.json).</summary>
    public static Core.Models.Preprocessing MobileNetSpec => new()
    {
        Width = 224, Height = 224, Resize = "shortest-edge", ShortestEdge = 256, Crop = "center",
        Mean = [0.485f, 0.456f, 0.406f], Std = [0.229f, 0.224f, 0.225f], Channels = "RGB", Layout = "NCHW",
        InputName = "input", PooledOutput = "output",
    };
}
