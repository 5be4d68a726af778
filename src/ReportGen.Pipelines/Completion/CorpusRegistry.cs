using System.Collections.Concurrent;
using ReportGen.Core.Completion;
using ReportGen.Core.Hosting;

namespace ReportGen.Pipelines.Completion;

/// <summary>A named corpus: where its reports are and where its built index is kept.</summary>
/// <param name="Name">Name used in requests (<c>corpus</c>), e.g. a site name.</param>
/// <param name="Source">A JSONL file or a folder of .txt reports; null when only a prebuilt index exists.</param>
/// <param name="IndexPath">The binary index file; null puts it in the registry's cache folder.</param>
/// <param name="MoreSources">Further JSONL files or folders indexed after <paramref name="Source"/> into the same index.</param>
public sealed record CorpusDefinition(string Name, string? Source, string? IndexPath = null, IReadOnlyList<string>? MoreSources = null)
{
    /// <summary>All sources, in indexing order (empty when only a prebuilt index exists).</summary>
    public IReadOnlyList<string> Sources => Source is null ? [] : [Source, .. MoreSources ?? []];
}

/// <summary>
/// Per-site corpora by name. Each index is built from its source the first time it is needed (and
/// whenever the source is newer than the saved index), saved, and afterwards loaded from disk once.
/// A build that fails is not remembered: the next request for the corpus tries again.
/// </summary>
public sealed class CorpusRegistry
{
    /// <summary>The name of the IU X-ray corpus registered by <see cref="CreateDefault"/>.</summary>
    public const string IuXrayName = "iu-xray";

    private readonly ConcurrentDictionary<string, CorpusDefinition> _definitions = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<SentenceIndex>> _loaded = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates an empty registry that keeps built indexes in <paramref name="cacheFolder"/>.</summary>
    public CorpusRegistry(string? cacheFolder = null) => CacheFolder = cacheFolder ?? DefaultCacheFolder();

    /// <summary>Where indexes without an explicit path are saved.</summary>
    public string CacheFolder { get; }

    /// <summary>The corpus used when a request names none (the first registered unless set).</summary>
    public string? DefaultName { get; set; }

    /// <summary>Registered names.</summary>
    public IReadOnlyCollection<string> Names => [.. _definitions.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Adds or replaces a corpus.</summary>
    public CorpusRegistry Register(CorpusDefinition definition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(definition.Name);
        _definitions[definition.Name] = definition;
        _loaded.TryRemove(definition.Name, out _);
        DefaultName ??= definition.Name;
        return this;
    }

    /// <summary>
    /// A registry with the IU X-ray reports from the shared folder, when present: the training reports (findings only)
    /// and the validation reports (findings and impression; the only impressions the data has). An evaluation over
    /// validation reports leaves the evaluated ones out of the index (eval/completion.md).
    /// </summary>
    public static CorpusRegistry CreateDefault(string? cacheFolder = null)
    {
        var registry = new CorpusRegistry(cacheFolder);
        if (Workspace.Shared("data", "iu-xray", "train.jsonl") is { } train && File.Exists(train))
        {
            var val = Workspace.Shared("data", "iu-xray", "val.jsonl");
            registry.Register(new CorpusDefinition(IuXrayName, train, MoreSources: val is not null && File.Exists(val) ? [val] : null));
        }
        return registry;
    }

    /// <summary>The definition registered under a name (case-insensitive), or null.</summary>
    public CorpusDefinition? Definition(string name) => _definitions.GetValueOrDefault(name);

    /// <summary>Adds or replaces a corpus whose index is already built (kept in memory only, never saved).</summary>
    public CorpusRegistry Register(SentenceIndex index)
    {
        Register(new CorpusDefinition(index.Name, null));
        _loaded[index.Name] = new Lazy<SentenceIndex>(index);
        return this;
    }

    /// <summary>The index of a corpus (null: the default one), loading or building it on first use.</summary>
    /// <exception cref="CompletionInputException">No corpus of that name (field <c>corpus</c>).</exception>
    public SentenceIndex Get(string? name)
    {
        var key = string.IsNullOrWhiteSpace(name) ? DefaultName : name.Trim();
        if (key is null || !_definitions.TryGetValue(key, out var definition))
        {
            throw new CompletionInputException("corpus", key is null
                ? "no corpus is configured (register one or provide ../shared/data/iu-xray/train.jsonl)"
                : $"unknown corpus '{Sanitize(key)}'; known: {string.Join(", ", Names)}");
        }
        // Lazy: concurrent first requests build once. A Lazy caches its exception too, so a failed build (source
        // missing or being written, disk full) is dropped here and the next request tries again.
        var entry = _loaded.GetOrAdd(definition.Name, _ => new Lazy<SentenceIndex>(() => LoadOrBuild(definition)));
        try
        {
            return entry.Value;
        }
        catch
        {
            _loaded.TryRemove(new KeyValuePair<string, Lazy<SentenceIndex>>(definition.Name, entry));
            throw;
        }
    }

    /// <summary>
    /// Loads the saved index when it is current, else builds it from the source and saves it. Current means built from
    /// exactly the source files there are now (the same paths, sizes and modification times, kept beside the index in
    /// <c>NAME.rgsi.sources</c>): a report file deleted from a corpus folder, or a source replaced by an older copy, must
    /// not go on being suggested from.
    /// </summary>
    public SentenceIndex LoadOrBuild(CorpusDefinition definition)
    {
        var indexPath = IndexPathOf(definition);
        var sourcesPath = indexPath + ".sources";
        var fingerprint = definition.Source is null ? null : Fingerprint(definition.Sources);
        if (File.Exists(indexPath) && (fingerprint is null || (File.Exists(sourcesPath) && File.ReadAllText(sourcesPath) == fingerprint)))
        {
            try
            {
                return SentenceIndex.Load(indexPath);
            }
            catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException && definition.Source is not null)
            {
                // An index from an older format version: rebuild it below.
            }
        }
        if (definition.Source is null)
        {
            throw new FileNotFoundException($"index of corpus '{definition.Name}' not found", indexPath);
        }
        var index = SentenceIndexBuilder.FromSources(definition.Name, definition.Sources);
        try
        {
            index.Save(indexPath);
            File.WriteAllText(sourcesPath, fingerprint); // after the index: a crash between the two only costs a rebuild
        }
        catch (IOException)
        {
            // A read-only cache only costs a rebuild next time.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return index;
    }

    /// <summary>The index file of a corpus.</summary>
    public string IndexPathOf(CorpusDefinition definition) =>
        definition.IndexPath ?? Path.Combine(CacheFolder, definition.Name + ".rgsi");

    // One line per source file (a folder's .txt files in ordinal order): full path, length, modification time.
    private static string Fingerprint(IEnumerable<string> sources) =>
        string.Join('\n', sources.SelectMany<string, string>(source => Directory.Exists(source)
                ? Directory.EnumerateFiles(source, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                : [source])
            .Select(file => new FileInfo(file))
            .Select(f => $"{f.FullName}\t{(f.Exists ? f.Length : -1)}\t{(f.Exists ? f.LastWriteTimeUtc.Ticks : 0)}"));

    private static string Sanitize(string name) => name.Length > 64 ? name[..64] + "…" : name;

    private static string DefaultCacheFolder()
    {
        var fromEnv = Environment.GetEnvironmentVariable("REPORTGEN_CACHE");
        if (!string.IsNullOrWhiteSpace(fromEnv)) return Path.Combine(fromEnv, "completion");
        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.Combine(string.IsNullOrEmpty(local) ? Path.GetTempPath() : local, "reportgen", "completion");
    }
}
