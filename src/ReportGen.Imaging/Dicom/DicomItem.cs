using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ReportGen.Imaging.Dicom;

/// <summary>
/// The attributes of one data set — the file's top level or an item of a sequence we read — as offsets into the file's
/// bytes, read on demand in the file's byte order. Numbers that do not parse are a typed <c>corrupt</c> error naming the
/// tag, never a silent default.
/// </summary>
public sealed class DicomItem
{
    private readonly Dictionary<uint, (int Offset, int Length, ushort Vr)> _elements = [];
    private readonly Dictionary<uint, List<DicomItem>> _sequences = [];

    internal DicomItem(byte[] data, bool bigEndian)
    {
        Data = data;
        BigEndian = bigEndian;
    }

    internal byte[] Data { get; }
    internal bool BigEndian { get; }

    internal void Set(uint tag, int offset, int length, ushort vr) => _elements[tag] = (offset, length, vr);
    internal void SetSequence(uint tag, List<DicomItem> items) => _sequences[tag] = items;
    internal bool Has(uint tag) => _elements.ContainsKey(tag);
    internal (int Offset, int Length, ushort Vr) Element(uint tag) => _elements.TryGetValue(tag, out var e) ? e : (-1, 0, (ushort)0);

    /// <summary>The items of a sequence we read (Modality/VOI LUT, functional groups), or empty.</summary>
    public IReadOnlyList<DicomItem> Items(ushort group, ushort element) =>
        _sequences.TryGetValue(Tag(group, element), out var items) ? items : [];

    /// <summary>An attribute as text (trailing spaces/NULs trimmed), or null when absent.</summary>
    public string? GetString(ushort group, ushort element)
    {
        if (!_elements.TryGetValue(Tag(group, element), out var e) || e.Offset < 0) return null;
        return Encoding.Latin1.GetString(Data, e.Offset, e.Length).TrimEnd(' ', '\0');
    }

    /// <summary>
    /// A decimal/integer string attribute (DS/IS, backslash-separated) as numbers; null when absent or empty.
    /// </summary>
    /// <exception cref="ImageDecodeException"><c>corrupt</c> when a value is not a finite number (names the tag).</exception>
    public double[]? GetNumbers(ushort group, ushort element)
    {
        var s = GetString(group, element);
        if (string.IsNullOrWhiteSpace(s)) return null;
        var parts = s.Split('\\');
        var result = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            var p = parts[i].Trim(' ', '\0');
            if (!double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out result[i]) || !double.IsFinite(result[i]))
                throw Fail.Corrupt($"DICOM {DicomTags.NameOf(group, element)} ({group:X4},{element:X4}) value '{Shorten(p)}' is not a finite number");
        }
        return result;
    }

    private static string Shorten(string s) => s.Length <= 32 ? s : s[..32] + "…";

    /// <summary>An unsigned short (US) attribute, or null when absent or shorter than 2 bytes.</summary>
    public int? GetUShort(ushort group, ushort element) => GetUShort(group, element, 0);

    internal int? GetUShort(ushort group, ushort element, int index)
    {
        if (!_elements.TryGetValue(Tag(group, element), out var e) || e.Offset < 0 || e.Length < 2 * (index + 1)) return null;
        var at = Data.AsSpan(e.Offset + 2 * index);
        return BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(at) : BinaryPrimitives.ReadUInt16LittleEndian(at);
    }

    /// <summary>Raw value bytes of an attribute (as stored, in the file's byte order), or empty.</summary>
    internal ReadOnlySpan<byte> GetBytes(uint tag) =>
        _elements.TryGetValue(tag, out var e) && e.Offset >= 0 ? Data.AsSpan(e.Offset, e.Length) : [];

    internal static uint Tag(ushort group, ushort element) => (uint)group << 16 | element;
}
