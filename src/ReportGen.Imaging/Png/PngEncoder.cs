using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using ReportGen.Core.Imaging;

namespace ReportGen.Imaging.Png;

/// <summary>
/// Writes 8-bit RGB as PNG: how a decoded study image (DICOM included) travels to a remote vision-language engine as an
/// OpenAI <c>image_url</c> data URI. Lossless, so the engine's own decoder sees exactly the bytes our local
/// multimodal path hands to llama.cpp.
/// </summary>
public static class PngEncoder
{
    /// <summary>The PNG media type.</summary>
    public const string MediaType = "image/png";

    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes <paramref name="image"/> (colour type 2, bit depth 8, each row Sub-filtered).</summary>
    public static byte[] EncodeRgb(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        image.Validate();
        var stride = image.Width * 3;
        var raw = new byte[(stride + 1) * image.Height];
        for (var y = 0; y < image.Height; y++)
        {
            var row = image.Pixels.AsSpan(y * stride, stride);
            var dst = raw.AsSpan(y * (stride + 1) + 1, stride);
            raw[y * (stride + 1)] = 1; // Sub: the difference to the pixel on the left compresses radiographs well
            for (var i = 0; i < stride; i++) dst[i] = (byte)(row[i] - (i >= 3 ? row[i - 3] : 0));
        }
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        using var png = new MemoryStream();
        png.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)image.Width);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)image.Height);
        header[8] = 8; // bit depth
        header[9] = 2; // truecolour
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)body.Length);
        s.Write(word);
        var name = Encoding.ASCII.GetBytes(type);
        s.Write(name);
        s.Write(body);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Update(Crc32.Update(0xFFFFFFFFu, name), body) ^ 0xFFFFFFFFu);
        s.Write(word);
    }
}
