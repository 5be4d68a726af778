using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ReportGen.Api.Jobs;
using ReportGen.Api.Security;

namespace ReportGen.Api.Apis;

/// <summary>Batch jobs: JSONL in, progress, JSONL results; durable across restarts and kill -9.</summary>
public static class JobsApi
{
    /// <summary>Most records one job may hold.</summary>
    public const int MaxRecords = 100_000;

    /// <summary>Maps <c>/v1/jobs</c>.</summary>
    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder v1)
    {
        var jobs = v1.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapPost("/", Submit).WithName("submitJob").WithSummary("Submit a batch job: JSONL body ({\"id\",\"text\"} per line), ?operation=NAME and its parameters")
;
        jobs.MapGet("/{id}", Status).WithName("getJob").WithSummary("A job's progress");
        jobs.MapGet("/{id}/results", Results).WithName("getJobResults").Produces<string>(StatusCodes.Status200OK, "application/x-ndjson").WithSummary("A job's results so far, as JSONL (one line per record, exactly once)");
        return v1;
    }

    /// <summary>Validates and stores the job, then answers 202 with its status.</summary>
    public static async Task<Accepted<JobStatus>> Submit(HttpContext context, JobStore store, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("application/x-ndjson" or "application/jsonl" or "application/json-lines" or "application/jsonlines"))
            throw Invalid(StatusCodes.Status415UnsupportedMediaType, "Content-Type", "Send the records as application/x-ndjson (one JSON object per line).");
        var operationName = request.Query["operation"].ToString();
        if (string.IsNullOrWhiteSpace(operationName))
            throw Invalid(StatusCodes.Status400BadRequest, "operation", $"Name the operation: one of {string.Join(", ", store.Operations.Keys.Order())}.");
        if (!store.Operations.TryGetValue(operationName, out var operation))
            throw Invalid(StatusCodes.Status400BadRequest, "operation", $"Unknown operation '{operationName}'; known: {string.Join(", ", store.Operations.Keys.Order())}.");
        var parameters = request.Query.Where(q => q.Key != "operation").ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        if (operation.ValidateParameters(parameters) is { } bad) throw Invalid(StatusCodes.Status400BadRequest, bad.Field, bad.Message);

        var records = new List<string>();
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (!IsJsonObject(line)) throw Invalid(StatusCodes.Status400BadRequest, $"records[{lineNumber}]", $"Line {lineNumber} is not a JSON object.");
            if (records.Count == MaxRecords) throw Invalid(StatusCodes.Status413PayloadTooLarge, "body", $"A job holds at most {MaxRecords} records; split the file.");
            records.Add(line);
        }
        if (records.Count == 0) throw Invalid(StatusCodes.Status400BadRequest, "body", "The body holds no records.");

        var client = context.Items[ApiKeyAuthentication.ClientNameItem] as string ?? "unknown";
        var journal = store.Submit(operation.Name, parameters, records, client);
        return TypedResults.Accepted($"/v1/jobs/{journal.Descriptor.Id}", JobStatus.Of(journal));
    }

    /// <summary>The job's progress.</summary>
    public static Ok<JobStatus> Status(string id, JobStore store) => TypedResults.Ok(JobStatus.Of(Find(id, store)));

    /// <summary>Streams the complete result lines.</summary>
    public static PushStreamHttpResult Results(string id, JobStore store, HttpContext context)
    {
        var journal = Find(id, store);
        return TypedResults.Stream(stream => journal.CopyResultsAsync(stream, context.RequestAborted), "application/x-ndjson");
    }

    private static JobJournal Find(string id, JobStore store) =>
        store.Find(id) ?? throw new RequestFieldException("id", $"No job has id '{id}'.", StatusCodes.Status404NotFound, "unknown_job");

    // Thrown, as everywhere: the exception handler writes the problem (ProblemExceptionHandler, PipelineProblemMapper).
    private static RequestFieldException Invalid(int status, string field, string detail) => new(field, detail, status);

    private static bool IsJsonObject(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>A job's progress.</summary>
public sealed record JobStatus(string Id, string Operation, string Status, int Total, int Done, int Failed, DateTimeOffset CreatedAt, string Results)
{
    /// <summary>Reads the current progress from the journal.</summary>
    public static JobStatus Of(JobJournal journal)
    {
        var (done, failed) = journal.CountResults();
        var d = journal.Descriptor;
        var status = journal.IsCompleted ? "completed" : done == 0 ? "queued" : "running";
        return new JobStatus(d.Id, d.Operation, status, d.Total, done, failed, d.CreatedAt, $"/v1/jobs/{d.Id}/results");
    }
}
