using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReportGen.Api.Jobs;

/// <summary>
/// One job's files: <c>job.json</c> (what to do), <c>input.jsonl</c> (the records), <c>results.jsonl</c>
/// (one line per finished record, append-only) and <c>completed</c> (a marker).
/// Exactly-once rests on one rule: a record is done if and only if its line is complete in results.jsonl.
/// A crash can leave at most one torn line at the end; recovery cuts it off and that record is redone.
/// </summary>
public sealed class JobJournal
{
    private const string JobFile = "job.json";
    private const string InputFile = "input.jsonl";
    private const string ResultsFile = "results.jsonl";
    private const string CompletedFile = "completed";

    private JobJournal(string directory, JobDescriptor descriptor)
    {
        Directory = directory;
        Descriptor = descriptor;
    }

    /// <summary>The job's folder.</summary>
    public string Directory { get; }

    /// <summary>What the job does.</summary>
    public JobDescriptor Descriptor { get; }

    /// <summary>True once every record has a result.</summary>
    public bool IsCompleted => File.Exists(Path.Combine(Directory, CompletedFile));

    /// <summary>The results file.</summary>
    public string ResultsPath => Path.Combine(Directory, ResultsFile);

    /// <summary>
    /// Creates a job durably: files are written and fsynced in a temporary folder that is then renamed,
    /// so a job either exists whole or not at all.
    /// </summary>
    public static JobJournal Create(string jobsRoot, JobDescriptor descriptor, IReadOnlyList<string> records)
    {
        System.IO.Directory.CreateDirectory(jobsRoot);
        var tmp = Path.Combine(jobsRoot, ".tmp-" + descriptor.Id);
        System.IO.Directory.CreateDirectory(tmp);
        WriteDurably(Path.Combine(tmp, JobFile), JsonSerializer.SerializeToUtf8Bytes(descriptor, JobJson.Options));
        using (var input = new FileStream(Path.Combine(tmp, InputFile), FileMode.CreateNew, FileAccess.Write))
        {
            foreach (var line in records)
            {
                input.Write(Encoding.UTF8.GetBytes(line));
                input.WriteByte((byte)'\n');
            }
            input.Flush(flushToDisk: true);
        }
        var final = Path.Combine(jobsRoot, descriptor.Id);
        System.IO.Directory.Move(tmp, final);
        return new JobJournal(final, descriptor);
    }

    /// <summary>Opens an existing job folder; null when it is not a complete job (e.g. a leftover temp folder).</summary>
    public static JobJournal? Open(string directory)
    {
        var jobFile = Path.Combine(directory, JobFile);
        if (Path.GetFileName(directory).StartsWith(".tmp-", StringComparison.Ordinal) || !File.Exists(jobFile)) return null;
        var descriptor = JsonSerializer.Deserialize<JobDescriptor>(File.ReadAllBytes(jobFile), JobJson.Options);
        return descriptor is null ? null : new JobJournal(directory, descriptor);
    }

    /// <summary>The input records, in order.</summary>
    public IEnumerable<string> ReadInput() => File.ReadLines(Path.Combine(Directory, InputFile));

    /// <summary>
    /// Reads the finished record indices and cuts a torn last line off the results file, so that appends
    /// continue after the last complete line.
    /// </summary>
    public HashSet<int> RecoverDone(out int failed)
    {
        failed = 0;
        var done = new HashSet<int>();
        if (!File.Exists(ResultsPath)) return done;
        var bytes = File.ReadAllBytes(ResultsPath);
        var validLength = 0;
        var lineStart = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != (byte)'\n') continue;
            var line = bytes.AsSpan(lineStart, i - lineStart);
            if (!TryReadResultLine(line, out var index, out var isError)) break;
            done.Add(index);
            if (isError) failed++;
            validLength = i + 1;
            lineStart = i + 1;
        }
        if (validLength < bytes.Length)
        {
            using var fs = new FileStream(ResultsPath, FileMode.Open, FileAccess.Write);
            fs.SetLength(validLength);
            fs.Flush(flushToDisk: true);
        }
        return done;
    }

    /// <summary>Opens the results file for appending.</summary>
    public ResultsAppender OpenResults() => new(new FileStream(ResultsPath, FileMode.Append, FileAccess.Write, FileShare.Read));

    /// <summary>Marks the job completed (durably).</summary>
    public void MarkCompleted() => WriteDurably(Path.Combine(Directory, CompletedFile), "completed\n"u8.ToArray());

    /// <summary>Counts complete result lines (for progress) without modifying anything.</summary>
    public (int Done, int Failed) CountResults()
    {
        if (!File.Exists(ResultsPath)) return (0, 0);
        int done = 0, failed = 0;
        using var fs = new FileStream(ResultsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(fs);
        while (reader.ReadLine() is { } line)
        {
            if (!TryReadResultLine(Encoding.UTF8.GetBytes(line), out _, out var isError)) break;
            done++;
            if (isError) failed++;
        }
        return (done, failed);
    }

    /// <summary>Copies the complete result lines to <paramref name="destination"/> (a line being written is held back).</summary>
    public async Task CopyResultsAsync(Stream destination, CancellationToken cancellationToken)
    {
        if (!File.Exists(ResultsPath)) return;
        await using var fs = new FileStream(ResultsPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[64 * 1024];
        var carry = new MemoryStream();
        int read;
        while ((read = await fs.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var lastNewline = Array.LastIndexOf(buffer, (byte)'\n', read - 1);
            if (lastNewline < 0)
            {
                carry.Write(buffer, 0, read);
                continue;
            }
            if (carry.Length > 0)
            {
                await destination.WriteAsync(carry.GetBuffer().AsMemory(0, (int)carry.Length), cancellationToken);
                carry.SetLength(0);
            }
            await destination.WriteAsync(buffer.AsMemory(0, lastNewline + 1), cancellationToken);
            carry.Write(buffer, lastNewline + 1, read - lastNewline - 1);
        }
    }

    private static bool TryReadResultLine(ReadOnlySpan<byte> line, out int index, out bool isError)
    {
        index = -1;
        isError = false;
        try
        {
            var reader = new Utf8JsonReader(line);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (!doc.RootElement.TryGetProperty("index", out var ix) || !ix.TryGetInt32(out index)) return false;
            isError = doc.RootElement.TryGetProperty("error", out _);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void WriteDurably(string path, byte[] content)
    {
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write);
        fs.Write(content);
        fs.Flush(flushToDisk: true);
    }

    /// <summary>Appends result lines; each line is written whole, and flushed to disk in small groups.</summary>
    public sealed class ResultsAppender(FileStream stream) : IDisposable
    {
        private int _unsynced;

        /// <summary>Appends a success line.</summary>
        public void Success(int index, JsonNode? id, JsonNode result) =>
            Append(new JsonObject { ["index"] = index, ["id"] = id?.DeepClone(), ["result"] = result });

        /// <summary>Appends an error line (the record is done: it will not be retried).</summary>
        public void Error(int index, JsonNode? id, string code, string detail) =>
            Append(new JsonObject { ["index"] = index, ["id"] = id?.DeepClone(), ["error"] = new JsonObject { ["code"] = code, ["detail"] = detail } });

        /// <summary>Forces everything written so far to disk.</summary>
        public void Sync()
        {
            stream.Flush(flushToDisk: true);
            _unsynced = 0;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            Sync();
            stream.Dispose();
        }

        private void Append(JsonObject line)
        {
            // One write call per line: after kill -9 the page cache holds whole lines; only a power cut can tear
            // the tail, and recovery cuts a torn tail off.
            var bytes = Encoding.UTF8.GetBytes(line.ToJsonString(JobJson.Options) + "\n");
            stream.Write(bytes);
            stream.Flush();
            if (++_unsynced >= 64) Sync();
        }
    }
}

/// <summary>What a job does; written once at creation.</summary>
/// <param name="Id">Job id.</param>
/// <param name="Operation">The operation name.</param>
/// <param name="Parameters">Operation parameters (engine, taxonomy, ...).</param>
/// <param name="Total">Number of records.</param>
/// <param name="CreatedAt">Creation time (UTC).</param>
/// <param name="Client">The API key name that submitted it.</param>
public sealed record JobDescriptor(string Id, string Operation, IReadOnlyDictionary<string, string> Parameters, int Total, DateTimeOffset CreatedAt, string Client);

internal static class JobJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
