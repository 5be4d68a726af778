using System.Diagnostics;
using ReportGen.Imaging;
using ReportGen.Imaging.Dicom;

namespace ReportGen.Eval.Bench;

/// <summary>One row of <c>reportgen bench decode</c>: our decode and the native tool's, on the same file.</summary>
public sealed record DecodeBenchRow(
    string Case, string Syntax, long FileBytes, double? OursMs, string Tool, double? ToolMs, double? ToolStartupMs, string? Note)
{
    /// <summary>Our time over the tool's decoding time (its wall time less its process start-up), or null.</summary>
    public double? Ratio => OursMs is { } o && ToolMs is { } t && ToolStartupMs is { } s && t - s > 0 ? o / (t - s) : null;
}

/// <summary>
/// Decode speed of the compressed transfer syntaxes against the native reference decoders. Each syntax's file is made
/// at bench time by the Debian tools (dcmtk, GDCM, OpenJPEG: benchmark-only dependencies; a missing tool skips its row
/// and says why) from a synthetic 2048×2048 radiograph and a 512×512×N CT volume (12 bits stored, with noise so the
/// entropy coders work as on real images). Ours: parse + every frame to modality values, frames in parallel on all
/// cores. The tool: its wall time decompressing the same file to disk, single-threaded as the tools are.
/// </summary>
public static class DecodeBenchmark
{
    private sealed record Syntax(string Name, string Uid, string[] Encode, string Decoder, string[] DecodeArgs);

    private static readonly Syntax[] Syntaxes =
    [
        new("JPEG lossless SV1", "1.2.840.10008.1.2.4.70", ["dcmcjpeg", "+e1"], "dcmdjpeg", []),
        new("JPEG extended 12-bit", "1.2.840.10008.1.2.4.51", ["dcmcjpeg", "+ee"], "dcmdjpeg", []),
        new("JPEG-LS lossless", "1.2.840.10008.1.2.4.80", ["dcmcjpls", "+el"], "dcmdjpls", []),
        new("JPEG-LS near NEAR=2", "1.2.840.10008.1.2.4.81", ["dcmcjpls", "+en"], "dcmdjpls", []),
        new("RLE lossless", "1.2.840.10008.1.2.5", ["dcmcrle"], "dcmdrle", []),
        new("JPEG 2000 lossless", "1.2.840.10008.1.2.4.90", ["gdcmconv", "--j2k"], "opj_decompress", ["-threads", "1"]),
    ];

    /// <summary>Runs every syntax on the radiograph and the CT volume; <paramref name="progress"/> gets one line per step.</summary>
    public static IReadOnlyList<DecodeBenchRow> Run(int slices, int repeats, TextWriter progress, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("reportgen-bench-decode-");
        try
        {
            var rows = new List<DecodeBenchRow>();
            var cases = new (string Name, Func<byte[]> Make)[]
            {
                ("radiograph 2048x2048", () => SyntheticDicom.CreateFrames(2048, 2048, 1, Radiograph)),
                ($"CT 512x512x{slices}", () => SyntheticDicom.CreateFrames(512, 512, slices, Ct)),
            };
            foreach (var (name, make) in cases)
            {
                progress.WriteLine($"making {name}");
                var source = Path.Combine(work.FullName, "source.dcm");
                File.WriteAllBytes(source, make());
                foreach (var s in Syntaxes)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress.WriteLine($"{name}: {s.Name}");
                    rows.Add(Measure(name, s, source, work.FullName, repeats));
                }
            }
            return rows;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>A chest-like radiograph: smooth anatomy, rib stripes and ±1 % quantum noise (deterministic).</summary>
    private static int Radiograph(int frame, int x, int y)
    {
        double dx = (x - 1024) / 2048.0, dy = (y - 1024) / 2048.0;
        return (int)(2400 + 1200 * Math.Cos(dx * 5) * Math.Cos(dy * 3) + 300 * Math.Sin(y / 40.0)) + Noise(frame, x, y, 40);
    }

    /// <summary>A CT slice (stored = HU + 1024): air, a soft-tissue body, lungs and a spine, with ±10 HU noise.</summary>
    private static int Ct(int frame, int x, int y)
    {
        double u = (x - 256) / 256.0, v = (y - 256) / 256.0;
        int hu = -1000;
        if (u * u / 0.85 + v * v / 0.55 < 1) hu = 40;
        if (Math.Pow((Math.Abs(u) - 0.42) / 0.3, 2) + Math.Pow(v / 0.4, 2) < 1) hu = -820;
        if (Math.Pow(u / 0.12, 2) + Math.Pow((v - 0.5) / 0.12, 2) < 1) hu = 700 + frame % 50;
        return hu + 1024 + (hu > -1000 ? Noise(frame, x, y, 10) : 0);
    }

    private static int Noise(int frame, int x, int y, int amplitude)
    {
        uint h = (uint)(x * 73856093 ^ y * 19349663 ^ frame * 83492791);
        h ^= h >> 13;
        h *= 0x5bd1e995;
        h ^= h >> 15;
        return (int)(h % (uint)(2 * amplitude + 1)) - amplitude;
    }

    private static DecodeBenchRow Measure(string caseName, Syntax s, string source, string work, int repeats)
    {
        string file = Path.Combine(work, "encoded.dcm");
        File.Delete(file);
        string encoder = s.Encode[0];
        if (!OnPath(encoder)) return new(caseName, s.Name, 0, null, s.Decoder, null, null, $"{encoder} not installed (Debian: dcmtk / libgdcm-tools)");
        if (!OnPath(s.Decoder)) return new(caseName, s.Name, 0, null, s.Decoder, null, null, $"{s.Decoder} not installed");
        var (rc, err) = Tool(encoder, [.. s.Encode[1..], source, file]);
        if (rc != 0) return new(caseName, s.Name, 0, null, s.Decoder, null, null, $"{encoder} failed: {err}");
        long bytes = new FileInfo(file).Length;

        // The reference decoder's input: the DICOM file itself, or for OpenJPEG the frames' codestreams (one per file).
        string[] toolArgs;
        string output = Path.Combine(work, "decoded");
        if (s.Decoder == "opj_decompress")
        {
            var frames = Path.Combine(work, "j2k");
            if (Directory.Exists(frames)) Directory.Delete(frames, true);
            Directory.CreateDirectory(frames);
            if (!OnPath("gdcmraw")) return new(caseName, s.Name, bytes, null, s.Decoder, null, null, "gdcmraw not installed (needed to extract codestreams)");
            // -S writes one file per fragment (gdcmconv writes one fragment per frame) as frame.j2k0, frame.j2k1, …;
            // opj_decompress's batch mode wants the .j2k extension last.
            Tool("gdcmraw", ["-S", "-i", file, "-t", "7fe0,0010", "-o", Path.Combine(frames, "frame.j2k")]);
            foreach (var part in Directory.GetFiles(frames))
                File.Move(part, Path.Combine(frames, "frame" + Path.GetFileName(part)["frame.j2k".Length..] + ".j2k"));
            // Batch mode: every .j2k of the folder in one process, the decoded frames written beside them.
            toolArgs = ["-ImgDir", frames, "-OutFor", "RAW", .. s.DecodeArgs];
        }
        else
        {
            toolArgs = [.. s.DecodeArgs, file, output + ".dcm"];
        }
        double? toolMs = null, startupMs = null;
        string? note = null;
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            var (code, message) = Tool(s.Decoder, toolArgs);
            times.Add(sw.Elapsed.TotalMilliseconds);
            if (code != 0)
            {
                note = $"{s.Decoder} failed: {message}";
                break;
            }
        }
        if (note is null)
        {
            toolMs = Median(times);
            var start = new List<double>();
            for (int i = 0; i < 3; i++)
            {
                var sw = Stopwatch.StartNew();
                Tool(s.Decoder, ["--version"]);
                start.Add(sw.Elapsed.TotalMilliseconds);
            }
            startupMs = Median(start);
        }

        double? oursMs = null;
        var data = File.ReadAllBytes(file);
        try
        {
            DecodeAll(data); // warm-up (JIT)
            var ours = new List<double>();
            for (int i = 0; i < repeats; i++)
            {
                var sw = Stopwatch.StartNew();
                DecodeAll(data);
                ours.Add(sw.Elapsed.TotalMilliseconds);
            }
            oursMs = Median(ours);
        }
        catch (ImageDecodeException e)
        {
            note = (note is null ? "" : note + "; ") + $"ours: {e.Code}: {e.Message}";
        }
        return new(caseName, s.Name, bytes, oursMs, s.Decoder, toolMs, startupMs, note);
    }

    /// <summary>Parse + every frame to modality values, frames spread over all cores.</summary>
    private static void DecodeAll(byte[] data)
    {
        var f = DicomFile.Parse(data);
        Parallel.For(0, f.NumberOfFrames, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i => f.ReadModalityValues(i));
    }

    private static double Median(List<double> v)
    {
        v.Sort();
        return v.Count % 2 == 1 ? v[v.Count / 2] : (v[v.Count / 2 - 1] + v[v.Count / 2]) / 2;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));

    private static (int Code, string Error) Tool(string name, string[] args)
    {
        var psi = new ProcessStartInfo(name) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {name}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        _ = stdout.Result;
        return (p.ExitCode, stderr.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? $"exit code {p.ExitCode}");
    }
}
