using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using ReportGen.Api.Hosting;

namespace ReportGen.Api.Jobs;

/// <summary>All jobs on disk under <c>{DataDirectory}/jobs</c>, and the queue of those still to run.</summary>
public sealed class JobStore
{
    private readonly ConcurrentDictionary<string, JobJournal> _jobs = new(StringComparer.Ordinal);
    private readonly Channel<JobJournal> _pending = Channel.CreateUnbounded<JobJournal>();

    /// <summary>Opens the store and re-queues every job a previous process left unfinished.</summary>
    public JobStore(IOptions<ReportGenApiOptions> options, IEnumerable<IJobOperation> operations)
    {
        Root = Path.Combine(options.Value.ResolveDataDirectory(), "jobs");
        Operations = operations.ToDictionary(o => o.Name, StringComparer.OrdinalIgnoreCase);
        Directory.CreateDirectory(Root);
        foreach (var dir in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(dir).StartsWith(".tmp-", StringComparison.Ordinal))
            {
                // A submission interrupted before its rename was never acknowledged: drop it.
                Directory.Delete(dir, recursive: true);
                continue;
            }
            if (JobJournal.Open(dir) is not { } journal) continue;
            _jobs[journal.Descriptor.Id] = journal;
            if (!journal.IsCompleted) _pending.Writer.TryWrite(journal);
        }
    }

    /// <summary>The jobs folder.</summary>
    public string Root { get; }

    /// <summary>Known operations by name.</summary>
    public IReadOnlyDictionary<string, IJobOperation> Operations { get; }

    /// <summary>Jobs waiting to run (read by the runner).</summary>
    public ChannelReader<JobJournal> Pending => _pending.Reader;

    /// <summary>Creates a job durably and queues it.</summary>
    public JobJournal Submit(string operation, IReadOnlyDictionary<string, string> parameters, IReadOnlyList<string> records, string client)
    {
        var descriptor = new JobDescriptor(Guid.NewGuid().ToString("n"), operation, parameters, records.Count, DateTimeOffset.UtcNow, client);
        var journal = JobJournal.Create(Root, descriptor, records);
        _jobs[descriptor.Id] = journal;
        _pending.Writer.TryWrite(journal);
        return journal;
    }

    /// <summary>A job by id, or null.</summary>
    public JobJournal? Find(string id) => _jobs.GetValueOrDefault(id);

    /// <summary>Jobs not yet completed (queue depth for metrics).</summary>
    public int Unfinished => _jobs.Values.Count(j => !j.IsCompleted);
}
