using System.Buffers.Binary;
using System.Text;

namespace ReportGen.Imaging.Dicom;

/// <summary>
/// Encodes DICOM Part 10 data, little endian: the file header (preamble, <c>DICM</c>, file meta group) and single
/// elements, explicit or implicit VR. The one encoder behind the synthetic images of the benchmarks
/// (<c>ReportGen.Eval.Bench.SyntheticDicom</c>) and the test fixtures; <see cref="DicomFile"/> reads what it writes.
/// </summary>
public static class DicomEncoder
{
    /// <summary>The preamble, <c>DICM</c> and the file meta group (explicit VR, with its group length).</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="transferSyntax">The data set's transfer syntax UID (see <see cref="DicomTransferSyntax"/>).</param>
    /// <param name="sopClassUid">Media storage SOP class UID.</param>
    /// <param name="sopInstanceUid">Media storage SOP instance UID.</param>
    /// <param name="implementationClassUid">Implementation class UID, or null to leave (0002,0012) out.</param>
    public static void WriteHeader(Stream output, string transferSyntax, string sopClassUid, string sopInstanceUid, string? implementationClassUid = null)
    {
        output.Write(new byte[128]);
        output.Write("DICM"u8);
        var meta = new MemoryStream();
        WriteElement(meta, 0x0002, 0x0001, "OB", [0, 1]);
        WriteElement(meta, 0x0002, 0x0002, "UI", StringValue(sopClassUid, "UI"));
        WriteElement(meta, 0x0002, 0x0003, "UI", StringValue(sopInstanceUid, "UI"));
        WriteElement(meta, 0x0002, 0x0010, "UI", StringValue(transferSyntax, "UI"));
        if (implementationClassUid is not null) WriteElement(meta, 0x0002, 0x0012, "UI", StringValue(implementationClassUid, "UI"));
        Span<byte> groupLength = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(groupLength, (uint)meta.Length);
        WriteElement(output, 0x0002, 0x0000, "UL", groupLength);
        meta.WriteTo(output);
    }

    /// <summary>One element: tag, VR and length (explicit VR; a 32-bit length after 2 reserved bytes for OB, OW, SQ, UN,
    /// UT...) or a 32-bit length alone (implicit VR), then the value as given.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="group">Tag group.</param>
    /// <param name="element">Tag element.</param>
    /// <param name="vr">Two-letter value representation.</param>
    /// <param name="value">The encoded value (even length: pad it with <see cref="StringValue"/> or by hand).</param>
    /// <param name="explicitVr">Explicit VR (default) or implicit VR little endian.</param>
    /// <param name="undefinedLength">Write the length as 0xFFFFFFFF (sequences, encapsulated pixel data); the caller writes the delimiter.</param>
    public static void WriteElement(Stream output, ushort group, ushort element, string vr, ReadOnlySpan<byte> value, bool explicitVr = true, bool undefinedLength = false)
    {
        Span<byte> head = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(head, group);
        BinaryPrimitives.WriteUInt16LittleEndian(head[2..], element);
        var length = undefinedLength ? 0xFFFFFFFF : (uint)value.Length;
        if (!explicitVr)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(head[4..], length);
            output.Write(head[..8]);
        }
        else if (DicomFile.HasLongLength((ushort)((vr[0] << 8) | vr[1])))
        {
            head[4] = (byte)vr[0];
            head[5] = (byte)vr[1];
            head[6] = head[7] = 0;
            BinaryPrimitives.WriteUInt32LittleEndian(head[8..], length);
            output.Write(head);
        }
        else
        {
            head[4] = (byte)vr[0];
            head[5] = (byte)vr[1];
            BinaryPrimitives.WriteUInt16LittleEndian(head[6..], (ushort)length);
            output.Write(head[..8]);
        }
        output.Write(value);
    }

    /// <summary>A string value in ASCII, padded to even length: with NUL for a UID (<c>UI</c>), else with a space.</summary>
    public static byte[] StringValue(string value, string vr)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        return bytes.Length % 2 == 0 ? bytes : [.. bytes, (byte)(vr == "UI" ? 0 : ' ')];
    }
}
