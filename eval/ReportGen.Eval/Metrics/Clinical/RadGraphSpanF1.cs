using ReportGen.Core.RadGraph;

namespace ReportGen.Eval.Metrics.Clinical;

/// <summary>Corpus-micro entity and relation scores of <see cref="RadGraphSpanF1"/>.</summary>
/// <param name="Entities">Entities: (start, end, label) must match exactly.</param>
/// <param name="Relations">Relations: both entities (start, end, label) and the relation type must match.</param>
public sealed record RadGraphSpanF1Result(PrecisionRecallF1 Entities, PrecisionRecallF1 Relations)
{
    /// <summary>results.json names: radgraph_entity_micro_f1 and radgraph_relation_micro_f1, plus _precision/_recall.</summary>
    public IReadOnlyDictionary<string, double> ToDictionary() => new Dictionary<string, double>
    {
        ["radgraph_entity_micro_f1"] = Entities.F1,
        ["radgraph_entity_micro_precision"] = Entities.Precision,
        ["radgraph_entity_micro_recall"] = Entities.Recall,
        ["radgraph_relation_micro_f1"] = Relations.F1,
        ["radgraph_relation_micro_precision"] = Relations.Precision,
        ["radgraph_relation_micro_recall"] = Relations.Recall,
    };
}

/// <summary>
/// The entity and relation F1 of the RadGraph paper (Jain et al. 2021, "RadGraph: Extracting Clinical Entities and
/// Relations from Radiology Reports"; PhysioNet RadGraph 1.0.0: "micro F1 ... where entity boundaries, entity types,
/// and relation type must be correct"). Unlike <see cref="RadGraphF1"/> it compares positions, not words: the same
/// word found twice counts twice, and a word found at the wrong place does not count. Matches, predictions and
/// references are summed over the corpus before P, R and F1 are taken (micro), so a long report weighs more than a
/// short one and a report with nothing predicted still counts its references. Both sides must index the same word
/// split of the same text (the structuring suite's case: engine output and annotation of one report).
/// </summary>
public static class RadGraphSpanF1
{
    /// <summary>Scores a corpus of report pairs; a null document has no entities.</summary>
    public static RadGraphSpanF1Result Compute(IReadOnlyList<RadGraphPair> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        long entityHits = 0, entityPredicted = 0, entityGold = 0, relationHits = 0, relationPredicted = 0, relationGold = 0;
        foreach (var pair in pairs)
        {
            var (hypEntities, hypRelations) = Spans(pair.Hypothesis);
            var (refEntities, refRelations) = Spans(pair.Reference);
            entityPredicted += hypEntities.Count;
            entityGold += refEntities.Count;
            entityHits += hypEntities.Count(refEntities.Contains);
            relationPredicted += hypRelations.Count;
            relationGold += refRelations.Count;
            relationHits += hypRelations.Count(refRelations.Contains);
        }
        return new RadGraphSpanF1Result(Score(entityHits, entityPredicted, entityGold), Score(relationHits, relationPredicted, relationGold));
    }

    private static PrecisionRecallF1 Score(long hits, long predicted, long gold)
        => PrecisionRecallF1.From(predicted > 0 ? hits / (double)predicted : 0, gold > 0 ? hits / (double)gold : 0);

    /// <summary>A document's entities as "start:end:label" and relations as "head type tail"; duplicates count once.</summary>
    public static (HashSet<string> Entities, HashSet<string> Relations) Spans(RadGraphDocument? document)
    {
        var entities = new HashSet<string>(StringComparer.Ordinal);
        var relations = new HashSet<string>(StringComparer.Ordinal);
        if (document is null) return (entities, relations);
        foreach (var (id, entity) in document.Entities)
        {
            var head = Span(entity);
            entities.Add(head);
            foreach (var relation in entity.Relations)
            {
                if (!document.Entities.TryGetValue(relation.TargetId, out var target))
                    throw new ArgumentException($"entity {id} has a {relation.Type} relation to unknown entity id {relation.TargetId}", nameof(document));
                relations.Add($"{head} {relation.Type} {Span(target)}");
            }
        }
        return (entities, relations);
    }

    private static string Span(RadGraphEntity entity) => $"{entity.StartIx}:{entity.EndIx}:{entity.Label}";
}
