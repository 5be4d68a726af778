using ReportGen.Core.RadGraph;

namespace ReportGen.Pipelines.Structuring;

/// <summary>The rules applied to one sentence's words (see <see cref="RuleBasedRadGraphExtractor"/>).</summary>
internal sealed class SentenceRules(RadGraphLexicon lexicon, string[] lower, bool[] semicolonAfter, int start, int end, List<RuleBasedRadGraphExtractor.Draft> drafts, string?[] wordScopes)
{
    private enum Role : byte { Other, Comma, Conj, Measure }

    private struct Unit
    {
        public int Start, End;
        public LexKind Kind;
        public LexEntry Entry;
        public Role Role;
        public int Entity; // index into drafts, -1 when the unit is not an entity
    }

    private sealed class Phrase
    {
        public int First, Last;          // unit range, inclusive
        public int HeadObs = -1;         // draft index of the observation head
        public int AnatomyFirstHead = -1, AnatomyLastHead = -1;
        public bool HasAnatomy, HasObservation;
        public int Location = -1;        // draft the head observation is located at
        public bool LocationFromSubject;
        public List<int> Pending = [];   // modifier drafts still looking for something to modify
        public bool PendingStandsAlone;
        public List<int> Attributes = []; // attribute-only anatomy ("size") waiting for the subject they describe
        public bool LocationAtStart;     // located at the anatomy the phrase starts with ("mediastinum normal")
        public bool ObservationFirst;    // the head observation precedes its anatomy ("normal heart size")
        public bool LocationFromPreposition; // "atherosclerosis of the aorta"
        public List<int> TrailingModifiers = []; // "clear bilaterally": laterality after the head, the subject's if it has one
    }

    private readonly List<Unit> _units = new(end - start);
    private readonly List<Phrase> _phrases = [];

    public void Run()
    {
        Segment();
        CreateEntities();
        ApplyScopes();
        BuildPhrases();
        AttachPrepositions();
        AttachSubjectsAndPending();
        AttachCoordinated();
        AttachSuggestive();
    }

    private void Segment()
    {
        var i = start;
        while (i < end)
        {
            if (IsNumber(lower[i]) && TryMeasure(i, out var measureEnd))
            {
                _units.Add(new Unit { Start = i, End = measureEnd, Kind = LexKind.ObservationModifier, Role = Role.Measure, Entity = -1 });
                i = measureEnd + 1;
                continue;
            }
            var limit = i;
            while (limit < end - 1 && !semicolonAfter[limit]) limit++;
            var (entry, length) = lexicon.Match(lower, i, limit + 1);
            if (length > 1 && entry.Kind == LexKind.NegationPre && lexicon.Match(lower, i, i + 1) is { Length: 1, Entry.Kind: LexKind.Observation } said)
            {
                // "the lungs are clear of effusion": a finding said of the subject, then the negation of what follows.
                _units.Add(new Unit { Start = i, End = i, Kind = said.Entry.Kind, Entry = said.Entry, Entity = -1 });
                _units.Add(new Unit { Start = i + 1, End = i + length - 1, Kind = entry.Kind, Entry = entry, Entity = -1 });
            }
            else if (length > 0)
                _units.Add(new Unit { Start = i, End = i + length - 1, Kind = entry.Kind, Entry = entry, Entity = -1 });
            else
            {
                length = 1;
                var role = lower[i] switch { "," => Role.Comma, "and" or "or" or "nor" => Role.Conj, _ => Role.Other };
                _units.Add(new Unit { Start = i, End = i, Kind = LexKind.None, Role = role, Entity = -1 });
            }
            i += length;
            // "silhouette; cardiomegaly": the ";" ends the clause like a ";" word would (a unit with no words of its own).
            if (semicolonAfter[i - 1]) _units.Add(new Unit { Start = i - 1, End = i - 2, Kind = LexKind.ScopeBreak, Entity = -1 });
        }
    }

    // "2 . 5 cm", "3 mm", "2 x 3 cm": a number, optionally decimal or a product, then a unit.
    private bool TryMeasure(int i, out int measureEnd)
    {
        var j = i + 1;
        while (true)
        {
            if (j + 1 < end && lower[j] == "." && IsNumber(lower[j + 1])) j += 2;
            if (j + 1 < end && lower[j] is "x" or "by" && IsNumber(lower[j + 1])) { j += 2; continue; }
            break;
        }
        if (j < end && lexicon.Match(lower, j, end) is { Length: 1, Entry.Kind: LexKind.Unit })
        {
            measureEnd = j;
            return true;
        }
        measureEnd = i;
        return false;
    }

    private static bool IsNumber(string w)
    {
        if (w.Length == 0) return false;
        foreach (var c in w) if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    private void CreateEntities()
    {
        var units = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_units);
        for (var k = 0; k < units.Length; k++)
        {
            ref var u = ref units[k];
            if (u.Entry.Leading && !(k + 1 < units.Length && IsObservation(units[k + 1].Kind)))
            {
                u.Kind = LexKind.None; // "grossly clear of effusion": nothing right after it to qualify
                continue;
            }
            var label = u.Kind switch
            {
                LexKind.Anatomy or LexKind.AnatomyAttribute or LexKind.AnatomyModifier => RadGraphLabels.AnatomyDefinitelyPresent,
                LexKind.Observation or LexKind.ObservationModifier => RadGraphLabels.ObservationDefinitelyPresent,
                LexKind.UncertaintyPre when u.Entry.Attributive && k + 1 < units.Length && (IsObservation(units[k + 1].Kind) || IsAnatomy(units[k + 1].Kind))
                    => RadGraphLabels.ObservationUncertain,
                _ => null,
            };
            if (label is null) continue;
            u.Entity = drafts.Count;
            drafts.Add(new RuleBasedRadGraphExtractor.Draft(u.Start, u.End, label));
        }
    }

    private static bool IsObservation(LexKind k) => k is LexKind.Observation or LexKind.ObservationModifier;

    private static bool IsAnatomy(LexKind k) => k is LexKind.Anatomy or LexKind.AnatomyAttribute or LexKind.AnatomyModifier;

    private static bool InPhrase(in Unit u) => IsAnatomy(u.Kind) || IsObservation(u.Kind) || u.Kind == LexKind.Determiner;

    private void ApplyScopes()
    {
        var mode = RadGraphLabels.ObservationDefinitelyPresent;
        var clauseStart = 0;
        string? beforeVersus = null; // "versus" makes only the next alternative uncertain
        var sawAlternative = false;
        for (var k = 0; k < _units.Count; k++)
        {
            var u = _units[k];
            for (var w = u.Start; w <= u.End; w++) wordScopes[w] = mode;
            switch (u.Kind)
            {
                case LexKind.ScopeBreak:
                    mode = RadGraphLabels.ObservationDefinitelyPresent;
                    beforeVersus = null;
                    clauseStart = k + 1;
                    break;
                case LexKind.NegationPre:
                    mode = RadGraphLabels.ObservationDefinitelyAbsent;
                    break;
                case LexKind.UncertaintyPre:
                    if (mode != RadGraphLabels.ObservationDefinitelyAbsent) mode = RadGraphLabels.ObservationUncertain;
                    if (u.Entity >= 0)
                    {
                        // "no suspicious pulmonary opacity": the hedge is also a modifier of what follows.
                        drafts[u.Entity].Label = mode;
                        _units[k] = u with { Kind = LexKind.ObservationModifier };
                    }
                    break;
                case LexKind.Versus:
                    // The alternative before "versus" is uncertain too (walk back through its noun phrase).
                    for (var b = k - 1; b >= clauseStart && InPhrase(_units[b]); b--)
                        Relabel(b, RadGraphLabels.ObservationDefinitelyPresent, RadGraphLabels.ObservationUncertain);
                    if (mode != RadGraphLabels.ObservationDefinitelyAbsent)
                    {
                        beforeVersus = mode;
                        mode = RadGraphLabels.ObservationUncertain;
                        sawAlternative = false;
                    }
                    break;
                case LexKind.NegationPost:
                    for (var b = clauseStart; b < k; b++) Relabel(b, RadGraphLabels.ObservationDefinitelyPresent, RadGraphLabels.ObservationDefinitelyAbsent);
                    break;
                case LexKind.UncertaintyPost:
                    for (var b = clauseStart; b < k; b++) Relabel(b, RadGraphLabels.ObservationDefinitelyPresent, RadGraphLabels.ObservationUncertain);
                    break;
                case LexKind.None when beforeVersus is not null && sawAlternative && u.Role is Role.Conj or Role.Comma:
                    mode = beforeVersus;
                    beforeVersus = null;
                    break;
                case LexKind.Observation or LexKind.ObservationModifier when u.Entity >= 0:
                    drafts[u.Entity].Label = mode;
                    if (beforeVersus is not null && u.Kind == LexKind.Observation) sawAlternative = true;
                    // "no (interval) change in ...": the negation covers the change, not what follows.
                    if (mode == RadGraphLabels.ObservationDefinitelyAbsent && lower[u.Start] is "change" or "changes")
                        mode = RadGraphLabels.ObservationDefinitelyPresent;
                    break;
            }
        }
    }

    private void Relabel(int unit, string from, string to)
    {
        var e = _units[unit].Entity;
        if (e >= 0 && IsObservation(_units[unit].Kind) && drafts[e].Label == from) drafts[e].Label = to;
    }

    private void Relate(int from, string type, int to)
    {
        if (from >= 0 && to >= 0 && from != to) drafts[from].Relations.Add((type, to));
    }

    private void BuildPhrases()
    {
        var k = 0;
        while (k < _units.Count)
        {
            if (!InPhrase(_units[k]) || _units[k].Kind == LexKind.Determiner && !NextInPhraseHasEntity(k)) { k++; continue; }
            var p = new Phrase { First = k };
            while (k < _units.Count && InPhrase(_units[k])) k++;
            p.Last = k - 1;
            AnalysePhrase(p);
            _phrases.Add(p);
        }
    }

    private bool NextInPhraseHasEntity(int k)
    {
        for (var j = k; j < _units.Count && InPhrase(_units[j]); j++) if (_units[j].Entity >= 0) return true;
        return false;
    }

    private void AnalysePhrase(Phrase p)
    {
        // Anatomy chunks: consecutive anatomy units; the head is the last plain anatomy word
        // ("left lower lobe" → lobe; "heart size" → heart, size modifies it).
        var chunks = new List<(int Head, List<int> Members)>();
        List<int>? current = null;
        for (var k = p.First; k <= p.Last; k++)
        {
            var u = _units[k];
            if (IsAnatomy(u.Kind)) { (current ??= []).Add(k); continue; }
            if (u.Kind == LexKind.Determiner && current is null) continue;
            if (current is not null) { chunks.Add((ChunkHead(current), current)); current = null; }
        }
        if (current is not null) chunks.Add((ChunkHead(current), current));
        foreach (var (head, members) in chunks)
            foreach (var m in members)
                if (m != head) Relate(_units[m].Entity, RadGraphRelations.Modify, _units[head].Entity);
        p.HasAnatomy = chunks.Count > 0;
        if (p.HasAnatomy)
        {
            p.AnatomyFirstHead = chunks[0].Head;
            p.AnatomyLastHead = chunks[^1].Head;
        }

        var headObs = -1;
        for (var k = p.Last; k >= p.First; k--) if (_units[k].Kind == LexKind.Observation) { headObs = k; break; }
        var modifiers = new List<int>();
        for (var k = p.First; k <= p.Last; k++)
            if (_units[k].Kind == LexKind.ObservationModifier || _units[k].Kind == LexKind.Observation && k != headObs) modifiers.Add(k);

        if (headObs < 0 && p.HasAnatomy && modifiers.Count > 0)
        {
            // "stable heart size": the last stand-alone modifier becomes the observation.
            for (var m = modifiers.Count - 1; m >= 0; m--)
                if (_units[modifiers[m]].Entry.StandsAlone) { headObs = modifiers[m]; modifiers.RemoveAt(m); break; }
        }
        if (headObs < 0)
        {
            foreach (var m in modifiers) p.Pending.Add(_units[m].Entity);
            // "is stable", "is mildly elevated": the last modifier can be the finding, the others modify it.
            p.PendingStandsAlone = modifiers.Count > 0 && _units[modifiers[^1]].Entry.StandsAlone;
            return;
        }

        p.HasObservation = true;
        p.HeadObs = _units[headObs].Entity;
        foreach (var m in modifiers) Relate(_units[m].Entity, RadGraphRelations.Modify, p.HeadObs);
        // Location inside the phrase: the nearest anatomy before the head ("left pleural effusion"),
        // else the anatomy right after it ("enlarged heart", "clear lungs").
        // Attribute-only chunks ("normal size") are no location: the attribute describes the clause subject.
        var located = chunks.Where(c => _units[c.Head].Kind != LexKind.AnatomyAttribute).ToList();
        p.Attributes.AddRange(chunks.Where(c => _units[c.Head].Kind == LexKind.AnatomyAttribute).SelectMany(c => c.Members).Select(m => _units[m].Entity));
        var before = located.Where(c => c.Head < headObs).Select(c => c.Head).DefaultIfEmpty(-1).Max();
        var after = located.Where(c => c.Head > headObs).Select(c => c.Head).DefaultIfEmpty(-1).Min();
        var loc = before >= 0 ? before : after;
        if (loc < 0) return;
        p.Location = _units[loc].Entity;
        Relate(p.HeadObs, RadGraphRelations.LocatedAt, p.Location);
        var locMembers = located.First(c => c.Head == loc).Members;
        p.LocationAtStart = loc == before && locMembers[0] == FirstNonDeterminer(p);
        p.ObservationFirst = loc == after;
        if (loc == after && locMembers.TrueForAll(m => _units[m].Kind == LexKind.AnatomyModifier))
            p.TrailingModifiers.AddRange(locMembers.Select(m => _units[m].Entity));
    }

    private int FirstNonDeterminer(Phrase p)
    {
        var k = p.First;
        while (k < p.Last && _units[k].Kind == LexKind.Determiner) k++;
        return k;
    }

    private int ChunkHead(List<int> members)
    {
        for (var m = members.Count - 1; m >= 0; m--)
        {
            if (_units[members[m]].Kind != LexKind.Anatomy) continue;
            // "lung bases": the part modifies the organ named right before it, which is the head.
            if (_units[members[m]].Entry.Part && m > 0 && _units[members[m - 1]].Kind == LexKind.Anatomy) continue;
            return members[m];
        }
        return members[^1];
    }

    // "opacity in the left lower lobe", "base of the left lung".
    private void AttachPrepositions()
    {
        for (var i = 0; i + 1 < _phrases.Count; i++)
        {
            var p = _phrases[i];
            var q = _phrases[i + 1];
            var gap = q.First - p.Last - 1;
            if (gap < 1 || gap > 4) continue;
            // The preposition starts the gap, or follows a verb ("clips are seen in the upper abdomen") or a word
            // naming the examination ("stable appearance of the chest").
            var bare = !p.HasObservation && !p.HasAnatomy && p.PendingStandsAlone; // "stable appearance of the chest"
            var prepAt = p.Last + 1;
            while (prepAt < q.First && _units[prepAt].Kind != LexKind.Preposition && (p.HasObservation || bare) && IsVerbal(prepAt)) prepAt++;
            if (prepAt == q.First) continue;
            var prep = _units[prepAt];
            if (prep.Kind != LexKind.Preposition) continue;
            if (q.First - prepAt > 2 || q.First - prepAt == 2 && _units[prepAt + 1].Kind != LexKind.Preposition) continue;
            if (!q.HasAnatomy || q.HasObservation) continue;
            if (IsAttributeOnly(q)) continue; // "normal in size": size describes the subject, it is no location
            var target = _units[q.AnatomyFirstHead].Entity;
            if (bare && prepAt > p.Last + 1)
            {
                // The last stand-alone modifier is the finding, as when it is said of an organ.
                p.HeadObs = p.Pending[^1];
                foreach (var m in p.Pending) if (m != p.HeadObs) Relate(m, RadGraphRelations.Modify, p.HeadObs);
                p.Pending.Clear();
                p.HasObservation = true;
            }
            if (p.HasObservation)
            {
                // Both places count: "lung nodule in the right upper lobe" is at the lung and at the lobe.
                if (p.Location < 0) (p.Location, p.LocationFromPreposition) = (target, true);
                Relate(p.HeadObs, RadGraphRelations.LocatedAt, target);
                foreach (var a in p.Attributes) Relate(a, RadGraphRelations.Modify, target); // "normal size of the heart"
            }
            else if (!p.HasObservation && p.HasAnatomy && lower[prep.Start] == "of")
            {
                Relate(_units[p.AnatomyLastHead].Entity, RadGraphRelations.Modify, target);
                if (IsAttributeOnly(p))
                {
                    p.Location = -2;
                    // "normal size and configuration of the cardiac silhouette": the size, and what is said of it, too.
                    if (i > 0 && _phrases[i - 1] is { HasObservation: true, Location: -1, Attributes.Count: > 0 } sized && OnlyJoiners(sized.Last + 1, p.First))
                    {
                        sized.Location = target;
                        Relate(sized.HeadObs, RadGraphRelations.LocatedAt, target);
                        foreach (var a in sized.Attributes) Relate(a, RadGraphRelations.Modify, target);
                    }
                }
            }
            q.Location = -2; // owned: this anatomy is a prepositional object, not a clause subject
        }
    }

    // Words between an observation and its place: copulas, "is seen", "again", and the examination's name.
    private bool IsVerbal(int unit)
    {
        var u = _units[unit];
        return u.Kind == LexKind.Verb
            || u.Kind == LexKind.ScopeBreak && lower[u.Start] is "is" or "are" or "was" or "were"
            || u.Kind == LexKind.NotAnEntity && lower[u.Start] is "appearance" or "examination"
            || u.Kind == LexKind.None && lower[u.Start] is "again" or "also" or "now" or "still" or "best";
    }

    private bool IsAttributeOnly(Phrase p)
    {
        for (var k = p.First; k <= p.Last; k++)
            if (_units[k].Kind is LexKind.Anatomy or LexKind.AnatomyModifier) return false;
        return true;
    }

    private bool IsClauseBoundary(int unit)
    {
        var u = _units[unit];
        // "the lungs are otherwise clear": "otherwise" ends a negation, not the clause.
        // "vascularity is again accentuated": a verb ends a negation ("no effusion is seen"), not the clause.
        if (u.Kind == LexKind.ScopeBreak && u.End >= u.Start && lower[u.Start] is "otherwise" or "is" or "are" or "was" or "were") return false;
        return u.Role == Role.Comma || u.Kind == LexKind.ScopeBreak || lower[u.Start] is ";" or ":";
    }

    private void AttachSubjectsAndPending()
    {
        for (var i = 0; i < _phrases.Count; i++)
        {
            var p = _phrases[i];
            if (p.TrailingModifiers.Count > 0 && FindSubject(i, out _) is var described and >= 0)
            {
                // "the lungs are clear bilaterally": the laterality describes the lungs, which are where the finding is.
                drafts[p.HeadObs].Relations.Remove((RadGraphRelations.LocatedAt, p.Location));
                foreach (var m in p.TrailingModifiers) Relate(m, RadGraphRelations.Modify, described);
                p.Location = -1;
            }
            if (!p.HasObservation && p.HasAnatomy && i > 0 && IsAttributeOnly(p) && p.Location != -2)
            {
                // "the heart is normal in size and contour": the attributes modify the subject.
                var owner = FindSubject(i, out _);
                // "normal cardiac size and contour": the contour is the cardiac one, like the size before it.
                var previous = _phrases[i - 1];
                if (owner < 0 && previous.HasAnatomy && _units[previous.Last].Kind == LexKind.AnatomyAttribute && OnlyJoiners(previous.Last + 1, p.First))
                    owner = _units[previous.AnatomyLastHead].Entity;
                if (owner < 0) continue;
                for (var k = p.First; k <= p.Last; k++)
                {
                    Relate(_units[k].Entity, RadGraphRelations.Modify, owner);
                    foreach (var other in CoordinatedSubjects(owner)) Relate(_units[k].Entity, RadGraphRelations.Modify, other);
                }
                continue;
            }
            if (p.HasObservation && p.Location == -1)
            {
                var subject = FindSubject(i, out _);
                if (subject >= 0)
                {
                    p.Location = subject;
                    p.LocationFromSubject = true;
                    Relate(p.HeadObs, RadGraphRelations.LocatedAt, subject);
                    // "heart size and pulmonary vascularity are normal": every coordinated subject.
                    foreach (var other in CoordinatedSubjects(subject)) Relate(p.HeadObs, RadGraphRelations.LocatedAt, other);
                    foreach (var a in p.Attributes) Relate(a, RadGraphRelations.Modify, subject);
                }
            }
            if (p.Pending.Count == 0) continue;

            // A predicate modifier: "the effusion is small" modifies the effusion; "heart size is stable" is an
            // observation of the heart; "upper limits of normal" modifies what follows.
            var previousObs = PreviousObservation(i);
            var subjectAnatomy = FindSubject(i, out var subjectBeforeObservation);
            if (p.PendingStandsAlone && subjectAnatomy >= 0 && subjectBeforeObservation)
            {
                var head = p.Pending[^1];
                foreach (var m in p.Pending) if (m != head) Relate(m, RadGraphRelations.Modify, head);
                Relate(head, RadGraphRelations.LocatedAt, subjectAnatomy);
                foreach (var other in CoordinatedSubjects(subjectAnatomy)) Relate(head, RadGraphRelations.LocatedAt, other);
                p.HeadObs = head;
                p.HasObservation = true;
                p.Location = subjectAnatomy;
                p.LocationFromSubject = true;
            }
            else if (previousObs >= 0)
            {
                foreach (var m in p.Pending) Relate(m, RadGraphRelations.Modify, previousObs);
            }
            else if (NextObservation(i) is var nextObs and >= 0)
            {
                foreach (var m in p.Pending) Relate(m, RadGraphRelations.Modify, nextObs);
            }
            else if (p.PendingStandsAlone && (subjectAnatomy >= 0 ? subjectAnatomy : !p.HasAnatomy ? SharedPlace(i) : -1) is var place and >= 0)
            {
                // "heart size is stable" after another finding of the heart; "the silhouette is normal, unchanged from prior".
                var head = p.Pending[^1];
                foreach (var m in p.Pending) if (m != head) Relate(m, RadGraphRelations.Modify, head);
                Relate(head, RadGraphRelations.LocatedAt, place);
            }
        }
    }

    // The nearest earlier anatomy-only phrase in the same clause that is not a prepositional object.
    // Observation phrases in between that took the same subject are passed over ("lungs are hyperlucent and hyperexpanded").
    private int FindSubject(int phrase, out bool beforeAnyObservation)
    {
        beforeAnyObservation = true;
        for (var j = phrase - 1; j >= 0; j--)
        {
            if (Crosses(_phrases[j].Last, _phrases[j + 1].First)) return -1;
            var q = _phrases[j];
            if (q.HasObservation)
            {
                if (q.LocationFromSubject) return q.Location;
                if (q.Location >= 0) return -1;
                beforeAnyObservation = false;
                continue;
            }
            if (q.HasAnatomy && q.Location != -2 && !IsAttributeOnly(q)) return _units[q.AnatomyLastHead].Entity;
        }
        return -1;
    }

    // Anatomy-only phrases joined to the subject phrase by "and" or commas, before it.
    private IEnumerable<int> CoordinatedSubjects(int subjectEntity)
    {
        var j = _phrases.FindIndex(q => q.HasAnatomy && !q.HasObservation && _units[q.AnatomyLastHead].Entity == subjectEntity);
        return j < 0 ? [] : CoordinatedAnatomy(j, -1).Select(q => _units[q.AnatomyLastHead].Entity);
    }

    // Anatomy-only phrases joined to phrase j by "and" or commas, walking before it (step -1) or after it (+1).
    private IEnumerable<Phrase> CoordinatedAnatomy(int j, int step, bool andOnly = false)
    {
        for (var n = j + step; n >= 0 && n < _phrases.Count; n += step)
        {
            var q = _phrases[n];
            var (left, right) = step < 0 ? (q, _phrases[n - step]) : (_phrases[n - step], q);
            var joined = right.First - left.Last is >= 2 and <= 3;
            for (var k = left.Last + 1; k < right.First; k++)
                if (_units[k].Role is not (Role.Conj or Role.Comma) || andOnly && _units[k].Role == Role.Conj && lower[_units[k].Start] != "and") joined = false;
            if (!joined || q.HasObservation || !q.HasAnatomy || q.Location == -2 || IsAttributeOnly(q)) yield break;
            yield return q;
        }
    }

    // Coordination the phrase rules above cannot see: "heart and mediastinum normal" (the finding is at both),
    // "normal heart size and mediastinal contours" (the same, written the other way round) and "cardiac and
    // mediastinal contours" (the contours are of both).
    private void AttachCoordinated()
    {
        for (var i = 0; i < _phrases.Count; i++)
        {
            var p = _phrases[i];
            if (p.HasObservation && p.LocationAtStart)
                foreach (var q in CoordinatedAnatomy(i, -1, andOnly: true)) Relate(p.HeadObs, RadGraphRelations.LocatedAt, _units[q.AnatomyLastHead].Entity);
            if (p.HasObservation && p.ObservationFirst && p.TrailingModifiers.Count == 0)
                foreach (var q in CoordinatedAnatomy(i, +1))
                {
                    Relate(p.HeadObs, RadGraphRelations.LocatedAt, _units[q.AnatomyFirstHead].Entity);
                    q.Location = -2;
                }
            if (p.HasObservation && !p.HasAnatomy && p.Location == -1 && SharedPlace(i) is var shared and >= 0)
            {
                p.Location = shared;
                Relate(p.HeadObs, RadGraphRelations.LocatedAt, shared);
            }
            if (p.HasAnatomy && (!p.HasObservation || p.LocationAtStart))
            {
                var attributes = new List<int>();
                for (var k = FirstNonDeterminer(p); k <= p.Last && IsAnatomy(_units[k].Kind); k++)
                    if (_units[k].Kind == LexKind.AnatomyAttribute) attributes.Add(_units[k].Entity);
                if (attributes.Count == 0) continue;
                foreach (var q in CoordinatedAnatomy(i, -1))
                {
                    if (HasAttribute(q)) break;
                    foreach (var a in attributes) Relate(a, RadGraphRelations.Modify, _units[q.AnatomyLastHead].Entity);
                }
            }
        }
    }

    // The place a bare finding shares with its neighbour: "tortuous, calcified thoracic aorta" (an adjective list
    // before the anatomy), "tortuosity and atherosclerosis of the aorta" (findings of one place), "the silhouette is normal, unchanged" (a second predicate after a comma) and
    // "infiltrates versus atelectasis" (alternatives at one place).
    private int SharedPlace(int i)
    {
        var p = _phrases[i];
        if (i + 1 < _phrases.Count && _phrases[i + 1] is { HasObservation: true, Location: >= 0 } next && OnlyJoiners(p.Last + 1, next.First)
            && (next.ObservationFirst || next.LocationFromPreposition && !next.HasAnatomy && lower[_units[p.Last + 1].Start] == "and")) return next.Location;
        if (i == 0 || _phrases[i - 1] is not { HasObservation: true } previous || previous.Location < 0) return -1;
        if (previous.LocationFromSubject && OnlyJoiners(previous.Last + 1, p.First) && _units[p.First - 1].Role == Role.Comma) return previous.Location;
        return p.First - previous.Last == 2 && _units[p.First - 1].Kind == LexKind.Versus ? previous.Location : -1;
    }

    private bool Alternatives(int from, int to) =>
        to - from == 1 && (_units[from].Kind == LexKind.Versus || _units[from].Role == Role.Conj && lower[_units[from].Start] is "or" or "and");

    // Findings listed with "with", "and" or a comma (not "or": alternatives are no list of evidence).
    private bool ListJoined(int from, int to)
    {
        if (to <= from || to - from > 2) return false;
        for (var k = from; k < to; k++)
            if (!(_units[k].Role == Role.Comma || _units[k].Role == Role.Conj && lower[_units[k].Start] == "and" || lower[_units[k].Start] == "with" && _units[k].End == _units[k].Start))
                return false;
        return true;
    }

    private bool OnlyJoiners(int from, int to)
    {
        if (to <= from || to - from > 2) return false;
        for (var k = from; k < to; k++) if (_units[k].Role is not (Role.Comma or Role.Conj)) return false;
        return true;
    }

    private bool HasAttribute(Phrase p)
    {
        for (var k = p.First; k <= p.Last; k++) if (_units[k].Kind == LexKind.AnatomyAttribute) return true;
        return false;
    }

    private int PreviousObservation(int phrase)
    {
        for (var j = phrase - 1; j >= 0; j--)
        {
            if (Crosses(_phrases[j].Last, _phrases[j + 1].First)) return -1;
            if (_phrases[j].HasObservation) return _phrases[j].HeadObs;
        }
        return -1;
    }

    private int NextObservation(int phrase)
    {
        for (var j = phrase + 1; j < _phrases.Count && j <= phrase + 2; j++)
        {
            // "no acute, displaced rib fractures": a comma alone between two modifiers of one finding.
            var listComma = j == phrase + 1 && _phrases[j].First - _phrases[phrase].Last == 2 && _units[_phrases[phrase].Last + 1].Role == Role.Comma;
            if (!listComma && Crosses(_phrases[j - 1].Last, _phrases[j].First)) return -1;
            if (_phrases[j].HasObservation) return _phrases[j].HeadObs;
        }
        return -1;
    }

    private bool Crosses(int fromUnit, int toUnit)
    {
        for (var k = fromUnit + 1; k < toUnit; k++) if (IsClauseBoundary(k)) return true;
        return false;
    }

    // "opacity suggestive of pneumonia", "effusion, likely atelectasis": the observation before the cue
    // is suggestive of the one after it.
    private void AttachSuggestive()
    {
        for (var k = 0; k < _units.Count; k++)
        {
            if (!_units[k].Entry.Suggestive) continue;
            int source = -1, target = -1;
            for (var i = 0; i < _phrases.Count; i++)
            {
                var p = _phrases[i];
                if (!p.HasObservation) continue;
                if (p.Last < k) source = i;
                else if (p.First > k && target < 0) target = i;
            }
            if (source < 0 || target < 0) continue;
            // "hyperexpanded lungs with flattened diaphragms and increased retrosternal clear space suggestive of
            // emphysema": every finding of the list before the cue.
            var first = source;
            while (first > 0 && _phrases[first - 1].HasObservation && ListJoined(_phrases[first - 1].Last + 1, _phrases[first].First)) first--;
            for (var s = first; s <= source; s++)
            {
                Relate(_phrases[s].HeadObs, RadGraphRelations.SuggestiveOf, _phrases[target].HeadObs);
                // "due to airspace disease or atelectasis": every alternative.
                for (var t = target + 1; t < _phrases.Count && _phrases[t].HasObservation && Alternatives(_phrases[t - 1].Last + 1, _phrases[t].First); t++)
                    Relate(_phrases[s].HeadObs, RadGraphRelations.SuggestiveOf, _phrases[t].HeadObs);
            }
        }
    }
}
