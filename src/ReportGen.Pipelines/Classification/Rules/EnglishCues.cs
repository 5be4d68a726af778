namespace ReportGen.Pipelines.Classification.Rules;

/// <summary>
/// English cues: a token-scope rendering of the CheXpert labeler's NegBio patterns
/// (patterns/pre_negation_uncertainty.txt, negation.txt, post_negation_uncertainty.txt).
/// </summary>
internal static class EnglishCues
{
    private static readonly string[] Copulas = ["is", "are", "was", "were", "has", "have", "had", "there"];

    public static LanguageCues Create() => new()
    {
        Language = "en",
        PreNegationUncertaintyBefore =
        [
            // cannot exclude / cannot rule out XXX; no new XXX; no evidence to rule out XXX
            Cue.Of("cannot exclude", crossesComma: true), Cue.Of("can not exclude", crossesComma: true),
            Cue.Of("not exclude", 6), Cue.Of("cannot rule out", crossesComma: true), Cue.Of("can not rule out", crossesComma: true),
            Cue.Of("could not rule out"), Cue.Of("not rule out"), Cue.Of("to rule out"), Cue.Of("no new", crossesComma: true),
            Cue.Of("cannot be excluded"), Cue.Of("not well visualized"), Cue.Of("not well seen"),
        ],
        PreNegationUncertaintyAfter =
        [
            // XXX is not excluded / cannot be excluded / cannot be ruled out / not well visualized
            Cue.Of("cannot be excluded", 4), Cue.Of("can not be excluded", 4), Cue.Of("cannot be ruled out", 4),
            Cue.Of("can not be ruled out", 4), Cue.Of("cannot be entirely excluded", 4), Cue.Of("not excluded", 4), Cue.Of("not be excluded", 4), Cue.Of("not entirely excluded", 4),
            Cue.Of("not be ruled out", 4), Cue.Of("not ruled out", 4), Cue.Of("not well visualized", 4),
            Cue.Of("not well seen", 4), Cue.Of("not well evaluated", 4), Cue.Of("not clearly seen", 4),
            Cue.Of("not clearly visualized", 4), Cue.Of("not appreciated", 4), Cue.Of("not well appreciated", 4),
            Cue.Of("not clearly", 4),
        ],
        NegationBefore =
        [
            Cue.Of("no", crossesComma: true), Cue.Of("without", crossesComma: true), Cue.Of("negative for", crossesComma: true),
            Cue.Of("free of", crossesComma: true), Cue.Of("clear of", crossesComma: true), Cue.Of("resolution of", crossesComma: true),
            Cue.Of("resolved"), Cue.Of("removal of"), Cue.Of("removed"), Cue.Of("history of"), Cue.Of("disappearance of"),
            Cue.Of("drainage of"), Cue.Of("rule out", crossesComma: true), Cue.Of("ruled out", crossesComma: true),
            Cue.Of("exclude", crossesComma: true), Cue.Of("excluded"), Cue.Of("absence of", crossesComma: true),
            Cue.Of("never"), Cue.Of("none"), Cue.Of("nor"), Cue.Of("not", 3), Cue.Of("cleared"),
            Cue.Of("normal", 3), Cue.Of("unremarkable", 3), Cue.Of("no evidence", crossesComma: true),
        ],
        NegationAfter =
        [
            Cue.Of("normal"), Cue.Of("unremarkable"), Cue.Of("upper limits"), Cue.Of("not enlarged", 4), Cue.Of("not seen", 4),
            Cue.Of("not identified", 4), Cue.Of("not present", 4), Cue.Of("not visualized", 4), Cue.Of("not demonstrated", 4),
            Cue.Of("not evident", 4), Cue.Of("not noted", 4), Cue.Of("not visible", 4), Cue.Of("no longer", 4),
            Cue.Of("absent", 4), Cue.Of("resolved", 4), Cue.Of("removed", 4), Cue.Of("cleared", 4), Cue.Of("negative", 2),
            Cue.Of("not", 3), Cue.Of("with interval resolution", 2),
        ],
        UncertaintyBefore =
        [
            Cue.Of("possible"), Cue.Of("possibly"), Cue.Of("presumably"), Cue.Of("probable"), Cue.Of("questionable"),
            Cue.Of("question of"), Cue.Of("question"), Cue.Of("suspect"), Cue.Of("suspected"), Cue.Of("suspicious"),
            Cue.Of("suggestion of"), Cue.Of("favor"), Cue.Of("consider"), Cue.Of("concern for"), Cue.Of("concerning for"),
            Cue.Of("suspicion"), Cue.Of("may"), Cue.Of("might"), Cue.Of("could"), Cue.Of("would"), Cue.Of("maybe"),
            Cue.Of("secondary to"), Cue.Of("differential"), Cue.Of("versus", 4), Cue.Of("vs", 4), Cue.Of("or", 4, crossesComma: true),
            Cue.Of("worrisome for"), Cue.Of("borderline", 3), Cue.Of("correlate"), Cue.Of("less likely", 3), Cue.Of("obscuring"),
            Cue.Of("obscured", 2), Cue.Of("equivocal"), Cue.Of("cannot"),
        ],
        UncertaintyAfter =
        [
            Cue.Of("or", 3, crossesComma: true), Cue.Of("versus", 4), Cue.Of("vs", 4), Cue.Of("may be present"), Cue.Of("could be present"),
            Cue.Of("might be present"), Cue.Of("may be seen"), Cue.Of("may be noted"), Cue.Of("could be seen"), Cue.Of("may appear"),
            Cue.Of("could appear"), Cue.Of("might appear"), Cue.Of("suspected", 3), Cue.Of("questioned", 3), Cue.Of("obscured", 3),
            Cue.Of("obscuring", 3), Cue.Of("poorly evaluated", 3), Cue.Of("incompletely evaluated", 3), Cue.Of("less likely", 3),
            Cue.Of("possible", 3), Cue.Of("is possible"), Cue.Of("borderline", 3), Cue.Of("not well", 3), Cue.Of("equivocal", 3),
        ],
        BackwardTerminators =
        [
            ".", ";", ":", "but", "however", "although", "though", "except", "aside", "apart", "which", "whereas", "while",
            "yet", "with", "change", "changed", "since", "because", .. Copulas,
        ],
        ForwardTerminators =
        [
            ".", ";", ":", "but", "however", "although", "though", "except", "which", "whereas", "while", "yet", "with",
            "without", "otherwise", "no", "there",
        ],
        And = "and",
        AndClauseStarters = ["the", "there", "a", "an", "no", "this", "these"],
        Verbs = ["is", "are", "was", "were", "has", "have", "had", "appears", "appear", "remains", "remain", "seen", "noted", "demonstrated", "identified", "shows", "show"],
        AlwaysUncertainMentions = ["vascular congestion", "pulmonary congestion", "indistinctness", "vascular prominence"],
    };
}
