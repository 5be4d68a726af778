using System.Text.Json;
using ReportGen.Cli.Commands;
using ReportGen.Eval.Bench;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

public class EmbedCommandTests
{
    [Fact]
    public void Prints_one_json_object_with_model_dims_norm_values_and_timings()
    {
        var png = SharedData.Data("images", "00000001_000.png");
        SharedData.Model("mobilenetv2-12-int8.onnx");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        EmbedCommand.Run(png, null, 5, false, stdout, stderr).ShouldBe(0, stderr.ToString());
        var lines = stdout.ToString().Trim().Split('\n');
        lines.Length.ShouldBe(1);
        var json = JsonDocument.Parse(lines[0]).RootElement;
        json.GetProperty("model").GetString().ShouldBe("mobilenetv2-int8");
        json.GetProperty("dims").GetInt32().ShouldBe(1000);
        json.GetProperty("norm").GetDouble().ShouldBeGreaterThan(0);
        json.GetProperty("first").GetArrayLength().ShouldBe(5);
        var timings = json.GetProperty("timings");
        foreach (var key in new[] { "decode_ms", "preprocess_ms", "run_ms" }) timings.GetProperty(key).GetDouble().ShouldBeGreaterThanOrEqualTo(0);
        stderr.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void Info_describes_a_dicom_without_any_model()
    {
        var dcm = SharedData.Data("images", "siim-cxr-sample.dcm");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        EmbedCommand.Info(dcm, stdout, stderr).ShouldBe(0, stderr.ToString());
        var info = JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("info");
        info.GetProperty("format").GetString().ShouldBe("dicom");
        info.GetProperty("readable").GetBoolean().ShouldBeTrue();
        info.GetProperty("image").GetProperty("width").GetInt32().ShouldBe(1024);
        var d = info.GetProperty("dicom");
        d.GetProperty("transfer_syntax").GetProperty("uid").GetString().ShouldBe("1.2.840.10008.1.2.4.50");
        d.GetProperty("transfer_syntax").GetProperty("name").GetString().ShouldBe("JPEG Baseline (Process 1)");
        d.GetProperty("sop_class").GetProperty("name").GetString().ShouldBe("Secondary Capture Image Storage");
        d.GetProperty("bits_stored").GetInt32().ShouldBe(8);
    }

    [Fact]
    public void Info_names_a_non_image_object_and_exits_2()
    {
        using var dir = new TempDir();
        // A bare explicit VR little endian data set (no preamble, no meta): SOP Class UID = Basic Text SR, no Pixel Data.
        var uid = "1.2.840.10008.5.1.4.1.1.88.11"u8.ToArray();
        var path = Path.Combine(dir.Path, "report.dcm");
        File.WriteAllBytes(path, [0x08, 0x00, 0x16, 0x00, (byte)'U', (byte)'I', (byte)uid.Length, 0, .. uid]);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        EmbedCommand.Info(path, stdout, stderr).ShouldBe(2);
        var info = JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("info");
        info.GetProperty("readable").GetBoolean().ShouldBeFalse();
        info.GetProperty("error").GetProperty("code").GetString().ShouldBe("not_an_image");
        info.GetProperty("error").GetProperty("message").GetString()!.ShouldContain("Basic Text SR Storage (1.2.840.10008.5.1.4.1.1.88.11)");
        info.GetProperty("dicom").GetProperty("has_file_meta").GetBoolean().ShouldBeFalse();
        EmbedCommand.Info(Path.Combine(dir.Path, "missing.dcm"), stdout, stderr).ShouldBe(2);
        stderr.ToString().ShouldContain("cannot read");
    }

    [Fact]
    public void Bad_files_exit_2_with_one_line_on_stderr()
    {
        SharedData.Model("mobilenetv2-12-int8.onnx"); // the default encoder loads before the image is read; without ../shared, skip
        using var dir = new TempDir();
        var garbage = Path.Combine(dir.Path, "scan.png");
        File.WriteAllBytes(garbage, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 1, 2]);
        foreach (var (path, model, expected) in new[] { (garbage, (string?)null, "cannot decode scan.png"), (Path.Combine(dir.Path, "missing.png"), null, "image not found"), (garbage, "no-such-model", "unknown model id") })
        {
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            EmbedCommand.Run(path, model, 8, false, stdout, stderr).ShouldBe(2);
            stdout.ToString().ShouldBeEmpty();
            var err = stderr.ToString().TrimEnd().Split('\n');
            err.Length.ShouldBe(1);
            err[0].ShouldStartWith("reportgen embed: ");
            err[0].ShouldContain(expected);
        }
    }
}

public class BenchEncoderCommandTests
{
    [Fact]
    public void Prints_a_table_with_throughput_and_shares_for_the_synthetic_dicom_and_shared_images()
    {
        SharedData.Model("mobilenetv2-12-int8.onnx");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        BenchEncoderCommand.Run(null, 1, 0, 0, SharedData.Data("images"), stdout, stderr, TestContext.Current.CancellationToken).ShouldBe(0, stderr.ToString());
        var text = stdout.ToString();
        text.ShouldContain("img/s");
        text.ShouldContain("decode+pre");
        text.ShouldContain("dicom 2048x2048 16-bit");
        text.ShouldContain("00000001_000.png");
    }

    [Fact]
    public void Table_formats_rows_and_notes()
    {
        var table = BenchEncoderCommand.Table([new EncoderBenchRow("a", 4, 4, 3, 1, 2, 5, 8, null), new EncoderBenchRow("b", 0, 0, 0, null, 0, 0, double.NaN, "skipped: x")]);
        table.ShouldContain("125.0"); // 1000 / 8 ms
        table.ShouldContain("37.5%"); // (1 + 2) / 8
        table.ShouldContain("62.5%"); // 5 / 8
        table.ShouldContain("note: b: skipped: x");
    }

    [Fact]
    public void Synthetic_dicom_is_part_10_explicit_little_endian_16_bit()
    {
        var dicom = SyntheticDicom.Create(64, 32);
        dicom.AsSpan(128, 4).SequenceEqual("DICM"u8).ShouldBeTrue();
        System.Text.Encoding.ASCII.GetString(dicom).ShouldContain("1.2.840.10008.1.2.1");
        dicom.Length.ShouldBeGreaterThan(64 * 32 * 2);
        var pixels = EncoderBenchmark.SyntheticPixels(64, 32);
        pixels.Pixels.ShouldAllBe(v => v >= 0 && v <= 1);

        // The Imaging DICOM decoder reads it as the same picture (its own scaling to [0,1], so compare by correlation).
        var decoded = ReportGen.Imaging.ImageDecoder.Decode(dicom);
        (decoded.Width, decoded.Height, decoded.Channels).ShouldBe((64, 32, 1));
        decoded.Metadata.Format.ShouldBe("dicom");
        Correlation(decoded.Pixels, pixels.Pixels).ShouldBeGreaterThan(0.999);
    }

    private static double Correlation(float[] a, float[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.Sqrt(saa * sbb);
    }
}
