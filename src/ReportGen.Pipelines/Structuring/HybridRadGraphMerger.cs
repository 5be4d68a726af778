using ReportGen.Core.RadGraph;

namespace ReportGen.Pipelines.Structuring;

/// <summary>
/// The hybrid engine's rule check of a model annotation. A model entity is kept when the rules saw an entity of
/// the same kind (anatomy / observation) over an overlapping span — with the rules' label when the two disagree
/// on an observation's certainty (the negation/uncertainty scopes decide) — or, for an observation the lexicon does
/// not know, when its label matches the scope at its words. Other model entities are rejected. Rules entities
/// that overlap no kept entity are added. Relations come from the model among kept entities, and from the rules
/// for the added ones (mapped onto kept entities with the same span).
/// </summary>
public static class HybridRadGraphMerger
{
    /// <summary>Merges <paramref name="model"/> (aligned) with <paramref name="rules"/>; both over the same words.</summary>
    public static RadGraphDocument Merge(RadGraphDocument model, RadGraphDocument rules, IReadOnlyList<string?> wordScopes, out StructuringDiagnostics counts)
    {
        var ruleList = rules.Entities.ToList();
        var kept = new List<(string Key, RadGraphEntity Entity, bool FromModel)>();
        int keptCount = 0, relabelled = 0, rejected = 0, added = 0;

        foreach (var (key, m) in model.Entities)
        {
            var isAnatomy = m.Label == RadGraphLabels.AnatomyDefinitelyPresent;
            var support = ruleList.Where(r => Overlaps(r.Value, m) && (r.Value.Label == RadGraphLabels.AnatomyDefinitelyPresent) == isAnatomy)
                .Select(r => r.Value).OrderByDescending(r => r.StartIx == m.StartIx && r.EndIx == m.EndIx).FirstOrDefault();
            if (support is not null)
            {
                if (!isAnatomy && support.Label != m.Label)
                {
                    kept.Add(("m" + key, m with { Label = support.Label }, true));
                    relabelled++;
                }
                else
                {
                    kept.Add(("m" + key, m, true));
                    keptCount++;
                }
                continue;
            }
            var scope = ScopeAt(wordScopes, m.StartIx, m.EndIx);
            if (!isAnatomy && scope is not null && scope == m.Label)
            {
                kept.Add(("m" + key, m, true));
                keptCount++;
            }
            else
            {
                rejected++;
            }
        }

        foreach (var (key, r) in ruleList)
        {
            if (kept.Any(k => Overlaps(k.Entity, r))) continue;
            kept.Add(("r" + key, r, false));
            added++;
        }

        kept.Sort((a, b) => a.Entity.StartIx != b.Entity.StartIx ? a.Entity.StartIx.CompareTo(b.Entity.StartIx) : a.Entity.EndIx.CompareTo(b.Entity.EndIx));
        var newId = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < kept.Count; i++) newId[kept[i].Key] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // A rules entity id maps to the kept entity over the same span (model or rules).
        string? MapRule(string ruleId)
        {
            var r = rules.Entities[ruleId];
            if (newId.TryGetValue("r" + ruleId, out var id)) return id;
            var same = kept.FindIndex(k => k.Entity.StartIx == r.StartIx && k.Entity.EndIx == r.EndIx);
            return same >= 0 ? newId[kept[same].Key] : null;
        }

        var entities = new Dictionary<string, RadGraphEntity>(kept.Count);
        foreach (var (key, e, fromModel) in kept)
        {
            var id = newId[key];
            var relations = new List<RadGraphRelation>();
            foreach (var rel in e.Relations)
            {
                var target = fromModel ? newId.GetValueOrDefault("m" + rel.TargetId) : MapRule(rel.TargetId);
                if (target is null || target == id) continue;
                var mapped = new RadGraphRelation(rel.Type, target);
                if (!relations.Contains(mapped)) relations.Add(mapped);
            }
            entities[id] = e with { Relations = relations };
        }
        counts = new StructuringDiagnostics
        {
            HybridKeptModelEntities = keptCount,
            HybridRelabelledModelEntities = relabelled,
            HybridRejectedModelEntities = rejected,
            HybridAddedRuleEntities = added,
        };
        return new RadGraphDocument { Text = rules.Text, Entities = entities };
    }

    private static bool Overlaps(RadGraphEntity a, RadGraphEntity b) => a.StartIx <= b.EndIx && b.StartIx <= a.EndIx;

    private static string? ScopeAt(IReadOnlyList<string?> scopes, int start, int end)
    {
        for (var i = start; i <= end && i < scopes.Count; i++) if (scopes[i] is { } s) return s;
        return null;
    }
}
