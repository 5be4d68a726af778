using ReportGen.Imaging.Dicom;

namespace ReportGen.Imaging;

/// <summary>
/// What an input file is, for a person asking "why will this not load?": its format, for DICOM the transfer syntax, SOP
/// class and pixel description, and whether we decode it (trying for real) — with the typed error when we do not.
/// </summary>
/// <param name="Format">png, jpeg, dicom, zip, or unknown.</param>
/// <param name="Bytes">File size in bytes.</param>
/// <param name="Readable">True when it decodes (frame 0 of a DICOM, every slice of a zip series).</param>
/// <param name="Error">Why not, when it does not.</param>
/// <param name="Image">Size and channels of the decoded image (or volume), when readable.</param>
/// <param name="Dicom">The DICOM description, when the data set could be parsed.</param>
public sealed record ImageFileInfo(string Format, long Bytes, bool Readable, ImageFileInfo.Problem? Error, ImageFileInfo.Size? Image, ImageFileInfo.DicomPart? Dicom)
{
    /// <summary>A typed decode error.</summary>
    /// <param name="Code">One of <see cref="ImageDecodeErrorCodes"/>.</param>
    /// <param name="Message">The message, as the decoder gives it.</param>
    public sealed record Problem(string Code, string Message);

    /// <summary>Decoded size.</summary>
    /// <param name="Width">Columns.</param>
    /// <param name="Height">Rows.</param>
    /// <param name="Channels">1 grey, 3 RGB, 4 RGBA.</param>
    /// <param name="Slices">Slices of a CT series (zip), else null.</param>
    public sealed record Size(int Width, int Height, int Channels, int? Slices);

    /// <summary>A UID and its name, when known.</summary>
    /// <param name="Uid">The UID.</param>
    /// <param name="Name">Its name, or null when we do not know it.</param>
    public sealed record Named(string? Uid, string? Name);

    /// <summary>What the DICOM header says.</summary>
    /// <param name="TransferSyntax">Transfer Syntax UID and name.</param>
    /// <param name="TransferSyntaxSupported">Whether we decode pixel data in this transfer syntax.</param>
    /// <param name="SopClass">SOP Class UID and name.</param>
    /// <param name="HasFileMeta">False for a bare data set without preamble and file meta information.</param>
    /// <param name="HasPixelData">False for non-image objects (SR, RT Plan, ECG…).</param>
    /// <param name="Modality">Modality (0008,0060).</param>
    /// <param name="Rows">Rows.</param>
    /// <param name="Columns">Columns.</param>
    /// <param name="Frames">Number of Frames.</param>
    /// <param name="SamplesPerPixel">Samples per Pixel.</param>
    /// <param name="BitsAllocated">Bits Allocated.</param>
    /// <param name="BitsStored">Bits Stored.</param>
    /// <param name="Signed">Pixel Representation 1.</param>
    /// <param name="PhotometricInterpretation">Photometric Interpretation.</param>
    /// <param name="Encapsulated">Compressed (encapsulated) pixel data.</param>
    public sealed record DicomPart(Named TransferSyntax, bool TransferSyntaxSupported, Named SopClass, bool HasFileMeta, bool HasPixelData,
        string? Modality, int Rows, int Columns, int Frames, int SamplesPerPixel, int BitsAllocated, int BitsStored, bool Signed,
        string PhotometricInterpretation, bool Encapsulated);

    /// <summary>Describes <paramref name="data"/>; never throws for bad input (the problem is in <see cref="Error"/>).</summary>
    public static ImageFileInfo Describe(byte[] data, ImageDecodeOptions? options = null)
    {
        options ??= ImageDecodeOptions.Default;
        var format = ImageDecoder.Sniff(data);
        DicomPart? dicom = null;
        if (format == ImageFormat.Dicom)
        {
            try
            {
                var f = DicomFile.ReadHeader(data, options);
                dicom = new DicomPart(new Named(f.TransferSyntaxUid, Known(DicomTransferSyntax.NameOf(f.TransferSyntaxUid))),
                    DicomTransferSyntax.IsSupported(f.TransferSyntaxUid), new Named(f.SopClassUid, DicomSopClass.NameOf(f.SopClassUid)),
                    f.HasFileMeta, f.HasPixelData, f.Modality, f.Rows, f.Columns, f.NumberOfFrames, f.SamplesPerPixel, f.BitsAllocated,
                    f.BitsStored, f.PixelRepresentation == 1, f.PhotometricInterpretation, f.IsEncapsulated);
            }
            catch (ImageDecodeException)
            {
                // The decode below reports the same problem.
            }
        }
        try
        {
            var decoded = ImageDecoder.DecodeAny(data, options);
            var size = decoded.Image is { } i ? new Size(i.Width, i.Height, i.Channels, null)
                : decoded.Volume is { } v ? new Size(v.Width, v.Height, 1, v.Depth) : null;
            return new ImageFileInfo(Name(format), data.Length, true, null, size, dicom);
        }
        catch (ImageDecodeException e)
        {
            return new ImageFileInfo(Name(format), data.Length, false, new Problem(e.Code, e.Message), null, dicom);
        }
    }

    private static string? Known(string name) => name == "unknown" ? null : name;

    private static string Name(ImageFormat f) => f.ToString().ToLowerInvariant();
}
