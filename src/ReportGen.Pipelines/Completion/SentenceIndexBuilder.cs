using System.Text.Json;
using ReportGen.Core.Completion;
using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Completion;

/// <summary>
/// Builds a <see cref="SentenceIndex"/> from report texts: splits each report (findings then
/// impression) into sentences, normalises them, merges sentences with the same case-folded key and
/// records counts, positions in the report and positions in their section.
/// </summary>
public sealed class SentenceIndexBuilder(string name)
{
    private readonly Dictionary<string, int> _vocab = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _sentenceIds = new(StringComparer.Ordinal);
    private readonly List<Accumulator> _sentences = [];
    private readonly List<int[]> _reports = [];

    /// <summary>Reports added so far.</summary>
    public int ReportCount => _reports.Count;

    /// <summary>Adds one plain-text report (split by its section headers; text without headers is findings).</summary>
    public void AddReport(string reportText) => AddReport(new CorpusReport("", null, null, reportText));

    /// <summary>Adds one report: its findings, then its impression, then its plain text (see <see cref="CorpusReport.Sentences"/>).</summary>
    public void AddReport(CorpusReport report)
    {
        var parts = report.Sentences();
        if (parts.Count == 0)
        {
            return;
        }
        var ids = new int[parts.Count];
        for (var i = 0; i < parts.Count; i++)
        {
            var (text, section, inSection) = parts[i];
            var tokens = CompletionText.Tokens(text);
            var key = string.Join(' ', tokens);
            if (!_sentenceIds.TryGetValue(key, out var id))
            {
                id = _sentences.Count;
                _sentenceIds[key] = id;
                _sentences.Add(new Accumulator([.. tokens.Select(Term)]));
            }
            var acc = _sentences[id];
            acc.Spellings[text] = acc.Spellings.GetValueOrDefault(text) + 1;
            acc.Count++;
            acc.PositionSum += parts.Count == 1 ? 0 : (double)i / (parts.Count - 1);
            acc.Histogram[Math.Min(i, SentenceIndex.PositionBins - 1)]++;
            if (section is { } known && CompletionSections.Slot(known) is var slot and >= 0) acc.SectionHistograms[slot][Math.Min(inSection, SentenceIndex.PositionBins - 1)]++;
            ids[i] = id;
        }
        _reports.Add(ids);
    }

    private int Term(string token)
    {
        if (!_vocab.TryGetValue(token, out var id))
        {
            id = _vocab.Count;
            _vocab[token] = id;
        }
        return id;
    }

    /// <summary>The finished index.</summary>
    public SentenceIndex Build()
    {
        var vocabulary = new string[_vocab.Count];
        foreach (var (term, id) in _vocab) vocabulary[id] = term;
        var sentences = _sentences.Select(a => new SentenceEntry(
            a.Spellings.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key,
            a.Count,
            (float)(a.PositionSum / a.Count),
            a.Histogram,
            a.Terms,
            a.SectionHistograms)).ToArray();
        return new SentenceIndex(name, vocabulary, sentences, [.. _reports]);
    }

    /// <summary>
    /// Builds an index from a corpus: a JSONL file (fields <c>findings</c>, <c>impression</c> or <c>text</c>)
    /// or a folder of <c>.txt</c> reports (one report per file).
    /// </summary>
    /// <exception cref="FileNotFoundException">The source does not exist.</exception>
    /// <exception cref="InvalidDataException">A JSONL line is not a JSON object (the line number is given).</exception>
    public static SentenceIndex FromSource(string name, string source, CancellationToken cancellationToken = default) =>
        FromSources(name, [source], cancellationToken);

    /// <summary>Builds one index from several sources (see <see cref="FromSource"/>), in order.</summary>
    public static SentenceIndex FromSources(string name, IEnumerable<string> sources, CancellationToken cancellationToken = default) =>
        FromReports(name, sources.SelectMany(ReadReports), cancellationToken);

    /// <summary>Builds an index from reports already read (an evaluation indexes a corpus without the reports it evaluates).</summary>
    public static SentenceIndex FromReports(string name, IEnumerable<CorpusReport> reports, CancellationToken cancellationToken = default)
    {
        var builder = new SentenceIndexBuilder(name);
        foreach (var report in reports)
        {
            cancellationToken.ThrowIfCancellationRequested();
            builder.AddReport(report);
        }
        return builder.Build();
    }

    /// <summary>The reports of a corpus source: JSONL lines (id, findings, impression, text) or .txt files (id = file name, text).</summary>
    public static IEnumerable<CorpusReport> ReadReports(string source)
    {
        if (Directory.Exists(source))
        {
            foreach (var file in Directory.EnumerateFiles(source, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                yield return new CorpusReport(Path.GetFileNameWithoutExtension(file), null, null, File.ReadAllText(file));
            }
            yield break;
        }
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"corpus source not found: {source}", source);
        }
        var lineNo = 0;
        foreach (var line in File.ReadLines(source))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var report = CorpusReport.Parse(line, lineNo);
            if (report.Sentences().Count > 0) yield return report;
        }
    }

    private sealed class Accumulator(int[] terms)
    {
        public int[] Terms { get; } = terms;
        public Dictionary<string, int> Spellings { get; } = new(StringComparer.Ordinal);
        public int Count { get; set; }
        public double PositionSum { get; set; }
        public int[] Histogram { get; } = new int[SentenceIndex.PositionBins];
        public int[][] SectionHistograms { get; } = SentenceIndex.EmptySectionHistograms();
    }
}

/// <summary>One report of a corpus or of an evaluation file, by section.</summary>
/// <param name="Id">The report id (JSONL <c>id</c>, a .txt file name, or <c>lineN</c>).</param>
/// <param name="Findings">The findings section, if any.</param>
/// <param name="Impression">The impression section, if any.</param>
/// <param name="Text">A whole report (JSONL <c>text</c>, a .txt report), split by its section headers (text without headers is findings).</param>
public sealed record CorpusReport(string Id, string? Findings, string? Impression, string? Text)
{
    /// <summary>
    /// The report's sentences in order (findings, impression, then the sections of the text), each with its section
    /// (null: one completion does not suggest for, such as the indication) and its position within that section.
    /// A section without a final mark still ends its last sentence.
    /// </summary>
    public List<(string Text, ReportSectionKind? Section, int PositionInSection)> Sentences()
    {
        var parts = new List<(string?, ReportSectionKind)> { (Findings, ReportSectionKind.Findings), (Impression, ReportSectionKind.Impression) };
        if (!string.IsNullOrWhiteSpace(Text)) parts.AddRange(ReportSectionParser.Parse(Text).Sections.Select(s => ((string?)s.Text, s.Kind)));
        var result = new List<(string, ReportSectionKind?, int)>();
        foreach (var (text, kind) in parts)
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            var trimmed = text.Trim();
            var sentences = CompletionText.SplitSentences(trimmed.EndsWith('.') || trimmed.EndsWith('?') || trimmed.EndsWith('!') ? trimmed : trimmed + ".");
            ReportSectionKind? section = CompletionSections.Slot(kind) >= 0 ? kind : null;
            for (var i = 0; i < sentences.Count; i++) result.Add((sentences[i], section, i));
        }
        return result;
    }

    /// <summary>Reads one JSONL line (fields <c>id</c>, <c>findings</c>, <c>impression</c>, <c>text</c>; the id defaults to <c>lineN</c>).</summary>
    /// <exception cref="InvalidDataException">The line is not a JSON object (the line number is given).</exception>
    public static CorpusReport Parse(string jsonLine, int lineNo = 0)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(jsonLine);
        }
        catch (JsonException)
        {
            throw new InvalidDataException($"line {lineNo}: not valid JSON");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"line {lineNo}: not a JSON object");
            string? Field(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return new CorpusReport(Field("id") ?? $"line{lineNo}", Field("findings"), Field("impression"), Field("text"));
        }
    }
}
