using System.Security.Cryptography;
using System.Text.Json;
using ReportGen.Imaging.Dicom;

namespace ReportGen.Imaging.Tests;

/// <summary>
/// The compressed DICOM fixtures of TestFiles/lossless (made by make_lossless_fixtures.sh with dcmtk and GDCM):
/// every frame decoded through the codec registry must give exactly the samples the independent decoder gave.
/// </summary>
public sealed class LosslessFixtureTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "TestFiles", "lossless");

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "lossless.fixtures.json")));
        foreach (var f in doc.RootElement.GetProperty("files").EnumerateArray()) data.Add(f.GetProperty("file").GetString()!);
        return data;
    }

    internal static JsonElement Entry(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "lossless.fixtures.json")));
        return doc.RootElement.GetProperty("files").EnumerateArray().First(f => f.GetProperty("file").GetString() == file).Clone();
    }

    internal static byte[] Fixture(string file) => File.ReadAllBytes(Path.Combine(Folder, file));

    /// <summary>All frames' stored samples, concatenated (the fixture table's "stored" array).</summary>
    internal static int[] StoredSamples(byte[] dcm, ImageDecodeOptions? options = null)
    {
        var f = DicomFile.Parse(dcm, options);
        var all = new List<int>();
        for (int i = 0; i < f.NumberOfFrames; i++) all.AddRange(DicomPixelData.StoredFrame(f, i).Samples);
        return [.. all];
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Decodes_exactly_what_the_reference_decoder_gave(string file)
    {
        var e = Entry(file);
        var samples = StoredSamples(Fixture(file));
        var stored = e.GetProperty("stored");
        samples.Length.ShouldBe(e.GetProperty("frames").GetInt32() * e.GetProperty("rows").GetInt32() * e.GetProperty("columns").GetInt32() * e.GetProperty("samplesPerPixel").GetInt32());
        samples.Min().ShouldBe(stored.GetProperty("min").GetInt32(), file);
        samples.Max().ShouldBe(stored.GetProperty("max").GetInt32(), file);
        samples.Average().ShouldBe(stored.GetProperty("mean").GetDouble(), 1e-5, file);
        // Lossy fixtures (12-bit DCT, near-lossless, point transform, lossy JPEG colour) are compared to dcmtk's own decode,
        // which our integer IDCT and JPEG-LS reconstruction reproduce exactly: so every fixture is bit-exact.
        var bytes = new byte[samples.Length * 4];
        Buffer.BlockCopy(samples, 0, bytes, 0, bytes.Length);
        Convert.ToHexStringLower(SHA256.HashData(bytes)).ShouldBe(stored.GetProperty("sha256").GetString(), file);
    }
}
