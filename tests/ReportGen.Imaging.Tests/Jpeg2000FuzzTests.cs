using System.Buffers.Binary;
using System.Diagnostics;
using ReportGen.Imaging.Jpeg2000;

namespace ReportGen.Imaging.Tests;

/// <summary>
/// Hostile JPEG 2000: truncations, flipped bytes, lying marker lengths and sizes, absurd SIZ values, huge code-block and
/// layer counts. Every mutant must decode or raise <see cref="ImageDecodeException"/>, each within a bounded time.
/// REPORTGEN_FUZZ_MUTATIONS=N sets the random mutants per seed (default 40; 1300 gives over 10,000 in all).
/// </summary>
public sealed class Jpeg2000FuzzTests(ITestOutputHelper output)
{
    private static readonly ImageDecodeOptions FuzzOptions = new() { MaxPixels = 1 << 22 };

    private static readonly string[] Seeds =
    [
        "grey8_53.j2k", "rgb8_rpcl.j2k", "grey12_cblk_m63.j2k", "grey8_sop_eph_tp.j2k", "rgb8_97_ict.j2k", "grey8_poc.j2k",
        "sub420_53.j2k", "grey16_jp2.jp2",
    ];

    private static int MutationsPerSeed =>
        int.TryParse(Environment.GetEnvironmentVariable("REPORTGEN_FUZZ_MUTATIONS"), out var n) && n > 0 ? n : 40;

    /// <summary>Writes a big-endian value at a marker's parameter offset (the first occurrence of the marker).</summary>
    private static byte[] Patch(byte[] data, ushort marker, int offset, uint value, int size)
    {
        var m = (byte[])data.Clone();
        for (int i = 0; i + 1 < m.Length; i++)
        {
            if (m[i] != marker >> 8 || m[i + 1] != (byte)marker) continue;
            int at = i + 4 + offset;
            if (at + size > m.Length) break;
            if (size == 1) m[at] = (byte)value;
            else if (size == 2) BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(at), (ushort)value);
            else BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(at), value);
            break;
        }
        return m;
    }

    private static IEnumerable<(string What, byte[] Data)> Mutants(byte[] data, Random rng)
    {
        int step = Math.Max(1, data.Length / 40);
        for (int cut = 0; cut < data.Length; cut += step) yield return ($"truncated at {cut}", data[..cut]);
        for (int i = 0; i < MutationsPerSeed; i++)
        {
            var m = (byte[])data.Clone();
            // Most flips in the first 200 bytes, where the headers are; the rest anywhere (packet headers, bodies).
            int flips = 1 + rng.Next(4);
            for (int j = 0; j < flips; j++) m[rng.Next(i % 2 == 0 ? Math.Min(200, m.Length) : m.Length)] = (byte)rng.Next(256);
            yield return ($"mutation {i}", m);
        }
        // Absurd headers: 65535x65535 images, 16 components, 1x1 tiles, 32 levels, tiny code-blocks, 65535 layers.
        yield return ("SIZ 65535x65535", Patch(Patch(data, J2kCodestream.Siz, 2, 65535, 4), J2kCodestream.Siz, 6, 65535, 4));
        yield return ("SIZ 16 components", Patch(data, J2kCodestream.Siz, 34, 16, 2));
        yield return ("SIZ 1x1 tiles", Patch(Patch(data, J2kCodestream.Siz, 18, 1, 4), J2kCodestream.Siz, 22, 1, 4));
        yield return ("SIZ 0 width", Patch(data, J2kCodestream.Siz, 2, 0, 4));
        yield return ("COD 32 levels", Patch(data, J2kCodestream.Cod, 5, 32, 1));
        yield return ("COD 4x4 blocks", Patch(Patch(data, J2kCodestream.Cod, 6, 0, 1), J2kCodestream.Cod, 7, 0, 1));
        yield return ("COD 65535 layers", Patch(data, J2kCodestream.Cod, 2, 65535, 2));
        yield return ("COD HT block style", Patch(data, J2kCodestream.Cod, 8, 0x40, 1));
        yield return ("QCD 31 guard bits", Patch(data, J2kCodestream.Qcd, 0, 0xE0, 1));
        yield return ("SOT Psot huge", Patch(data, J2kCodestream.Sot, 2, 0xFFFFFFF0, 4));
        yield return ("SOT tile 65535", Patch(data, J2kCodestream.Sot, 0, 65535, 2));
        for (int i = 0; i < 16; i++)
        {
            var m = (byte[])data.Clone();
            int at = rng.Next(Math.Max(1, m.Length - 4));
            uint v = (i % 4) switch { 0 => 0xFFFFFFFF, 1 => 0x7FFFFFFF, 2 => 0x0000FFFF, _ => (uint)rng.Next() };
            BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(at), v);
            yield return ($"lying value at {at}", m);
        }
    }

    [Fact]
    public void Mutants_only_ever_raise_ImageDecodeException_in_bounded_time()
    {
        var failures = new List<string>();
        int attempts = 0, rejected = 0;
        double slowest = 0;
        string slowestWhat = "";
        var rng = new Random(2000);
        var total = Stopwatch.StartNew();
        foreach (var seed in Seeds)
        {
            var data = Jpeg2000DecoderTests.TestFile(seed);
            Jpeg2000Decoder.Decode(data, FuzzOptions); // the seed itself is valid
            foreach (var (what, m) in Mutants(data, rng))
            {
                attempts++;
                var sw = Stopwatch.StartNew();
                try
                {
                    Jpeg2000Decoder.Decode(m, FuzzOptions);
                }
                catch (ImageDecodeException e)
                {
                    rejected++;
                    e.Code.ShouldNotBeNullOrWhiteSpace();
                }
                catch (Exception e)
                {
                    if (failures.Count < 20) failures.Add($"{seed} {what}: {e.GetType().Name}: {e.Message} @ {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
                    else failures.Add("");
                }
                if (sw.Elapsed.TotalMilliseconds > slowest) (slowest, slowestWhat) = (sw.Elapsed.TotalMilliseconds, $"{seed} {what}");
            }
        }
        output.WriteLine($"{attempts} mutants, {rejected} rejected with a typed error, {total.Elapsed.TotalSeconds:0.0} s; slowest {slowest:0} ms ({slowestWhat})");
        failures.ShouldBeEmpty($"{failures.Count} of {attempts} mutants escaped as other exceptions:\n" + string.Join("\n", failures.Take(20)));
        slowest.ShouldBeLessThan(10_000, "one mutant took over 10 s: unbounded work");
    }
}
