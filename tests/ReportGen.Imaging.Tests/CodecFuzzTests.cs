using System.Buffers.Binary;
using System.Diagnostics;
using ReportGen.Imaging.Dicom;
using ReportGen.Imaging.Jpeg;
using ReportGen.Imaging.JpegLs;
using ReportGen.Imaging.Rle;

namespace ReportGen.Imaging.Tests;

/// <summary>
/// Hostile codestreams straight into each compressed-frame codec (lossless JPEG, 12-bit JPEG, JPEG-LS, RLE):
/// truncations, random bytes, lying sizes. Only <see cref="ImageDecodeException"/> may come out, and no single
/// decode may take long (the decoders are linear in input and pixels). 100 mutants per seed by default; set
/// REPORTGEN_FUZZ_MUTATIONS (e.g. 10000) for a long run.
/// </summary>
public sealed class CodecFuzzTests
{
    private static readonly ImageDecodeOptions Options = new() { MaxPixels = 1 << 16 }; // fixtures are ≤ 64×64

    internal static byte[] Fixture(string file) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestFiles", "lossless", file));

    private static int MutationsPerSeed =>
        int.TryParse(Environment.GetEnvironmentVariable("REPORTGEN_FUZZ_MUTATIONS"), out var n) && n > 0 ? n : 100;

    /// <summary>The first frame's codestream of a fixture and the geometry its header declares.</summary>
    internal static (byte[] Stream, FrameGeometry Geometry) Frame(string fixture)
    {
        var f = DicomFile.Parse(Fixture(fixture));
        var g = new FrameGeometry(f.Rows, f.Columns, f.SamplesPerPixel, f.BitsAllocated, f.BitsStored, f.PixelRepresentation == 1)
        {
            PhotometricInterpretation = f.PhotometricInterpretation,
        };
        return (DicomPixelData.FrameBytes(f, 0), g);
    }

    public static TheoryData<string, string[]> Decoders() => new()
    {
        { "jpeg-lossless", ["ct16s_jpll_sv1.dcm", "cr16_jpll_sv6.dcm", "rgb8_jpll.dcm", "odd10_jpll_gdcm.dcm"] },
        { "jpeg-12bit", ["mr12_jpext_2frames.dcm"] },
        { "jpeg-ls", ["ct16s_jls.dcm", "rgb8_jls_sample.dcm", "rgb8_jls_line.dcm", "rgb8_jls_none.dcm", "cr16_jls_near3.dcm", "grey8_jls_thresholds.dcm"] },
        { "rle", ["ct16s_rle.dcm", "rgb8_rle.dcm", "cr16_rle_gdcm.dcm"] },
    };

    private static FrameCodec CodecFor(string decoder) => decoder switch
    {
        "jpeg-ls" => JpegLsDecoder.Decode,
        "rle" => RleCodec.Decode,
        _ => JpegDecoder.DecodeFrame,
    };

    [Theory]
    [MemberData(nameof(Decoders))]
    public void Mutated_codestreams_only_raise_typed_errors_and_stay_fast(string decoder, string[] fixtures)
    {
        var codec = CodecFor(decoder);
        var rng = new Random(decoder.Length * 7919);
        var failures = new List<string>();
        int attempts = 0, rejected = 0;
        double slowestMs = 0;
        foreach (var fixture in fixtures)
        {
            var (data, geometry) = Frame(fixture);
            codec(data, geometry, Options); // the seed decodes
            var mutants = new List<byte[]>();
            int step = Math.Max(1, data.Length / 100);
            for (int cut = 0; cut < data.Length; cut += step) mutants.Add(data[..cut]);
            for (int i = 0; i < MutationsPerSeed; i++)
            {
                var m = (byte[])data.Clone();
                int flips = 1 + rng.Next(4);
                for (int j = 0; j < flips; j++) m[rng.Next(m.Length)] = (byte)rng.Next(256);
                if (i % 10 == 0) m = m[..rng.Next(1, m.Length)];
                mutants.Add(m);
            }
            for (int i = 0; i < 60; i++)
            {
                // Lying sizes, counts and offsets: extreme 16- and 32-bit values anywhere in the first bytes (headers).
                var m = (byte[])data.Clone();
                int at = rng.Next(Math.Min(m.Length - 4, 80));
                if (i % 2 == 0) BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(at), (ushort)(i % 4 == 0 ? 0xFFFF : rng.Next(65536)));
                else BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(at), i % 3 == 0 ? 0xFFFFFFFF : (uint)rng.Next());
                mutants.Add(m);
            }
            foreach (var m in mutants)
            {
                attempts++;
                var sw = Stopwatch.StartNew();
                try
                {
                    codec(m, geometry, Options);
                }
                catch (ImageDecodeException e)
                {
                    rejected++;
                    e.Code.ShouldNotBeNullOrWhiteSpace();
                }
                catch (Exception e)
                {
                    if (failures.Count < 20) failures.Add($"{fixture}: {e.GetType().Name}: {e.Message} @ {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}");
                }
                slowestMs = Math.Max(slowestMs, sw.Elapsed.TotalMilliseconds);
            }
        }
        failures.ShouldBeEmpty($"{failures.Count} of {attempts} mutants escaped as other exceptions:\n" + string.Join("\n", failures));
        rejected.ShouldBeGreaterThan(attempts / 10);
        // 64×64 frames decode in well under a millisecond; a mutant that loops or balloons would blow this by far.
        slowestMs.ShouldBeLessThan(1000, $"slowest {decoder} mutant");
    }

    [Fact]
    public void Tiny_streams_announcing_huge_images_are_refused_before_allocating()
    {
        // Lossless JPEG / JPEG-LS headers edited to 65535×65535: too large for the limits, or a bomb for their size.
        foreach (var fixture in new[] { "ct16s_jpll_sv1.dcm", "ct16s_jls.dcm" })
        {
            var (data, g) = Frame(fixture);
            int sof = Array.FindIndex(data, 2, b => b == 0xC3 || b == 0xF7);
            data[sof + 4] = data[sof + 5] = data[sof + 6] = data[sof + 7] = 0xFF;
            var codec = fixture.Contains("jls") ? (FrameCodec)JpegLsDecoder.Decode : JpegDecoder.DecodeFrame;
            var code = Should.Throw<ImageDecodeException>(() => codec(data, g, ImageDecodeOptions.Default)).Code;
            code.ShouldBeOneOf(ImageDecodeErrorCodes.TooLarge, ImageDecodeErrorCodes.DecompressionBomb);
            code = Should.Throw<ImageDecodeException>(() => codec(data, g, new ImageDecodeOptions { MaxPixels = 1L << 40 })).Code;
            code.ShouldBe(ImageDecodeErrorCodes.DecompressionBomb);
        }
        // RLE has no header of its own: the DICOM geometry is the claim, checked against MaxPixels and the input size.
        var (rle, geometry) = Frame("ct16s_rle.dcm");
        Should.Throw<ImageDecodeException>(() => RleCodec.Decode(rle, geometry with { Rows = 65535, Columns = 65535 }, ImageDecodeOptions.Default))
            .Code.ShouldBe(ImageDecodeErrorCodes.TooLarge);
        Should.Throw<ImageDecodeException>(() => RleCodec.Decode(rle, geometry with { Rows = 4096, Columns = 4096 }, ImageDecodeOptions.Default))
            .Code.ShouldBe(ImageDecodeErrorCodes.DecompressionBomb);
    }
}
