using System.Text.Json.Nodes;
using ReportGen.Api.Jobs;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

[Fast]
public class JobJournalTests
{
    private static JobJournal NewJob(TempDir dir, int records) =>
        JobJournal.Create(dir.Path, new JobDescriptor("job1", "sections", new Dictionary<string, string>(), records, DateTimeOffset.UtcNow, "test"),
            Enumerable.Range(0, records).Select(i => $$"""{"id":{{i}},"text":"r{{i}}"}""").ToList());

    [Fact]
    public void A_torn_last_line_is_cut_off_and_its_record_redone()
    {
        using var dir = new TempDir();
        var job = NewJob(dir, 5);
        using (var results = job.OpenResults())
        {
            results.Success(0, 0, new JsonObject { ["ok"] = true });
            results.Error(1, 1, "empty_text", "empty");
        }
        // Simulate a power cut in the middle of writing record 2's line.
        File.AppendAllText(job.ResultsPath, """{"index":2,"id":2,"resu""");

        var done = job.RecoverDone(out var failed);
        done.ShouldBe([0, 1], ignoreOrder: true);
        failed.ShouldBe(1);
        File.ReadAllText(job.ResultsPath).ShouldEndWith("}\n");

        using (var results = job.OpenResults()) results.Success(2, 2, new JsonObject());
        job.RecoverDone(out _).ShouldBe([0, 1, 2], ignoreOrder: true);
        job.CountResults().ShouldBe((3, 1));
    }

    [Fact]
    public void Reopening_a_job_reads_its_descriptor_and_input()
    {
        using var dir = new TempDir();
        NewJob(dir, 3);
        var reopened = JobJournal.Open(Path.Combine(dir.Path, "job1"))!;
        reopened.Descriptor.Operation.ShouldBe("sections");
        reopened.ReadInput().Count().ShouldBe(3);
        reopened.IsCompleted.ShouldBeFalse();
        reopened.MarkCompleted();
        JobJournal.Open(Path.Combine(dir.Path, "job1"))!.IsCompleted.ShouldBeTrue();
    }

    [Fact]
    public async Task Results_being_written_are_held_back_until_their_line_is_complete()
    {
        using var dir = new TempDir();
        var job = NewJob(dir, 3);
        using (var results = job.OpenResults()) results.Success(0, 0, new JsonObject());
        File.AppendAllText(job.ResultsPath, """{"index":1""");
        using var output = new MemoryStream();
        await job.CopyResultsAsync(output, TestContext.Current.CancellationToken);
        var text = System.Text.Encoding.UTF8.GetString(output.ToArray());
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1);
        text.ShouldStartWith("""{"index":0""");
    }
}
