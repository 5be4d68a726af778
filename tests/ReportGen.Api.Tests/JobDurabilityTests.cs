using System.Net;
using System.Text.Json;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>kill -9 in the middle of a job, restart: every record's result is there exactly once.</summary>
public class JobDurabilityTests
{
    [Fact]
    public async Task A_job_survives_kill_9_and_restart_with_no_record_lost_or_done_twice()
    {
        using var data = new TempDir();
        const int records = 40_000;
        var lines = Enumerable.Range(0, records).Select(i => JsonSerializer.Serialize(new { id = i, text = $"FINDINGS: Lungs clear {i}. No effusion. IMPRESSION: Normal." }));

        string location;
        int doneAtKill;
        var server = await ServerProcess.StartAsync(data.Path);
        await using (server)
        {
            using var client = server.CreateClient();
            var submit = await client.PostAsync("/v1/jobs?operation=sections", JobsApiTests.Jsonl(lines), TestContext.Current.CancellationToken);
            submit.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            location = submit.Headers.Location!.ToString();
            var resultsFile = Directory.EnumerateFiles(Path.Combine(data.Path, "jobs"), "results.jsonl", SearchOption.AllDirectories);
            // Kill once some, but not all, results are written.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!resultsFile.Any() || new FileInfo(resultsFile.First()).Length < 4096)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("the job never started");
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }
            server.KillHard();
            doneAtKill = File.ReadLines(resultsFile.First()).Count();
        }
        doneAtKill.ShouldBeLessThan(records, "the job finished before the kill: the test proved nothing");

        await using var restarted = await ServerProcess.StartAsync(data.Path);
        using var client2 = restarted.CreateClient();
        await JobsApiTests.WaitForExactlyOnceResults(client2, location, records, TimeSpan.FromMinutes(3));
    }
}
