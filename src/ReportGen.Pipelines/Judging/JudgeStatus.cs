namespace ReportGen.Pipelines.Judging;

/// <summary>Whether a judge's answer could be scored (the <c>status</c> every judgement reports).</summary>
public static class JudgeStatus
{
    /// <summary>The answer was read; the score stands.</summary>
    public const string Parsed = "parsed";
    /// <summary>The model answered but the answer could not be read: no score (never a silent 0).</summary>
    public const string Unparseable = "unparseable";
    /// <summary>The model call itself failed (server unreachable or erroring: <c>ModelCallException.IsCallFailure</c>): no score. A full queue or input the model refuses is not a judgement: it goes to the caller.</summary>
    public const string Failed = "failed";
    /// <summary>RadFact only: some phrases got no verdict (counted), but both sides still have a score.</summary>
    public const string Partial = "partial";
    /// <summary>The model's answer was cut off by its token limit and was not read: no score (raise max_tokens).</summary>
    public const string Truncated = "truncated";
    /// <summary>
    /// Rules only: the candidate or the reference is not in English, which the rules' RadGraph reads; no score, since
    /// findings it cannot see would score as agreement. The CheXpert label lists are still compared, in each text's language.
    /// </summary>
    public const string UnsupportedLanguage = "unsupported_language";
}
