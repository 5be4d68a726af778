using ReportGen.Core.Text;

namespace ReportGen.Pipelines.Completion;

/// <summary>
/// Weights of the retrieval score. Defaults were chosen on two development splits of the training reports
/// (the last or the first 250 held out, index built from the other 1,819), never on the validation reports
/// (eval/completion.md).
/// </summary>
public sealed record RankingWeights
{
    /// <summary>log(1 + occurrences at this sentence position), with a share of all occurrences as back-off.</summary>
    public double PositionFrequency { get; init; } = 0.25;

    /// <summary>Share of all occurrences added to the position count (the back-off).</summary>
    public double PositionBackoff { get; init; } = 0.1;

    /// <summary>Support from the reports most similar to the context (BM25 over whole reports).</summary>
    public double SimilarReports { get; init; } = 4.0;

    /// <summary>How often the candidate follows the last sentence of the context in the corpus.</summary>
    public double Transition { get; init; } = 3.0;

    /// <summary>BM25 of the anchor words in the candidate (normalised 0..1); large, because anchors are what the user asked for.</summary>
    public double Anchors { get; init; } = 10.0;

    /// <summary>Penalty per finding concept the report already mentions.</summary>
    public double ConceptRepeat { get; init; } = 1.5;

    /// <summary>Reports used as neighbours.</summary>
    public int NeighbourReports { get; init; } = 40;

    /// <summary>
    /// Support from what follows in the reports that contain the very sentences of the context (weighted by how rare
    /// each shared sentence is): radiologists reuse their own sentence templates, so a report sharing them tells what
    /// comes next. Only sentences after the last shared one count (counting the earlier ones too was worse on both
    /// train hold-outs).
    /// </summary>
    public double SharedSentences { get; init; } = 12.0;

    /// <summary>
    /// Weight of the consensus term: a candidate's expected word n-gram overlap with the other top candidates,
    /// each weighted by its share of the retrieval score (minimum-Bayes-risk choice). 0 turns it off.
    /// </summary>
    public double Consensus { get; init; } = 2.0;

    /// <summary>
    /// Penalty, when the request names the section being written, for a sentence the corpus has only in other sections
    /// (an impression sentence while writing findings). Large by design: such a sentence is suggested only when no
    /// sentence of the section fits the prefix.
    /// </summary>
    public double OtherSection { get; init; } = 20.0;

    /// <summary>Candidates (best by score) among which the consensus term is computed.</summary>
    public int ConsensusPool { get; init; } = 20;

    /// <summary>Temperature of the softmax that turns retrieval scores into candidate weights for the consensus term.</summary>
    public double ConsensusTemperature { get; init; } = 2.0;
}

/// <summary>A scored candidate sentence.</summary>
public readonly record struct RankedSentence(int Id, double Score);

/// <summary>
/// Ranks the sentences of a <see cref="SentenceIndex"/> for one request: the prefix filters, BM25-style
/// scores over anchors and the report so far rank, position and frequency priors break ties, and
/// sentences already said or contradicting the report are removed.
/// </summary>
public sealed class SentenceRanker(SentenceIndex index, RankingWeights? weights = null)
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    /// <summary>The weights in use.</summary>
    public RankingWeights Weights { get; } = weights ?? new RankingWeights();

    /// <summary>The index ranked over.</summary>
    public SentenceIndex Index => index;

    /// <summary>
    /// The best <paramref name="k"/> candidates, best first. With a <paramref name="section"/>, the position prior is the
    /// sentence's position within that section and sentences the corpus has only in other sections are demoted.
    /// </summary>
    public List<RankedSentence> Rank(IReadOnlyList<string> contextSentences, string? prefix, IReadOnlyList<string>? anchors, int k, ReportSectionKind? section = null)
    {
        var w = Weights;
        var (words, partial) = CompletionText.SplitPrefix(prefix);
        var candidates = index.WithPrefix(words, partial);
        if (candidates.Count == 0)
        {
            return [];
        }

        var said = new HashSet<int>();
        var established = new Dictionary<string, FindingState>(StringComparer.Ordinal);
        var contextTerms = new Dictionary<int, int>();
        foreach (var sentence in contextSentences)
        {
            var tokens = CompletionText.Tokens(sentence);
            var id = index.Find(string.Join(' ', tokens));
            if (id >= 0) said.Add(id);
            foreach (var t in tokens)
            {
                if (index.TermIds.TryGetValue(t, out var term)) contextTerms[term] = contextTerms.GetValueOrDefault(term) + 1;
            }
            foreach (var m in FindingPolarity.Extract(sentence))
            {
                // A concept stated both ways stays "mentioned": no contradiction check on it.
                established[m.Concept] = established.TryGetValue(m.Concept, out var prev) && prev != m.State ? FindingState.Mentioned : m.State;
            }
        }
        var lastId = contextSentences.Count > 0 ? index.Find(CompletionText.Key(contextSentences[^1])) : -1;
        var position = Math.Min(section is { } sec ? PositionInSection(contextSentences, sec) : contextSentences.Count, SentenceIndex.PositionBins - 1);

        var neighbours = contextTerms.Count > 0 ? SimilarReportSupport(contextTerms) : null;
        Dictionary<int, int>? transitions = lastId >= 0 ? index.Transitions.GetValueOrDefault(lastId) : null;
        var transitionTotal = transitions?.Values.Sum() ?? 0;
        var anchorScores = anchors is { Count: > 0 } ? AnchorScores(anchors) : null;
        var shared = w.SharedSentences > 0 && said.Count > 0 ? SharedSentenceSupport(said) : null;

        // The consensus term compares the best candidates with each other, so more than k are kept until then.
        var pool = w.Consensus > 0 ? Math.Max(k, w.ConsensusPool) : k;
        var top = new PriorityQueue<RankedSentence, double>();
        foreach (var id in candidates)
        {
            if (said.Contains(id))
            {
                continue;
            }
            var findings = index.FindingsOf(id);
            if (established.Count > 0 && FindingPolarity.Contradicts(established, findings))
            {
                continue;
            }
            var s = index.Sentences[id];
            double score;
            if (section is { } written)
            {
                score = w.PositionFrequency * Math.Log(1 + s.CountAt(written, position) + w.PositionBackoff * s.CountIn(written));
                if (s.OnlyElsewhere(written)) score -= w.OtherSection;
            }
            else
            {
                score = w.PositionFrequency * Math.Log(1 + s.PositionHistogram[position] + w.PositionBackoff * s.Count);
            }
            if (neighbours is not null && neighbours.TryGetValue(id, out var support)) score += w.SimilarReports * support;
            if (transitions is not null && transitions.TryGetValue(id, out var tc)) score += w.Transition * Math.Log(1 + 10.0 * tc / transitionTotal);
            if (anchorScores is not null && anchorScores.TryGetValue(id, out var a)) score += w.Anchors * a;
            if (shared is not null && shared.TryGetValue(id, out var sh)) score += w.SharedSentences * sh;
            if (established.Count > 0) score -= w.ConceptRepeat * FindingPolarity.Overlap(established, findings);
            top.Enqueue(new RankedSentence(id, score), score);
            if (top.Count > pool) top.Dequeue();
        }
        var result = new List<RankedSentence>(top.Count);
        while (top.TryDequeue(out var r, out _)) result.Add(r);
        result.Reverse();
        if (w.Consensus > 0 && result.Count > 1) result = WithConsensus(result);
        return result.Count > k ? result[..k] : result;
    }

    /// <summary>
    /// How many sentences of <paramref name="section"/> the context already has: findings come first in a report, so
    /// all of it for findings; for a later section, the trailing sentences the corpus knows mainly from that section.
    /// </summary>
    private int PositionInSection(IReadOnlyList<string> contextSentences, ReportSectionKind section)
    {
        if (section == ReportSectionKind.Findings) return contextSentences.Count;
        var n = 0;
        for (var i = contextSentences.Count - 1; i >= 0; i--)
        {
            var id = index.Find(CompletionText.Key(contextSentences[i]));
            if (id < 0 || index.Sentences[id].MainSection() != section) break;
            n++;
        }
        return n;
    }

    /// <summary>Adds the consensus term (<see cref="Consensus"/>) to each candidate's score and re-sorts.</summary>
    private List<RankedSentence> WithConsensus(List<RankedSentence> ranked)
    {
        var w = Weights;
        var gains = Consensus.ExpectedOverlap(
            [.. ranked.Select(r => r.Score)],
            [.. ranked.Select(r => (IReadOnlyList<string>)[.. index.Sentences[r.Id].Terms.Select(t => index.Vocabulary[t])])],
            w.ConsensusTemperature);
        var result = ranked.Select((r, i) => r with { Score = r.Score + w.Consensus * gains[i] }).ToList();
        result.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id));
        return result;
    }

    /// <summary>For each sentence, its support among the reports most similar to the context (0..1 per report, summed, normalised).</summary>
    private Dictionary<int, double> SimilarReportSupport(Dictionary<int, int> contextTerms)
    {
        var n = index.Reports.Count;
        var scores = new double[n];
        var touched = new List<int>();
        foreach (var (term, qtf) in contextTerms)
        {
            var postings = index.ReportPostings[term];
            // Terms in nearly every report ("the", "are") cannot tell reports apart; skipping them keeps this fast.
            if (postings.Length == 0 || postings.Length > n / 2) continue;
            var idf = Math.Log(1 + (n - postings.Length + 0.5) / (postings.Length + 0.5));
            var qWeight = 1 + Math.Log(qtf);
            foreach (var (report, tf) in postings)
            {
                var norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * index.ReportLengths[report] / index.AverageReportLength));
                if (scores[report] == 0) touched.Add(report);
                scores[report] += qWeight * idf * norm;
            }
        }
        var support = new Dictionary<int, double>();
        if (touched.Count == 0) return support;
        var take = Math.Min(Weights.NeighbourReports, touched.Count);
        var best = new PriorityQueue<int, double>();
        foreach (var report in touched)
        {
            best.Enqueue(report, scores[report]);
            if (best.Count > take) best.Dequeue();
        }
        var max = touched.Max(r => scores[r]);
        var total = 0.0;
        while (best.TryDequeue(out var report, out var score))
        {
            var weight = score / max;
            total += weight;
            foreach (var sid in index.Reports[report])
            {
                support[sid] = support.GetValueOrDefault(sid) + weight;
            }
        }
        foreach (var key in support.Keys.ToList()) support[key] /= total;
        return support;
    }

    /// <summary>
    /// For each sentence, its support among the reports sharing sentences with the context: a report's weight is the
    /// summed inverse document frequency of the context sentences it contains (normalised by the best report), and a
    /// sentence's support is the weight of the reports where it follows the last shared sentence, over the total weight.
    /// </summary>
    private Dictionary<int, double> SharedSentenceSupport(HashSet<int> said)
    {
        var n = index.Reports.Count;
        var weights = new Dictionary<int, (double Weight, int Last)>();
        foreach (var sid in said)
        {
            var reports = index.SentenceReports[sid];
            if (reports.Length == 0) continue;
            var idf = Math.Log((n + 1.0) / reports.Length);
            foreach (var (report, position) in reports)
            {
                var (weight, last) = weights.GetValueOrDefault(report, (0, -1));
                weights[report] = (weight + idf, Math.Max(last, position));
            }
        }
        var support = new Dictionary<int, double>();
        if (weights.Count == 0) return support;
        var max = weights.Values.Max(v => v.Weight);
        var total = 0.0;
        foreach (var (report, (weight, last)) in weights)
        {
            var share = weight / max;
            total += share;
            var sentences = index.Reports[report];
            for (var i = last + 1; i < sentences.Length; i++)
            {
                support[sentences[i]] = support.GetValueOrDefault(sentences[i]) + share;
            }
        }
        foreach (var key in support.Keys.ToList()) support[key] /= total;
        return support;
    }

    /// <summary>Sentence-level BM25 of the anchor words, normalised to 0..1 by the best sentence.</summary>
    private Dictionary<int, double> AnchorScores(IReadOnlyList<string> anchors)
    {
        var n = index.Sentences.Count;
        var scores = new Dictionary<int, double>();
        foreach (var term in anchors.SelectMany(CompletionText.Tokens).Distinct())
        {
            if (!index.TermIds.TryGetValue(term, out var t)) continue;
            var postings = index.SentencePostings[t];
            var idf = Math.Log(1 + (n - postings.Length + 0.5) / (postings.Length + 0.5));
            foreach (var (sid, tf) in postings)
            {
                var norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * index.Sentences[sid].Terms.Length / index.AverageSentenceLength));
                scores[sid] = scores.GetValueOrDefault(sid) + idf * norm;
            }
        }
        if (scores.Count == 0) return scores;
        var max = scores.Values.Max();
        foreach (var key in scores.Keys.ToList()) scores[key] /= max;
        return scores;
    }
}
