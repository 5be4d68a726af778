using ReportGen.Core.RadGraph;

namespace ReportGen.Eval.Metrics.Clinical;

/// <summary>The radgraph package's three reward levels.</summary>
public enum RadGraphRewardLevel
{
    /// <summary>RG_E: entities as (tokens, label).</summary>
    Simple,
    /// <summary>RG_ER: (tokens, label, True) for entities with a relation, (tokens, label) for the rest.</summary>
    Partial,
    /// <summary>(tokens, label, relation, target tokens) per relation; (tokens, label) for entities without one.</summary>
    Complete,
}

/// <summary>One hypothesis/reference pair; a null document means an empty report.</summary>
public sealed record RadGraphPair(RadGraphDocument? Hypothesis, RadGraphDocument? Reference);

/// <summary>Per-level mean scores and per-item scores.</summary>
public sealed record RadGraphF1Result(
    IReadOnlyDictionary<RadGraphRewardLevel, PrecisionRecallF1> Mean,
    IReadOnlyList<IReadOnlyDictionary<RadGraphRewardLevel, PrecisionRecallF1>> PerItem)
{
    /// <summary>results.json names: radgraph_simple, radgraph_partial, radgraph_complete (F1) plus _precision/_recall.</summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var metrics = new Dictionary<string, double>();
        foreach (var (level, score) in Mean)
        {
            var name = "radgraph_" + level.ToString().ToLowerInvariant();
            metrics[name] = score.F1;
            metrics[name + "_precision"] = score.Precision;
            metrics[name + "_recall"] = score.Recall;
        }
        return metrics;
    }
}

/// <summary>
/// RadGraph F1 as the <c>radgraph</c> package (Stanford-AIMI/radgraph, utils.compute_reward and
/// F1RadGraph) computes it: per report, the sets of entity tuples of hypothesis and reference are
/// compared (P = |H∩R|/|H|, R = |H∩R|/|R|, F1 = 2PR/(P+R), each 0 when undefined); a report pair in which
/// either side is empty (empty text, or no entities — so both empty too) scores (0, 0, 0); the corpus
/// score is the mean over all report pairs, the zeros included. Tokens are compared lower-cased at every
/// level, as the package does since its commit b5ab8d0 (2026-05, "Fix case-sensitivity bug"); before it, only
/// relation tuples were lower-cased. Being sets of words, the tuples count a repeated entity once and ignore
/// where it is: <see cref="RadGraphSpanF1"/> is the position-exact, corpus-micro measure of the RadGraph paper.
/// </summary>
public static class RadGraphF1
{
    /// <summary>Scores one report pair at one level.</summary>
    public static PrecisionRecallF1 Score(RadGraphDocument? hypothesis, RadGraphDocument? reference, RadGraphRewardLevel level)
    {
        if (IsEmpty(hypothesis) || IsEmpty(reference)) return PrecisionRecallF1.Zero;
        var hyp = Tuples(hypothesis!, level);
        var refs = Tuples(reference!, level);
        var precision = hyp.Count > 0 ? hyp.Count(refs.Contains) / (double)hyp.Count : 0;
        var recall = refs.Count > 0 ? refs.Count(hyp.Contains) / (double)refs.Count : 0;
        return PrecisionRecallF1.From(precision, recall);
    }

    /// <summary>Scores a corpus at all three levels.</summary>
    public static RadGraphF1Result Compute(IReadOnlyList<RadGraphPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        if (pairs.Count == 0) throw new ArgumentException("no report pairs to score", nameof(pairs));
        var levels = Enum.GetValues<RadGraphRewardLevel>();
        var perItem = pairs
            .Select(p => (IReadOnlyDictionary<RadGraphRewardLevel, PrecisionRecallF1>)levels.ToDictionary(l => l, l => Score(p.Hypothesis, p.Reference, l)))
            .ToArray();
        var mean = levels.ToDictionary(l => l, l => PrecisionRecallF1.Mean(perItem.Select(i => i[l]).ToArray()));
        return new RadGraphF1Result(mean, perItem);
    }

    private static bool IsEmpty(RadGraphDocument? document)
        => document is null || document.Text.Length == 0 || document.Entities.Count == 0;

    /// <summary>The set of tuples a level compares, encoded as strings (fields joined by U+001F).</summary>
    public static HashSet<string> Tuples(RadGraphDocument document, RadGraphRewardLevel level)
    {
        ArgumentNullException.ThrowIfNull(document);
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (id, entity) in document.Entities)
        {
            var hasRelations = entity.Relations.Count > 0;
            var tokens = entity.Tokens.ToLowerInvariant();
            switch (level)
            {
                case RadGraphRewardLevel.Simple:
                    set.Add(Key(tokens, entity.Label));
                    break;
                case RadGraphRewardLevel.Partial:
                    set.Add(hasRelations ? Key(tokens, entity.Label, "True") : Key(tokens, entity.Label));
                    break;
                default:
                    if (!hasRelations)
                    {
                        set.Add(Key(tokens, entity.Label));
                        break;
                    }
                    foreach (var relation in entity.Relations)
                    {
                        if (!document.Entities.TryGetValue(relation.TargetId, out var target))
                            throw new ArgumentException($"entity {id} has a {relation.Type} relation to unknown entity id {relation.TargetId}", nameof(document));
                        set.Add(Key(tokens, entity.Label, relation.Type, target.Tokens.ToLowerInvariant()));
                    }
                    break;
            }
        }
        return set;
    }

    // A 2-tuple and a 3/4-tuple never collide: the field count is part of the key.
    private static string Key(params string[] fields) => fields.Length + "\u001F" + string.Join('\u001F', fields);
}
