using System.Security.Cryptography;
using System.Text.Json;
using ReportGen.Imaging.Dicom;
using ReportGen.TestSupport;

namespace ReportGen.Imaging.Tests;

/// <summary>
/// Every row of every <c>TestFiles/**/*.fixtures.json</c>: a DICOM file made by dcmtk, GDCM or pydicom (see each table's
/// "generator") and the stored samples an independent decoder found in it. We must find the same samples — bit-exact for
/// lossless files (sha256 of all frames as little-endian int32), within the row's tolerance for lossy ones — or throw the
/// error code the row expects. Rows with "display" also compare our [0, 1] image with what pydicom's display functions give. The tools are needed only to remake the files, never to run these tests.
/// </summary>
[Fast]
public sealed class DicomFixtureTests
{
    private static string Root => Path.Combine(AppContext.BaseDirectory, "TestFiles");

    public static TheoryData<string, string> Rows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var table in Directory.EnumerateFiles(Root, "*.fixtures.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(table));
            foreach (var row in doc.RootElement.GetProperty("files").EnumerateArray())
                rows.Add(Path.GetRelativePath(Root, table), row.GetProperty("file").GetString()!);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Decodes_like_the_reference_decoder(string table, string file)
    {
        var tablePath = Path.Combine(Root, table);
        using var doc = JsonDocument.Parse(File.ReadAllText(tablePath));
        var row = doc.RootElement.GetProperty("files").EnumerateArray().Single(r => r.GetProperty("file").GetString() == file);
        var bytes = File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(tablePath)!, file));
        var expect = row.GetProperty("expect").GetString();
        if (expect != "decode")
        {
            Should.Throw<ImageDecodeException>(() => ReadAllStored(bytes)).Code.ShouldBe(expect);
            return;
        }
        var (parsed, samples) = ReadAllStored(bytes);
        if (row.TryGetProperty("transferSyntax", out var ts)) parsed.TransferSyntaxUid.ShouldBe(ts.GetString());
        parsed.NumberOfFrames.ShouldBe(row.GetProperty("frames").GetInt32());
        parsed.Rows.ShouldBe(row.GetProperty("rows").GetInt32());
        parsed.Columns.ShouldBe(row.GetProperty("columns").GetInt32());
        parsed.SamplesPerPixel.ShouldBe(row.GetProperty("samplesPerPixel").GetInt32());
        var stored = row.GetProperty("stored");
        samples.Length.ShouldBe(parsed.NumberOfFrames * parsed.Rows * parsed.Columns * parsed.SamplesPerPixel);
        double mean = samples.Average(v => (double)v);
        if (row.GetProperty("lossless").GetBoolean())
        {
            Sha256(samples).ShouldBe(stored.GetProperty("sha256").GetString());
            samples.Min().ShouldBe(stored.GetProperty("min").GetInt32());
            samples.Max().ShouldBe(stored.GetProperty("max").GetInt32());
            mean.ShouldBe(stored.GetProperty("mean").GetDouble(), 1e-6);
        }
        else
        {
            double tol = row.GetProperty("tolerance").GetDouble();
            mean.ShouldBe(stored.GetProperty("mean").GetDouble(), tol);
            ((double)samples.Min()).ShouldBe(stored.GetProperty("min").GetDouble(), tol);
            ((double)samples.Max()).ShouldBe(stored.GetProperty("max").GetDouble(), tol);
        }
        if (row.TryGetProperty("display", out var display))
        {
            // What a viewer shows (pydicom's apply_modality_lut/apply_voi_lut/apply_color_lut/convert_color_space, in [0, 1]).
            var shown = parsed.DecodeAllFrames().SelectMany(p => p.Pixels).ToArray();
            double dtol = display.GetProperty("tolerance").GetDouble();
            shown.Average(v => (double)v).ShouldBe(display.GetProperty("mean").GetDouble(), dtol);
            ((double)shown.Min()).ShouldBe(display.GetProperty("min").GetDouble(), dtol);
            ((double)shown.Max()).ShouldBe(display.GetProperty("max").GetDouble(), dtol);
        }
    }

    private static (DicomFile File, int[] Samples) ReadAllStored(byte[] bytes)
    {
        var f = DicomFile.Parse(bytes);
        var all = new List<int>();
        for (int i = 0; i < f.NumberOfFrames; i++) all.AddRange(DicomPixelData.StoredFrame(f, i).Samples);
        return (f, all.ToArray());
    }

    internal static string Sha256(int[] samples)
    {
        var bytes = new byte[samples.Length * 4];
        for (int i = 0; i < samples.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), samples[i]);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
