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
}
