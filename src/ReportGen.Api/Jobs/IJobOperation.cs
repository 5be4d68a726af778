using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReportGen.Api.Jobs;

/// <summary>One operation a batch job can run over each record (structure, classify, sections, ...).</summary>
public interface IJobOperation
{
    /// <summary>The name used in <c>POST /v1/jobs?operation=NAME</c>.</summary>
    string Name { get; }

    /// <summary>Checks the job's parameters once, at submission; returns the problem (field, message) or null.</summary>
    (string Field, string Message)? ValidateParameters(IReadOnlyDictionary<string, string> parameters);

    /// <summary>Runs on one record (a JSON object with at least <c>text</c>); throws <see cref="JobRecordException"/> for bad records.</summary>
    Task<JsonNode> ExecuteAsync(JsonElement record, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken);
}

/// <summary>A record the operation cannot process: recorded as that record's error, the job goes on.</summary>
/// <param name="code">Machine-readable code.</param>
/// <param name="message">What is wrong, without the record's text.</param>
public sealed class JobRecordException(string code, string message) : Exception(message)
{
    /// <summary>Machine-readable code.</summary>
    public string Code { get; } = code;
}
