namespace ReportGen.Eval.Metrics.Judging;

/// <summary>The six error kinds shared by GREEN and CheXprompt, (a)–(f) / A–F.</summary>
public enum ReportErrorKind
{
    /// <summary>(a) False report of a finding in the candidate.</summary>
    FalseFinding,
    /// <summary>(b) Missing a finding present in the reference.</summary>
    MissedFinding,
    /// <summary>(c) Misidentification of a finding's anatomic location/position.</summary>
    WrongLocation,
    /// <summary>(d) Misassessment of the severity of a finding.</summary>
    WrongSeverity,
    /// <summary>(e) Mentioning a comparison that isn't in the reference.</summary>
    ExtraComparison,
    /// <summary>(f) Omitting a comparison detailing a change from a prior study.</summary>
    OmittedComparison,
}

/// <summary>Names for the error kinds as GREEN prints them and as results.json keys.</summary>
public static class ReportErrorKinds
{
    /// <summary>GREEN's sub-category titles, in (a)–(f) order.</summary>
    public static readonly IReadOnlyList<string> GreenTitles =
    [
        "(a) False report of a finding in the candidate",
        "(b) Missing a finding present in the reference",
        "(c) Misidentification of a finding's anatomic location/position",
        "(d) Misassessment of the severity of a finding",
        "(e) Mentioning a comparison that isn't in the reference",
        "(f) Omitting a comparison detailing a change from a prior study",
    ];

    /// <summary>CheXprompt's keys (chexprompt/eval_utils.py ERROR_TYPE_MAP), in A–F order.</summary>
    public static readonly IReadOnlyList<string> CheXpromptKeys =
        ["false_positive_finding", "omission_finding", "incorrect_location", "incorrect_severity", "false_positive_comparison", "omission_comparison"];

    /// <summary>The CheXprompt key of a kind (also used as the results.json name).</summary>
    public static string Key(this ReportErrorKind kind) => CheXpromptKeys[(int)kind];
}
