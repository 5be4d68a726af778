using ReportGen.Cli.Commands;
using ReportGen.Eval.Bench;
using ReportGen.Imaging.Dicom;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

[Fast]
public class BenchDecodeCommandTests
{
    [Fact]
    public void Refuses_non_positive_slices_or_repeats_with_exit_code_2()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        BenchDecodeCommand.Run(0, 3, stdout, stderr, TestContext.Current.CancellationToken).ShouldBe(2);
        stderr.ToString().ShouldContain("--slices and --repeats must be > 0");
        stdout.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void Table_gives_ours_over_the_tools_time_less_its_start_up_and_prints_notes()
    {
        var table = BenchDecodeCommand.Table(
        [
            new DecodeBenchRow("radiograph", "RLE lossless", 5_000_000, 90, "dcmdrle", 110, 10, null),
            new DecodeBenchRow("radiograph", "JPEG 2000 lossless", 0, null, "opj_decompress", null, null, "opj_decompress not installed"),
        ]);
        table.ShouldContain("0.90"); // 90 / (110 - 10)
        table.ShouldContain("5.0");
        table.ShouldContain("note: radiograph JPEG 2000 lossless: opj_decompress not installed");
    }

    [Fact]
    public void Synthetic_multi_frame_files_parse_with_their_frames_and_samples()
    {
        var dicom = SyntheticDicom.CreateFrames(8, 4, 3, (f, x, y) => f * 100 + y * 8 + x);
        var file = DicomFile.Parse(dicom);
        (file.Columns, file.Rows, file.NumberOfFrames, file.BitsStored).ShouldBe((8, 4, 3, 12));
        file.ReadModalityValues(2)[9].ShouldBe(209); // frame 2, row 1, column 1
    }
}
