using System.Text;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>Multipart bodies and small real images for the draft endpoint.</summary>
internal static class Multipart
{
    public const string Boundary = "reportgen-test-boundary";

    /// <summary>A multipart/form-data body: file parts (with a file name) and text fields (without).</summary>
    public static (string ContentType, byte[] Body) Build(params (string Name, string? File, byte[] Data)[] parts)
    {
        using var body = new MemoryStream();
        void Write(string s) => body.Write(Encoding.UTF8.GetBytes(s));
        foreach (var (name, file, data) in parts)
        {
            Write($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"" + (file is null ? "" : $"; filename=\"{file}\"") + "\r\n");
            Write(file is null ? "\r\n" : "Content-Type: application/octet-stream\r\n\r\n");
            body.Write(data);
            Write("\r\n");
        }
        Write($"--{Boundary}--\r\n");
        return ($"multipart/form-data; boundary={Boundary}", body.ToArray());
    }

    /// <summary>A valid 64×48 8-bit grey PNG (a gradient).</summary>
    public static byte[] Png(int width = 64, int height = 48) =>
        PngWriter.Write(width, height, 0, 8, [.. Enumerable.Range(0, width * height).Select(i => (ushort)(i * 7 % 256))]);

    /// <summary>A PNG of random grey noise: it does not compress, so its size is about width × height bytes.</summary>
    public static byte[] NoisePng(int width, int height)
    {
        var random = new Random(7);
        return PngWriter.Write(width, height, 0, 8, [.. Enumerable.Range(0, width * height).Select(_ => (ushort)random.Next(256))]);
    }

    /// <summary>A PNG whose signature and header are right and whose image data is garbage.</summary>
    public static byte[] CorruptPng()
    {
        var png = Png();
        for (var i = 45; i < png.Length - 12; i++) png[i] ^= 0x5A;
        return png;
    }
}
