namespace ReportGen.Core.Imaging;

/// <summary>An 8-bit RGB image, row-major, <c>RGBRGB...</c> (what llama.cpp's multimodal library takes).</summary>
/// <param name="Width">Columns.</param>
/// <param name="Height">Rows.</param>
/// <param name="Pixels">Width × Height × 3 bytes.</param>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>Checks the shape; throws <see cref="ArgumentException"/> naming the mismatch.</summary>
    public void Validate()
    {
        if (Width <= 0 || Height <= 0 || Pixels.Length != (long)Width * Height * 3)
            throw new ArgumentException($"RGB image {Width}x{Height} does not match {Pixels.Length} bytes");
    }
}

/// <summary>
/// Decodes an image file (PNG, JPEG, DICOM bytes) to 8-bit RGB. The LLM runtime needs this to hand images to an mmproj
/// vision encoder, but must not depend on the imaging project (Core ← Imaging/Llama), so the seam is this interface:
/// the imaging side implements it and the composition root passes it in.
/// </summary>
public interface IRgbImageDecoder
{
    /// <summary>Decodes one image; grey images are replicated into the three channels.</summary>
    /// <param name="image">The file bytes.</param>
    /// <param name="mediaType">The media type if known.</param>
    /// <param name="decoded">The file as a front door already decoded it (its pixels are reused instead of decoding again), or null.</param>
    /// <remarks>Undecodable bytes throw the implementation's typed decode error (the hosts map it to 400 / exit 2).</remarks>
    RgbImage Decode(ReadOnlyMemory<byte> image, string? mediaType, DecodedImage? decoded = null);
}
