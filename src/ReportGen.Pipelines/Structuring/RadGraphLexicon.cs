namespace ReportGen.Pipelines.Structuring;

/// <summary>What a lexicon word or phrase is to the rules engine.</summary>
internal enum LexKind : byte
{
    None = 0,
    /// <summary>A body part (ANAT-DP): lung, lobe, pleural, hilar, ...</summary>
    Anatomy,
    /// <summary>An anatomical attribute noun that modifies the organ before it: "heart size", "mediastinal contours".</summary>
    AnatomyAttribute,
    /// <summary>Laterality / position words, anatomy that modifies the next anatomy: left, right, bilateral, upper.</summary>
    AnatomyModifier,
    /// <summary>An observation head: effusion, opacity, normal, clear, enlarged, tube, ...</summary>
    Observation,
    /// <summary>A modifier of an observation (small, mild, acute, new); stands alone when nothing to modify: "heart size is stable".</summary>
    ObservationModifier,
    /// <summary>A measurement unit (cm, mm): with its number, a modifier.</summary>
    Unit,
    /// <summary>Starts a negation scope: no, without, negative for, free of.</summary>
    NegationPre,
    /// <summary>Negates what came before in the clause: "is not seen", "has resolved", "absent".</summary>
    NegationPost,
    /// <summary>Starts an uncertainty scope: may, possible, likely, concerning for.</summary>
    UncertaintyPre,
    /// <summary>Makes what came before uncertain: "cannot be excluded", "not ruled out".</summary>
    UncertaintyPost,
    /// <summary>Alternatives: "versus", "vs": both sides uncertain.</summary>
    Versus,
    /// <summary>Ends negation/uncertainty scope: but, however, although, which, ";".</summary>
    ScopeBreak,
    /// <summary>Copula or reporting verb: is, are, appear, remain, ...</summary>
    Verb,
    /// <summary>Preposition linking an observation to where it is: in, at, within, of, along, ...</summary>
    Preposition,
    /// <summary>Articles and quantifiers that sit inside a noun phrase: the, a, both.</summary>
    Determiner,
    /// <summary>Words consumed so they do not become entities: "lateral view", "appearance", "interval".</summary>
    NotAnEntity,
}

/// <summary>
/// A lexicon payload; <see cref="Suggestive"/> marks cues that also link two observations (suggestive_of),
/// <see cref="Attributive"/> hedges that are also a modifier when a noun follows ("no suspicious pulmonary opacity"),
/// <see cref="Part"/> anatomy that modifies the organ written before it ("lung bases"), <see cref="Leading"/> modifiers
/// that are an entity only right before a finding ("grossly clear").
/// </summary>
internal readonly record struct LexEntry(LexKind Kind, bool Suggestive = false, bool StandsAlone = false, bool Attributive = false, bool Part = false,
    bool Leading = false);

/// <summary>
/// The rules engine's vocabulary: a word trie (lower-cased words → entry, longest phrase wins) built once from
/// <c>prompts/lexicons/radgraph.yaml</c> (<see cref="RadGraphLexiconFile"/>), where a clinician can add a word without
/// touching code. Observation terms start from the CheXpert labeler's mention phrases (stanfordmlgroup/chexpert-labeler,
/// MIT), split into the single words RadGraph annotates; anatomy, modifiers and cues are our own.
/// </summary>
internal sealed class RadGraphLexicon
{
    private sealed class Node
    {
        public Dictionary<string, Node>? Next;
        public LexEntry? Entry;
    }

    private readonly Node _root = new() { Next = new Dictionary<string, Node>(StringComparer.Ordinal) };
    private readonly string[] _observationStems;
    private readonly string[] _observationSuffixes;
    private readonly string[] _anatomyPrefixes;
    private readonly HashSet<string> _notFindings;

    /// <summary>The lexicon of <c>prompts/lexicons/radgraph.yaml</c>, loaded on first use.</summary>
    public static RadGraphLexicon Default => Holder.Instance;

    private static class Holder
    {
        public static readonly RadGraphLexicon Instance = new(RadGraphLexiconFile.LoadDefault());
    }

    /// <summary>Builds the trie; the order of the kinds below decides which wins when a phrase is in two lists.</summary>
    public RadGraphLexicon(RadGraphLexiconFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var standAlone = file.StandAloneModifiers.ToHashSet(StringComparer.Ordinal);
        var suggestiveUncertain = file.SuggestiveUncertain.ToHashSet(StringComparer.Ordinal);
        var attributive = file.AttributiveHedges.ToHashSet(StringComparer.Ordinal);
        var parts = file.AnatomyParts.ToHashSet(StringComparer.Ordinal);
        foreach (var a in file.Anatomy) Add(a, new LexEntry(LexKind.Anatomy, Part: parts.Contains(a)));
        AddAll(LexKind.AnatomyAttribute, file.AnatomyAttributes);
        AddAll(LexKind.AnatomyModifier, file.AnatomyModifiers);
        AddAll(LexKind.Observation, file.Observations);
        var leading = file.LeadingModifiers.ToHashSet(StringComparer.Ordinal);
        foreach (var m in file.ObservationModifiers)
            Add(m, new LexEntry(LexKind.ObservationModifier, StandsAlone: standAlone.Contains(m), Leading: leading.Contains(m)));
        AddAll(LexKind.Unit, file.Units);
        AddAll(LexKind.NegationPre, file.NegationBefore);
        AddAll(LexKind.NegationPost, file.NegationAfter);
        foreach (var u in file.UncertaintyBefore)
            Add(u, new LexEntry(LexKind.UncertaintyPre, Suggestive: suggestiveUncertain.Contains(u), Attributive: attributive.Contains(u)));
        AddAll(LexKind.UncertaintyPost, file.UncertaintyAfter);
        foreach (var s in file.SuggestiveCertain) Add(s, new LexEntry(LexKind.None, Suggestive: true));
        AddAll(LexKind.Versus, file.Versus);
        AddAll(LexKind.ScopeBreak, file.ScopeBreaks);
        AddAll(LexKind.Verb, file.Verbs);
        AddAll(LexKind.Preposition, file.Prepositions);
        AddAll(LexKind.Determiner, file.Determiners);
        AddAll(LexKind.NotAnEntity, file.NotEntities);
        _observationStems = [.. file.ObservationStems];
        _observationSuffixes = [.. file.ObservationSuffixes];
        _anatomyPrefixes = [.. file.AnatomyPrefixes];
        _notFindings = file.NotFindings.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Longest lexicon phrase starting at <paramref name="start"/>: its entry and word count (0 when none).</summary>
    public (LexEntry Entry, int Length) Match(string[] lowerWords, int start, int end)
    {
        var node = _root;
        LexEntry best = default;
        var bestLength = 0;
        for (var i = start; i < end; i++)
        {
            if (node.Next is null || !node.Next.TryGetValue(lowerWords[i], out var child)) break;
            node = child;
            if (node.Entry is { } e) { best = e; bestLength = i - start + 1; }
        }
        if (bestLength > 0) return (best, bestLength);
        var fallback = Fallback(lowerWords[start]);
        return fallback.Kind == LexKind.None ? (default, 0) : (fallback, 1);
    }

    /// <summary>
    /// The scope cue starting at <paramref name="start"/> and its word count: <see cref="LexKind.NegationPre"/> ("no",
    /// "free of"), <see cref="LexKind.NegationPost"/> ("is not seen", "has resolved") or <see cref="LexKind.ScopeBreak"/>
    /// ("but", "however", "which"); (None, 0) when the longest phrase there is something else ("not excluded" is
    /// uncertainty, not negation).
    /// </summary>
    public (LexKind Kind, int Length) ScopeCue(string[] lowerWords, int start, int end)
    {
        var (entry, length) = Match(lowerWords, start, end);
        return entry.Kind is LexKind.NegationPre or LexKind.NegationPost or LexKind.ScopeBreak ? (entry.Kind, length) : (LexKind.None, 0);
    }

    // Plurals, hyphenated compounds and CheXpert-style stems ("atelecta", "consolidat", "opaci").
    private LexEntry Fallback(string w)
    {
        if (w.Length < 3) return default;
        if (w.EndsWith("ies", StringComparison.Ordinal) && Single(w[..^3] + "y") is { } y && IsNounKind(y.Kind)) return y;
        if (w.EndsWith("es", StringComparison.Ordinal) && Single(w[..^2]) is { } es && IsNounKind(es.Kind)) return es;
        if (w.EndsWith('s') && Single(w[..^1]) is { } s && IsNounKind(s.Kind)) return s;
        var dash = w.LastIndexOf('-');
        if (dash > 0 && dash < w.Length - 1)
        {
            var last = Single(w[(dash + 1)..]) ?? Fallback(w[(dash + 1)..]);
            if (last is { } l && l.Kind is LexKind.Anatomy or LexKind.Observation or LexKind.ObservationModifier or LexKind.AnatomyModifier) return l;
            // "chronic-appearing", "mass-effect": a known finding word before the dash makes a modifier.
            if (last.Kind == LexKind.None && Single(w[..dash]) is { Kind: LexKind.Observation or LexKind.ObservationModifier }) return new LexEntry(LexKind.ObservationModifier);
        }
        foreach (var stem in _observationStems)
            if (w.StartsWith(stem, StringComparison.Ordinal)) return new LexEntry(LexKind.Observation);
        // "7mm": a measurement written without its space.
        var digits = 0;
        while (digits < w.Length && (char.IsAsciiDigit(w[digits]) || w[digits] == '.' && digits > 0)) digits++;
        if (digits > 0 && digits < w.Length && Single(w[digits..]) is { Kind: LexKind.Unit }) return new LexEntry(LexKind.ObservationModifier);
        // "juxtahilar", "prevertebral": a position prefix on known anatomy is anatomy.
        foreach (var prefix in _anatomyPrefixes)
            if (w.Length > prefix.Length + 3 && w.StartsWith(prefix, StringComparison.Ordinal) && Single(w[prefix.Length..]) is { Kind: LexKind.Anatomy }) return new LexEntry(LexKind.Anatomy);
        // "7th rib", "4th": an ordinal is a level, like "seventh".
        if (char.IsAsciiDigit(w[0]) && w[^2..] is "st" or "nd" or "rd" or "th" && w[..^2].All(char.IsAsciiDigit)) return new LexEntry(LexKind.AnatomyModifier);
        // Medical word endings name findings the lists miss: "-osis", "-itis", "-megaly", "-ectomy", ...
        if (!_notFindings.Contains(w))
            foreach (var suffix in _observationSuffixes)
                if (w.Length > suffix.Length + 2 && w.EndsWith(suffix, StringComparison.Ordinal)) return new LexEntry(LexKind.Observation);
        return default;
    }

    private static bool IsNounKind(LexKind k) => k is LexKind.Anatomy or LexKind.AnatomyAttribute or LexKind.Observation;

    private LexEntry? Single(string w) => _root.Next!.TryGetValue(w, out var n) && n.Entry is { } e ? e : null;

    private void AddAll(LexKind kind, IEnumerable<string> phrases)
    {
        foreach (var p in phrases) Add(p, new LexEntry(kind));
    }

    private void Add(string phrase, LexEntry entry)
    {
        var node = _root;
        foreach (var word in ReportGen.Core.Text.RadGraphTokenizer.Words(phrase.ToLowerInvariant()))
        {
            node.Next ??= new Dictionary<string, Node>(StringComparer.Ordinal);
            if (!node.Next.TryGetValue(word, out var child)) node.Next[word] = child = new Node();
            node = child;
        }
        node.Entry ??= entry; // first definition wins (the order of the constructor)
    }
}
