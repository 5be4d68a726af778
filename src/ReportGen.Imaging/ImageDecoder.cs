using ReportGen.Imaging.Ct;
using ReportGen.Imaging.Dicom;
using ReportGen.Imaging.Jpeg;
using ReportGen.Imaging.Png;

namespace ReportGen.Imaging;

/// <summary>The formats <see cref="ImageDecoder.Sniff"/> recognises.</summary>
public enum ImageFormat
{
    /// <summary>Not recognised.</summary>
    Unknown,
    /// <summary>PNG (signature 89 50 4E 47 0D 0A 1A 0A).</summary>
    Png,
    /// <summary>JPEG (SOI FF D8 FF).</summary>
    Jpeg,
    /// <summary>DICOM: Part 10 ("DICM" at offset 128) or a bare data set (group 0002 or 0008 first).</summary>
    Dicom,
    /// <summary>A zip archive (a CT series of DICOM files).</summary>
    Zip,
}

/// <summary>
/// The one entry point for image input: sniffs the format by its magic bytes and decodes it.
/// Bad input always surfaces as <see cref="ImageDecodeException"/>.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Recognises the format from the first bytes (PNG signature, JPEG SOI, DICM at 128 or a bare DICOM data set, zip local header).</summary>
    public static ImageFormat Sniff(ReadOnlySpan<byte> data)
    {
        if (data.Length >= 8 && data[..8].SequenceEqual(PngDecoder.Signature)) return ImageFormat.Png;
        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFormat.Jpeg;
        if (data.Length >= 4 && data[0] == 0x50 && data[1] == 0x4B && data[2] is 3 or 5 && data[3] is 4 or 6) return ImageFormat.Zip;
        if (DicomFile.LooksLikeDicom(data)) return ImageFormat.Dicom;
        return ImageFormat.Unknown;
    }

    /// <summary>Decodes a single image (PNG, JPEG or DICOM; frame <see cref="ImageDecodeOptions.Frame"/> of a multi-frame DICOM).</summary>
    /// <exception cref="ImageDecodeException">Unknown format, bad or over-limit data; code <c>is_series</c> for a zip (use <see cref="DecodeAny(ReadOnlySpan{byte}, ImageDecodeOptions?)"/>).</exception>
    public static PixelImage Decode(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null)
    {
        var result = DecodeAny(data, options);
        return result.Image ?? throw new ImageDecodeException(ImageDecodeErrorCodes.IsSeries,
            "the input is a zip of a CT series, not a single image: use ImageDecoder.DecodeAny or Ct.CtSeriesReader");
    }

    /// <summary>Reads a stream fully (up to <see cref="ImageDecodeOptions.MaxInputBytes"/>) and decodes it like <see cref="Decode(ReadOnlySpan{byte}, ImageDecodeOptions?)"/>.</summary>
    public static PixelImage Decode(Stream stream, ImageDecodeOptions? options = null) =>
        Decode(ReadAll(stream, options ?? ImageDecodeOptions.Default), options);

    /// <summary>Reads a file (refusing one over <see cref="ImageDecodeOptions.MaxInputBytes"/> before reading it) and decodes it like <see cref="DecodeAny(ReadOnlySpan{byte}, ImageDecodeOptions?)"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (an I/O error, not a decode error).</exception>
    public static DecodedInput DecodeFile(string path, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        var length = new FileInfo(path).Length;
        if (length > options.MaxInputBytes)
            throw Fail.TooLarge($"file of {length} bytes exceeds MaxInputBytes {options.MaxInputBytes}");
        return DecodeAny(File.ReadAllBytes(path), options);
    }

    /// <summary>Decodes a single image or, for a zip, a CT series.</summary>
    public static DecodedInput DecodeAny(ReadOnlySpan<byte> data, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        if (data.Length > options.MaxInputBytes)
            throw Fail.TooLarge($"input of {data.Length} bytes exceeds MaxInputBytes {options.MaxInputBytes}");
        try
        {
            return Sniff(data) switch
            {
                ImageFormat.Png => new DecodedInput(PngDecoder.Decode(data, options), null),
                ImageFormat.Jpeg => new DecodedInput(JpegDecoder.Decode(data, options), null),
                ImageFormat.Dicom => new DecodedInput(DicomDecoder.Decode(data, options), null),
                ImageFormat.Zip => new DecodedInput(null, CtSeriesReader.ReadZip(data, options)),
                _ => throw new ImageDecodeException(ImageDecodeErrorCodes.BadMagic,
                    "unrecognised image format: expected PNG, JPEG, DICOM or a zip of DICOM files"),
            };
        }
        catch (ImageDecodeException)
        {
            throw;
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidDataException
                                  or OverflowException or InvalidOperationException or EndOfStreamException or IOException or NotSupportedException)
        {
            // A last line of defence: a decoder bug on hostile input must still surface as a typed error.
            throw new ImageDecodeException(ImageDecodeErrorCodes.Corrupt, $"corrupt data: {e.GetType().Name} while decoding", e);
        }
    }

    /// <summary>Stream form of <see cref="DecodeAny(ReadOnlySpan{byte}, ImageDecodeOptions?)"/>.</summary>
    public static DecodedInput DecodeAny(Stream stream, ImageDecodeOptions? options = null) =>
        DecodeAny(ReadAll(stream, options ?? ImageDecodeOptions.Default), options);

    /// <summary>Reads a stream to its end, refusing more than <see cref="ImageDecodeOptions.MaxInputBytes"/>.</summary>
    internal static byte[] ReadAll(Stream stream, ImageDecodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek && stream.Length - stream.Position > options.MaxInputBytes)
            throw Fail.TooLarge($"input of {stream.Length - stream.Position} bytes exceeds MaxInputBytes {options.MaxInputBytes}");
        using var ms = new MemoryStream();
        var buf = new byte[81920];
        int n;
        while ((n = stream.Read(buf, 0, buf.Length)) > 0)
        {
            if (ms.Length + n > options.MaxInputBytes)
                throw Fail.TooLarge($"input exceeds MaxInputBytes {options.MaxInputBytes}");
            ms.Write(buf, 0, n);
        }
        return ms.ToArray();
    }
}

/// <summary>What <see cref="ImageDecoder.DecodeAny(ReadOnlySpan{byte}, ImageDecodeOptions?)"/> found: exactly one of the two is set.</summary>
/// <param name="Image">A single image (PNG, JPEG, DICOM frame).</param>
/// <param name="Volume">A CT series (from a zip of DICOM files).</param>
public sealed record DecodedInput(PixelImage? Image, CtVolume? Volume);
