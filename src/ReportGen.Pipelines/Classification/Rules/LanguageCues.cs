namespace ReportGen.Pipelines.Classification.Rules;

/// <summary>
/// A cue phrase (folded, space-separated tokens) and how far from a mention it reaches: at most
/// <see cref="MaxDistance"/> tokens between cue and mention, and across a comma only when
/// <see cref="CrossesComma"/> (so "no effusion, pneumothorax or consolidation" negates the whole list but
/// "normal lungs, cardiomegaly" does not).
/// </summary>
internal sealed record Cue(string[] Tokens, int MaxDistance, bool CrossesComma)
{
    public static Cue Of(string phrase, int maxDistance = int.MaxValue, bool crossesComma = false) =>
        new(phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries), maxDistance, crossesComma);

    public override string ToString() => string.Join(' ', Tokens);
}

/// <summary>
/// Negation and uncertainty cues of one space-delimited language, in the CheXpert labeler's order of
/// precedence: pre-negation uncertainty ("cannot exclude"), then negation, then post-negation uncertainty.
/// "Before" cues precede the mention, "after" cues follow it. Loaded from prompts/cues (<see cref="CueFiles"/>).
/// </summary>
internal sealed class LanguageCues
{
    public required string Language { get; init; }

    /// <summary>The word for "or": a hedge between alternatives ("atelectasis or pneumonia").</summary>
    public string Or { get; init; } = "or";

    /// <summary>The word for "nor": a negation, except inside a list after an or-list opener.</summary>
    public string? Nor { get; init; }
    public List<Cue> PreNegationUncertaintyBefore { get; init; } = [];
    public List<Cue> PreNegationUncertaintyAfter { get; init; } = [];
    public List<Cue> NegationBefore { get; init; } = [];
    public List<Cue> NegationAfter { get; init; } = [];
    public List<Cue> UncertaintyBefore { get; init; } = [];
    public List<Cue> UncertaintyAfter { get; init; } = [];

    /// <summary>Words that end a cue's scope when scanning back from a mention (clause boundaries, verbs).</summary>
    public HashSet<string> BackwardTerminators { get; init; } = [];

    /// <summary>Words that end a cue's scope when scanning forward from a mention.</summary>
    public HashSet<string> ForwardTerminators { get; init; } = [];

    /// <summary>"and": continues a scope unless followed by one of these words (a new clause: "and the heart is ...").</summary>
    public string? And { get; init; }
    public HashSet<string> AndClauseStarters { get; init; } = [];

    /// <summary>Copulas, modals and reporting verbs ("is", "seen", "may"): after one, "and" no longer joins subjects
    /// and "or" no longer offers an alternative to the finding.</summary>
    public HashSet<string> Verbs { get; init; } = [];

    /// <summary>Words that hedge an organ's descriptor after it ("the heart may be enlarged", "Herz möglicherweise vergrößert").</summary>
    public HashSet<string> DescriptorHedges { get; init; } = [];

    /// <summary>Mentions that are uncertain unless negated (CheXpert: "vascular congestion", "indistinctness").</summary>
    public HashSet<string> AlwaysUncertainMentions { get; init; } = [];

    /// <summary>Openers after which "A or B" is a list, not a hedge ("no change in pneumothorax or effusion").</summary>
    public List<Cue> OrListOpeners { get; init; } = [];

    /// <summary>Sentence openings ("this may represent") that hedge the findings of the sentence before.</summary>
    public List<string> NextSentenceHedges { get; init; } = [];

    /// <summary>The same after a comma ("nodular density, possibly consistent with a nipple shadow"), as tokens.</summary>
    public List<string[]> ClauseHedges { get; init; } = [];

    /// <summary>Phrases ("overlying soft tissue") that explain a sentence's density away: its other findings do not count.</summary>
    public List<string> Artifacts { get; init; } = [];

    /// <summary>Abbreviations expanded before sentences are split (German "V.a." would end a sentence).</summary>
    public List<(string From, string To)> Abbreviations { get; init; } = [];

    /// <summary>Ordinals are written with a period ("1. costa", "der 10. Rippe"): a period after a one- or two-digit
    /// number followed by a word does not end the sentence.</summary>
    public bool OrdinalPeriods { get; init; }

    /// <summary>How many tokens forward a cue may be looked for (keeps "normal" from reaching a far subject).</summary>
    public int ForwardWindow { get; init; } = 12;
}
