using ReportGen.Core.RadGraph;
using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Structuring;

/// <summary>
/// Deterministic RadGraph v1 extraction: a lexicon trie over lower-cased radgraph words finds anatomy,
/// observations, modifiers and cues; negation and uncertainty cues set the observation labels (OBS-DA / OBS-U)
/// up to the end of their clause; noun-phrase, preposition and subject rules attach <c>modify</c> and
/// <c>located_at</c>; "suggestive of"-type cues link two observations. Only findings, impression and
/// unlabelled text are annotated (indication, technique and comparison are skipped, as RadGraph annotators do);
/// word indices always refer to the whole text. Thread-safe and allocation-light: one pass per sentence.
/// </summary>
public sealed class RuleBasedRadGraphExtractor
{
    private readonly RadGraphLexicon _lexicon;

    /// <summary>An extractor over the default lexicon (<c>prompts/lexicons/radgraph.yaml</c>).</summary>
    public RuleBasedRadGraphExtractor() : this(RadGraphLexicon.Default)
    {
    }

    internal RuleBasedRadGraphExtractor(RadGraphLexicon lexicon) => _lexicon = lexicon;

    /// <summary>Extracts entities and relations from <paramref name="text"/> (a whole report or one section).</summary>
    public RadGraphDocument Extract(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = RadGraphTokenizer.Tokenize(text);
        return Extract(text, words, ReportSectionParser.Parse(text));
    }

    /// <summary>Extracts with an already tokenized text and parsed sections (the structuring service has both).</summary>
    public RadGraphDocument Extract(string text, IReadOnlyList<RadGraphWord> words, ReportSections sections) =>
        ExtractWithScopes(text, words, sections, out _);

    /// <summary>
    /// As <see cref="Extract(string, IReadOnlyList{RadGraphWord}, ReportSections)"/>, also giving the observation label
    /// the negation/uncertainty scopes assign at each word (null outside annotated sentences) — the hybrid engine's
    /// evidence for model entities the lexicon does not know.
    /// </summary>
    public RadGraphDocument ExtractWithScopes(string text, IReadOnlyList<RadGraphWord> words, ReportSections sections, out string?[] wordScopes)
    {
        var lower = new string[words.Count];
        var semicolonAfter = new bool[words.Count];
        for (var i = 0; i < lower.Length; i++)
        {
            lower[i] = words[i].Text.ToLowerInvariant();
            // The radgraph tokenizer keeps ";" on its word ("silhouette;"): look the word up without it, end the clause after it.
            if (lower[i].Length > 1 && lower[i][^1] == ';')
            {
                lower[i] = lower[i][..^1];
                semicolonAfter[i] = true;
            }
        }
        var sentenceOf = SentenceIds(text, words, sections, out var annotated);

        var entities = new List<Draft>();
        wordScopes = new string?[words.Count];
        var s = 0;
        while (s < words.Count)
        {
            var e = s;
            while (e < words.Count && sentenceOf[e] == sentenceOf[s]) e++;
            if (annotated[s]) new SentenceRules(_lexicon, lower, semicolonAfter, s, e, entities, wordScopes).Run();
            s = e;
        }
        return Build(words, entities);
    }

    // Sentence id per word: from the sentence splitter run on each annotated section; words outside them get -1-runs.
    private static int[] SentenceIds(string text, IReadOnlyList<RadGraphWord> words, ReportSections sections, out bool[] annotated)
    {
        var ids = new int[words.Count];
        annotated = new bool[words.Count];
        Array.Fill(ids, -1);
        var next = 0;
        foreach (var section in sections.Sections)
        {
            if (section.Kind is ReportSectionKind.Indication or ReportSectionKind.Technique or ReportSectionKind.Comparison) continue;
            foreach (var sentence in SentenceSplitter.Split(section.Text))
            {
                var from = section.Start + sentence.Start;
                var to = from + sentence.Text.Length;
                var id = next++;
                for (var w = LowerBound(words, from); w < words.Count && words[w].Start < to; w++)
                {
                    ids[w] = id;
                    annotated[w] = true;
                }
            }
        }
        // Unannotated words get their own negative ids so they never merge with a sentence.
        var filler = -2;
        for (var w = 0; w < ids.Length; w++)
        {
            if (ids[w] != -1) continue;
            ids[w] = filler;
            if (w + 1 < ids.Length && ids[w + 1] != -1) filler--;
        }
        _ = text;
        return ids;
    }

    private static int LowerBound(IReadOnlyList<RadGraphWord> words, int offset)
    {
        int lo = 0, hi = words.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (words[mid].Start < offset) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static RadGraphDocument Build(IReadOnlyList<RadGraphWord> words, List<Draft> drafts)
    {
        var order = Enumerable.Range(0, drafts.Count).OrderBy(i => drafts[i].Start).ThenBy(i => drafts[i].End).ToArray();
        var idOf = new string[drafts.Count];
        for (var k = 0; k < order.Length; k++) idOf[order[k]] = (k + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var entities = new Dictionary<string, RadGraphEntity>(drafts.Count);
        foreach (var i in order)
        {
            var d = drafts[i];
            var relations = d.Relations.Count == 0
                ? (IReadOnlyList<RadGraphRelation>)[]
                : d.Relations.Distinct().Where(r => r.Target != i).Select(r => new RadGraphRelation(r.Type, idOf[r.Target])).ToList();
            entities[idOf[i]] = new RadGraphEntity
            {
                Tokens = JoinWords(words, d.Start, d.End),
                Label = d.Label,
                StartIx = d.Start,
                EndIx = d.End,
                Relations = relations,
            };
        }
        return new RadGraphDocument { Text = RadGraphTokenizer.Join(words), Entities = entities };
    }

    private static string JoinWords(IReadOnlyList<RadGraphWord> words, int start, int end)
    {
        if (start == end) return words[start].Text;
        var parts = new string[end - start + 1];
        for (var i = start; i <= end; i++) parts[i - start] = words[i].Text;
        return string.Join(' ', parts);
    }

    internal sealed class Draft(int start, int end, string label)
    {
        public int Start { get; } = start;
        public int End { get; } = end;
        public string Label { get; set; } = label;
        public List<(string Type, int Target)> Relations { get; } = [];
    }
}
