using System.Text.Json;

namespace ReportGen.Pipelines.Completion;

/// <summary>
/// Builds a <see cref="SentenceIndex"/> from report texts: splits each report (findings then
/// impression) into sentences, normalises them, merges sentences with the same case-folded key and
/// records counts and positions.
/// </summary>
public sealed class SentenceIndexBuilder(string name)
{
    private readonly Dictionary<string, int> _vocab = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _sentenceIds = new(StringComparer.Ordinal);
    private readonly List<Accumulator> _sentences = [];
    private readonly List<int[]> _reports = [];

    /// <summary>Reports added so far.</summary>
    public int ReportCount => _reports.Count;

    /// <summary>Adds one report.</summary>
    public void AddReport(string reportText)
    {
        var sentences = CompletionText.SplitSentences(reportText);
        if (sentences.Count == 0)
        {
            return;
        }
        var ids = new int[sentences.Count];
        for (var i = 0; i < sentences.Count; i++)
        {
            var text = sentences[i];
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
            acc.PositionSum += sentences.Count == 1 ? 0 : (double)i / (sentences.Count - 1);
            acc.Histogram[Math.Min(i, SentenceIndex.PositionBins - 1)]++;
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
            a.Terms)).ToArray();
        return new SentenceIndex(name, vocabulary, sentences, [.. _reports]);
    }

    /// <summary>
    /// Builds an index from a corpus: a JSONL file (fields <c>findings</c>, <c>impression</c> or <c>text</c>)
    /// or a folder of <c>.txt</c> reports (one report per file).
    /// </summary>
    /// <exception cref="FileNotFoundException">The source does not exist.</exception>
    /// <exception cref="InvalidDataException">A JSONL line is not a JSON object (the line number is given).</exception>
    public static SentenceIndex FromSource(string name, string source, CancellationToken cancellationToken = default)
    {
        var builder = new SentenceIndexBuilder(name);
        foreach (var report in ReadReports(source))
        {
            cancellationToken.ThrowIfCancellationRequested();
            builder.AddReport(report);
        }
        return builder.Build();
    }

    /// <summary>The report texts of a corpus source (findings then impression, or text).</summary>
    public static IEnumerable<string> ReadReports(string source)
    {
        if (Directory.Exists(source))
        {
            foreach (var file in Directory.EnumerateFiles(source, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                yield return File.ReadAllText(file);
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
            var text = ReportText(line, lineNo);
            if (text.Length > 0) yield return text;
        }
    }

    /// <summary>Findings then impression (or the text field) of one JSONL line.</summary>
    public static string ReportText(string jsonLine, int lineNo = 0)
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
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"line {lineNo}: not a JSON object");
            var parts = new List<string>();
            foreach (var field in new[] { "findings", "impression", "text" })
            {
                if (doc.RootElement.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString()))
                {
                    var s = v.GetString()!.Trim();
                    // A section without a final mark still ends a sentence before the next section.
                    parts.Add(s.EndsWith('.') || s.EndsWith('?') || s.EndsWith('!') ? s : s + ".");
                }
            }
            return string.Join(' ', parts);
        }
    }

    private sealed class Accumulator(int[] terms)
    {
        public int[] Terms { get; } = terms;
        public Dictionary<string, int> Spellings { get; } = new(StringComparer.Ordinal);
        public int Count { get; set; }
        public double PositionSum { get; set; }
        public int[] Histogram { get; } = new int[SentenceIndex.PositionBins];
    }
}
