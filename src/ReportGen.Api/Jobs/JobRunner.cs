using ReportGen.Core.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Api.Hosting;
using ReportGen.Llama;

namespace ReportGen.Api.Jobs;

/// <summary>
/// Runs queued jobs one at a time, resuming each after the last record recorded in its journal.
/// Stopping the service (or killing it) loses nothing: unfinished jobs are re-queued at the next start.
/// </summary>
public sealed class JobRunner(JobStore store, ILogger<JobRunner> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var journal in store.Pending.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RunAsync(journal, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogError("Job {JobId} stopped on a storage error ({ExceptionType}); it resumes at the next start", journal.Descriptor.Id, ex.GetType().Name);
            }
        }
    }

    private async Task RunAsync(JobJournal journal, CancellationToken stoppingToken)
    {
        var descriptor = journal.Descriptor;
        if (!store.Operations.TryGetValue(descriptor.Operation, out var operation))
        {
            logger.LogError("Job {JobId}: operation {Operation} is no longer available", descriptor.Id, descriptor.Operation);
            return;
        }
        var done = journal.RecoverDone(out _);
        logger.LogInformation("Job {JobId} ({Operation}): {Done}/{Total} records already done", descriptor.Id, descriptor.Operation, done.Count, descriptor.Total);
        using (var results = journal.OpenResults())
        {
            var index = -1;
            foreach (var line in journal.ReadInput())
            {
                index++;
                if (done.Contains(index)) continue;
                stoppingToken.ThrowIfCancellationRequested();
                using var record = JsonDocument.Parse(line);
                var id = record.RootElement.TryGetProperty("id", out var idElement) ? JsonNode.Parse(idElement.GetRawText()) : null;
                try
                {
                    var result = await ExecuteWhenAdmittedAsync(operation, record.RootElement, descriptor.Parameters, stoppingToken);
                    results.Success(index, id, result);
                }
                catch (JobRecordException ex)
                {
                    results.Error(index, id, ex.Code, ex.Message);
                }
                catch (ReportTextException ex)
                {
                    results.Error(index, id, ex.Code, ex.Message);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One bad record must not stall the job; the type is logged, never the text.
                    logger.LogError("Job {JobId} record {Index}: {ExceptionType}", descriptor.Id, index, ex.GetType().Name);
                    results.Error(index, id, "internal_error", "The record could not be processed: " + ex.GetType().Name);
                }
            }
        }
        journal.MarkCompleted();
        logger.LogInformation("Job {JobId} completed", descriptor.Id);
    }

    /// <summary>
    /// Batch work yields to interactive requests: a full model queue is not the record's fault, so the record waits
    /// and retries (it never fails for it); a model that stays unavailable fails the record after a few tries.
    /// </summary>
    private static async Task<JsonNode> ExecuteWhenAdmittedAsync(IJobOperation operation, JsonElement record, IReadOnlyDictionary<string, string> parameters,
        CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        for (var unavailable = 0; ; )
        {
            try
            {
                return await operation.ExecuteAsync(record, parameters, stoppingToken);
            }
            catch (SchedulerFullException)
            {
            }
            catch (LlmUnavailableException) when (++unavailable < 5)
            {
            }
            await Task.Delay(delay, stoppingToken);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
    }
}
