using System.Text;
using ReportGen.Core.Completion;
using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Completion;

/// <summary>
/// The de-duplicated sentences of a report corpus with their counts, position statistics, word
/// tokens and the reports they came from, plus the lookup structures retrieval needs (built on load).
/// Saved in a compact binary file (<see cref="Save"/>/<see cref="Load"/>).
/// </summary>
public sealed class SentenceIndex
{
    /// <summary>Position histogram bins: index 0..8 exactly, the last bin is "9th sentence or later".</summary>
    public const int PositionBins = 10;

    private const uint Magic = 0x49534752; // "RGSI"
    // 2: each sentence also keeps a position histogram per report section (version 1 indexes are rebuilt from their source).
    private const int FormatVersion = 2;

    /// <summary>Position histograms for every section of <see cref="CompletionSections.All"/>, all zero.</summary>
    internal static int[][] EmptySectionHistograms() => [.. CompletionSections.All.Select(_ => new int[PositionBins])];

    private readonly Dictionary<string, int> _idByKey;
    private readonly int[] _byKey; // sentence ids sorted by key (ordinal), for prefix ranges

    internal SentenceIndex(string name, string[] vocabulary, SentenceEntry[] sentences, int[][] reports)
    {
        Name = name;
        Vocabulary = vocabulary;
        Sentences = sentences;
        Reports = reports;
        Keys = new string[sentences.Length];
        _idByKey = new Dictionary<string, int>(sentences.Length, StringComparer.Ordinal);
        for (var i = 0; i < sentences.Length; i++)
        {
            Keys[i] = string.Join(' ', sentences[i].Terms.Select(t => vocabulary[t]));
            _idByKey[Keys[i]] = i;
        }
        _byKey = [.. Enumerable.Range(0, sentences.Length).OrderBy(i => Keys[i], StringComparer.Ordinal)];
        SentencePostings = BuildSentencePostings(vocabulary.Length, sentences);
        ReportPostings = BuildReportPostings(vocabulary.Length, sentences, reports);
        ReportLengths = [.. reports.Select(r => r.Sum(s => sentences[s].Terms.Length))];
        AverageReportLength = ReportLengths.Length == 0 ? 1 : Math.Max(1, ReportLengths.Average());
        AverageSentenceLength = sentences.Length == 0 ? 1 : Math.Max(1, sentences.Average(s => s.Terms.Length));
        Transitions = BuildTransitions(reports);
        SentenceReports = BuildSentenceReports(sentences.Length, reports);
        _findings = new IReadOnlyList<FindingMention>?[sentences.Length];
        TermIds = new Dictionary<string, int>(vocabulary.Length, StringComparer.Ordinal);
        for (var i = 0; i < vocabulary.Length; i++) TermIds[vocabulary[i]] = i;
    }

    /// <summary>The corpus name.</summary>
    public string Name { get; }

    /// <summary>Distinct word tokens.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Distinct sentences; the index is the sentence id.</summary>
    public IReadOnlyList<SentenceEntry> Sentences { get; }

    /// <summary>Each report as its ordered sentence ids.</summary>
    public IReadOnlyList<int[]> Reports { get; }

    /// <summary>The case-folded key of each sentence.</summary>
    public string[] Keys { get; }

    internal Dictionary<string, int> TermIds { get; }
    internal (int Sentence, int Tf)[][] SentencePostings { get; }
    internal (int Report, int Tf)[][] ReportPostings { get; }
    internal int[] ReportLengths { get; }
    internal double AverageReportLength { get; }
    internal double AverageSentenceLength { get; }
    internal Dictionary<int, Dictionary<int, int>> Transitions { get; }
    /// <summary>For each sentence, the reports it occurs in (each once) with its first position there.</summary>
    internal (int Report, int Position)[][] SentenceReports { get; }
    // Finding mentions are read on first use: most sentences are never candidates of a request.
    private readonly IReadOnlyList<FindingMention>?[] _findings;

    /// <summary>The (concept, state) pairs of a sentence (computed once, on first use).</summary>
    public IReadOnlyList<FindingMention> FindingsOf(int id) => _findings[id] ??= FindingPolarity.Extract(Sentences[id].Text);

    /// <summary>The sentence with this key (see <see cref="CompletionText.Key"/>), or -1.</summary>
    public int Find(string key) => _idByKey.TryGetValue(key, out var id) ? id : -1;

    /// <summary>Ids of the sentences whose key starts with the given word prefix (complete words, then a partial word).</summary>
    public List<int> WithPrefix(IReadOnlyList<string> words, string partial)
    {
        var result = new List<int>();
        var joined = string.Join(' ', words);
        var probe = partial.Length > 0 ? (joined.Length > 0 ? joined + " " + partial : partial) : joined;
        if (probe.Length == 0)
        {
            result.AddRange(Enumerable.Range(0, Sentences.Count));
            return result;
        }
        var lo = 0;
        var hi = _byKey.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(Keys[_byKey[mid]], probe) < 0) lo = mid + 1; else hi = mid;
        }
        for (var i = lo; i < _byKey.Length; i++)
        {
            var key = Keys[_byKey[i]];
            if (!key.StartsWith(probe, StringComparison.Ordinal)) break;
            // Complete words must end at a word boundary; a partial word may continue.
            if (partial.Length == 0 && key.Length > probe.Length && key[probe.Length] != ' ') continue;
            result.Add(_byKey[i]);
        }
        return result;
    }

    /// <summary>Writes the index in its binary format.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp";
        using (var stream = new BufferedStream(File.Create(tmp), 1 << 16))
        using (var w = new BinaryWriter(stream, Encoding.UTF8))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write(Name);
            w.Write7BitEncodedInt(Vocabulary.Count);
            foreach (var term in Vocabulary) w.Write(term);
            w.Write7BitEncodedInt(Sentences.Count);
            foreach (var s in Sentences)
            {
                w.Write(s.Text);
                w.Write7BitEncodedInt(s.Count);
                w.Write(s.MeanRelativePosition);
                foreach (var h in s.PositionHistogram) w.Write7BitEncodedInt(h);
                foreach (var h in s.SectionPositions.SelectMany(x => x)) w.Write7BitEncodedInt(h);
                w.Write7BitEncodedInt(s.Terms.Length);
                foreach (var t in s.Terms) w.Write7BitEncodedInt(t);
            }
            w.Write7BitEncodedInt(Reports.Count);
            foreach (var r in Reports)
            {
                w.Write7BitEncodedInt(r.Length);
                foreach (var s in r) w.Write7BitEncodedInt(s);
            }
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads an index written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a sentence index of this format version.</exception>
    public static SentenceIndex Load(string path)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 16);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        if (r.ReadUInt32() != Magic) throw new InvalidDataException($"{Path.GetFileName(path)} is not a ReportGen sentence index");
        var version = r.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: sentence index format {version}, expected {FormatVersion}; rebuild it from its source (a corpus registered with its source is rebuilt automatically)");
        }
        var name = r.ReadString();
        var vocabulary = new string[r.Read7BitEncodedInt()];
        for (var i = 0; i < vocabulary.Length; i++) vocabulary[i] = r.ReadString();
        var sentences = new SentenceEntry[r.Read7BitEncodedInt()];
        for (var i = 0; i < sentences.Length; i++)
        {
            var text = r.ReadString();
            var count = r.Read7BitEncodedInt();
            var meanPos = r.ReadSingle();
            var hist = new int[PositionBins];
            for (var b = 0; b < hist.Length; b++) hist[b] = r.Read7BitEncodedInt();
            var sections = EmptySectionHistograms();
            foreach (var sectionHist in sections)
            {
                for (var b = 0; b < sectionHist.Length; b++) sectionHist[b] = r.Read7BitEncodedInt();
            }
            var terms = new int[r.Read7BitEncodedInt()];
            for (var t = 0; t < terms.Length; t++) terms[t] = r.Read7BitEncodedInt();
            sentences[i] = new SentenceEntry(text, count, meanPos, hist, terms, sections);
        }
        var reports = new int[r.Read7BitEncodedInt()][];
        for (var i = 0; i < reports.Length; i++)
        {
            var ids = new int[r.Read7BitEncodedInt()];
            for (var j = 0; j < ids.Length; j++) ids[j] = r.Read7BitEncodedInt();
            reports[i] = ids;
        }
        return new SentenceIndex(name, vocabulary, sentences, reports);
    }

    private static (int, int)[][] BuildSentencePostings(int vocab, SentenceEntry[] sentences)
    {
        var lists = new List<(int, int)>[vocab];
        for (var s = 0; s < sentences.Length; s++)
        {
            foreach (var g in sentences[s].Terms.GroupBy(t => t))
            {
                (lists[g.Key] ??= []).Add((s, g.Count()));
            }
        }
        return [.. lists.Select(l => l?.ToArray() ?? [])];
    }

    private static (int, int)[][] BuildReportPostings(int vocab, SentenceEntry[] sentences, int[][] reports)
    {
        var lists = new List<(int, int)>[vocab];
        for (var r = 0; r < reports.Length; r++)
        {
            foreach (var g in reports[r].SelectMany(s => sentences[s].Terms).GroupBy(t => t))
            {
                (lists[g.Key] ??= []).Add((r, g.Count()));
            }
        }
        return [.. lists.Select(l => l?.ToArray() ?? [])];
    }

    private static (int, int)[][] BuildSentenceReports(int sentenceCount, int[][] reports)
    {
        var lists = new List<(int, int)>[sentenceCount];
        for (var r = 0; r < reports.Length; r++)
        {
            for (var i = 0; i < reports[r].Length; i++)
            {
                var list = lists[reports[r][i]] ??= [];
                if (list.Count == 0 || list[^1].Item1 != r) list.Add((r, i));
            }
        }
        return [.. lists.Select(l => l?.ToArray() ?? [])];
    }

    private static Dictionary<int, Dictionary<int, int>> BuildTransitions(int[][] reports)
    {
        var result = new Dictionary<int, Dictionary<int, int>>();
        foreach (var report in reports)
        {
            for (var i = 0; i + 1 < report.Length; i++)
            {
                if (!result.TryGetValue(report[i], out var next)) result[report[i]] = next = [];
                next[report[i + 1]] = next.GetValueOrDefault(report[i + 1]) + 1;
            }
        }
        return result;
    }
}

/// <summary>One distinct sentence of the corpus.</summary>
/// <param name="Text">Display text (the most frequent spelling).</param>
/// <param name="Count">Occurrences in the corpus.</param>
/// <param name="MeanRelativePosition">Mean of index/(n-1) over its occurrences (0 = first sentence, 1 = last).</param>
/// <param name="PositionHistogram">Occurrences by absolute sentence index (see <see cref="SentenceIndex.PositionBins"/>).</param>
/// <param name="Terms">Word token ids.</param>
/// <param name="SectionPositions">
/// Per section of <see cref="CompletionSections.All"/> (by slot), occurrences by sentence index within that section (same bins as
/// <see cref="PositionHistogram"/>); occurrences in text of unknown section are in none.
/// </param>
public sealed record SentenceEntry(string Text, int Count, float MeanRelativePosition, int[] PositionHistogram, int[] Terms, int[][] SectionPositions)
{
    /// <summary>Occurrences in a section (0 for a section completion does not know).</summary>
    public int CountIn(ReportSectionKind section) => CompletionSections.Slot(section) is var slot and >= 0 ? SectionPositions[slot].Sum() : 0;

    /// <summary>Occurrences at a position (bin) of a section.</summary>
    public int CountAt(ReportSectionKind section, int position) => CompletionSections.Slot(section) is var slot and >= 0 ? SectionPositions[slot][position] : 0;

    /// <summary>True when the sentence occurs in a known section but never in <paramref name="section"/>.</summary>
    public bool OnlyElsewhere(ReportSectionKind section) => CountIn(section) == 0 && SectionPositions.Any(h => h.Any(c => c > 0));

    /// <summary>The section this sentence occurs in most (the first on a tie); null when no occurrence has a known section.</summary>
    public ReportSectionKind? MainSection()
    {
        ReportSectionKind? best = null;
        var bestCount = 0;
        foreach (var section in CompletionSections.All)
        {
            var c = CountIn(section);
            if (c > bestCount) (best, bestCount) = (section, c);
        }
        return best;
    }
}
