using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ReportGen.Api.Tests;

public class JobsApiTests
{
    internal static StringContent Jsonl(IEnumerable<string> lines) => new(string.Join("\n", lines) + "\n", Encoding.UTF8, "application/x-ndjson");

    internal static async Task<JsonElement> WaitForCompletion(HttpClient client, string location, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var status = await client.GetFromJsonAsync<JsonElement>(location);
            if (status.GetProperty("status").GetString() == "completed") return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("job did not complete: " + status);
            await Task.Delay(50);
        }
    }

    /// <summary>Waits for the job, then checks its results hold every record index exactly once, in order.</summary>
    internal static async Task<List<JsonElement>> WaitForExactlyOnceResults(HttpClient client, string location, int records, TimeSpan timeout)
    {
        var status = await WaitForCompletion(client, location, timeout);
        status.GetProperty("done").GetInt32().ShouldBe(records);
        var results = (await client.GetStringAsync(location + "/results"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .ToList();
        var indices = results.Select(r => r.GetProperty("index").GetInt32()).ToList();
        indices.Count.ShouldBe(records, "one result line per record");
        indices.Distinct().Count().ShouldBe(records, "no record done twice");
        indices.ShouldBe(Enumerable.Range(0, records));
        return results;
    }

    [Fact]
    public async Task A_job_runs_every_record_exactly_once_and_reports_bad_records()
    {
        await using var factory = new ApiFactory();
        using var client = factory.CreateAuthorizedClient();
        var lines = Enumerable.Range(0, 50).Select(i => JsonSerializer.Serialize(new { id = $"r{i}", text = $"FINDINGS: Lungs are clear. IMPRESSION: Normal study {i}." })).ToList();
        lines.Add("""{"id":"bad","text":""}""");
        var submit = await client.PostAsync("/v1/jobs?operation=sections", Jsonl(lines), TestContext.Current.CancellationToken);
        submit.StatusCode.ShouldBe(HttpStatusCode.Accepted, await submit.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var location = submit.Headers.Location!.ToString();

        var status = await WaitForCompletion(client, location, TimeSpan.FromSeconds(30));
        status.GetProperty("total").GetInt32().ShouldBe(51);
        status.GetProperty("done").GetInt32().ShouldBe(51);
        status.GetProperty("failed").GetInt32().ShouldBe(1);

        var results = (await client.GetStringAsync(location + "/results", TestContext.Current.CancellationToken))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        results.Select(r => r.GetProperty("index").GetInt32()).ShouldBe(Enumerable.Range(0, 51));
        results[0].GetProperty("id").GetString().ShouldBe("r0");
        results[0].GetProperty("result").GetProperty("sections")[0].GetProperty("kind").GetString().ShouldBe("findings");
        results[50].GetProperty("error").GetProperty("code").GetString().ShouldBe("empty_text");
    }

    [Theory]
    [InlineData("application/json", "sections", "{\"text\":\"a\"}", 415, "Content-Type")]
    [InlineData("application/x-ndjson", "", "{\"text\":\"a\"}", 400, "operation")]
    [InlineData("application/x-ndjson", "teleport", "{\"text\":\"a\"}", 400, "operation")]
    [InlineData("application/x-ndjson", "sections", "", 400, "body")]
    [InlineData("application/x-ndjson", "sections", "{\"text\":\"a\"}\nnot json", 400, "records[2]")]
    [InlineData("application/x-ndjson", "sections", "[1,2]", 400, "records[1]")]
    public async Task Bad_submissions_are_problems_naming_the_field(string contentType, string operation, string body, int status, string field)
    {
        await using var factory = new ApiFactory();
        using var client = factory.CreateAuthorizedClient();
        var response = await client.PostAsync($"/v1/jobs?operation={operation}", new StringContent(body, Encoding.UTF8, contentType), TestContext.Current.CancellationToken);
        ((int)response.StatusCode).ShouldBe(status);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        problem.GetProperty("field").GetString().ShouldBe(field);
    }

    [Fact]
    public async Task Unknown_jobs_are_404_problems()
    {
        await using var factory = new ApiFactory();
        using var client = factory.CreateAuthorizedClient();
        var response = await client.GetAsync("/v1/jobs/doesnotexist", TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("field").GetString().ShouldBe("id");
    }
}
