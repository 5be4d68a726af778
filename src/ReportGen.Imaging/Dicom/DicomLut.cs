using System.Buffers.Binary;

namespace ReportGen.Imaging.Dicom;

/// <summary>
/// A DICOM lookup table (Modality LUT, VOI LUT, one palette channel): input values below <see cref="FirstMapped"/> map to
/// the first entry, above the last to the last entry (PS3.3 C.11.1.1, C.11.2.1.1, C.7.6.3.1.5).
/// </summary>
/// <param name="FirstMapped">The first input value mapped (descriptor value 2).</param>
/// <param name="Bits">Bits per entry (descriptor value 3, or 16 when entries exceed it).</param>
/// <param name="Entries">The output values.</param>
internal sealed record DicomLut(int FirstMapped, int Bits, int[] Entries)
{
    /// <summary>Largest output value the table can hold, for scaling to [0, 1].</summary>
    public int MaxOutput => (1 << Bits) - 1;

    public int this[int input]
    {
        get
        {
            long i = (long)input - FirstMapped;
            return Entries[i < 0 ? 0 : i >= Entries.Length ? Entries.Length - 1 : (int)i];
        }
    }

    /// <summary>Reads LUT Descriptor (0028,3002) and LUT Data (0028,3006) of a Modality or VOI LUT Sequence item.</summary>
    public static DicomLut Read(DicomItem item, bool signedFirstMapped, string what)
    {
        return Read(item, 0x00283002, 0x00283006, signedFirstMapped, what);
    }

    /// <summary>Reads a descriptor (3 × US/SS) and its data (US/OW words, or bytes for 8-bit entries).</summary>
    public static DicomLut Read(DicomItem item, uint descriptorTag, uint dataTag, bool signedFirstMapped, string what)
    {
        ushort g = (ushort)(descriptorTag >> 16), e = (ushort)descriptorTag;
        if (item.GetUShort(g, e, 0) is not { } count || item.GetUShort(g, e, 1) is not { } first || item.GetUShort(g, e, 2) is not { } bits)
            throw Fail.Corrupt($"DICOM {what} Descriptor ({g:X4},{e:X4}) does not hold three values");
        var vr = item.Element(descriptorTag).Vr;
        // The first mapped value is SS when the data it maps is signed; explicit VR says so, implicit VR leaves us the hint.
        bool signed = vr == (('S' << 8) | 'S') || (vr != (('U' << 8) | 'S') && signedFirstMapped);
        int firstMapped = signed ? (short)first : first;
        int n = count == 0 ? 65536 : count;
        if (bits is < 1 or > 16) throw Fail.Corrupt($"DICOM {what} Descriptor says {bits} bits per entry");
        var data = item.GetBytes(dataTag);
        var entries = new int[n];
        if (data.Length >= n * 2)
        {
            for (int i = 0; i < n; i++)
                entries[i] = item.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(data[(i * 2)..]) : BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]);
        }
        else if (bits <= 8 && data.Length >= n)
        {
            for (int i = 0; i < n; i++) entries[i] = data[i];
        }
        else
        {
            throw Fail.Corrupt($"DICOM {what} Data holds {data.Length} bytes for {n} entries of {bits} bits");
        }
        int max = 0;
        foreach (var v in entries) max = Math.Max(max, v);
        // Some writers declare 8 bits and store 16-bit values: scale by what the data holds, as viewers do.
        return new DicomLut(firstMapped, max >= 1 << bits ? 16 : bits, entries);
    }
}
