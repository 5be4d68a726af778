using System.Text.Json.Serialization;

namespace ReportGen.Core.Labels;

/// <summary>The value of one label for one report (CheXpert / MOSAIC semantics).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LabelValue>))]
public enum LabelValue
{
    /// <summary>Not mentioned (MOSAIC -1, CheXpert blank).</summary>
    [JsonStringEnumMemberName("not_mentioned")] NotMentioned,
    /// <summary>Mentioned as present (MOSAIC 1, CheXpert 1).</summary>
    [JsonStringEnumMemberName("positive")] Positive,
    /// <summary>Mentioned as absent (MOSAIC 2, CheXpert 0).</summary>
    [JsonStringEnumMemberName("negative")] Negative,
    /// <summary>Mentioned with uncertainty (MOSAIC 0, CheXpert -1).</summary>
    [JsonStringEnumMemberName("uncertain")] Uncertain,
}

/// <summary>Conversions and CheXpert's aggregation of several mentions of one label.</summary>
public static class LabelValues
{
    /// <summary>The wire name: positive, negative, uncertain or not_mentioned.</summary>
    public static string ToWireName(this LabelValue value) => value switch
    {
        LabelValue.Positive => "positive",
        LabelValue.Negative => "negative",
        LabelValue.Uncertain => "uncertain",
        _ => "not_mentioned",
    };

    /// <summary>Parses a wire name (case-insensitive); null when unknown.</summary>
    public static LabelValue? FromWireName(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "positive" => LabelValue.Positive,
        "negative" => LabelValue.Negative,
        "uncertain" => LabelValue.Uncertain,
        "not_mentioned" or "not mentioned" => LabelValue.NotMentioned,
        _ => null,
    };

    /// <summary>CheXpert's CSV value: "1.0", "0.0", "-1.0" or "" (not mentioned).</summary>
    public static string ToCheXpertCsv(this LabelValue value) => value switch
    {
        LabelValue.Positive => "1.0",
        LabelValue.Negative => "0.0",
        LabelValue.Uncertain => "-1.0",
        _ => "",
    };

    /// <summary>
    /// CheXpert aggregation of two mentions: positive wins; negative with uncertain is uncertain;
    /// anything with not-mentioned is the other.
    /// </summary>
    public static LabelValue Aggregate(LabelValue a, LabelValue b)
    {
        if (a == LabelValue.NotMentioned) return b;
        if (b == LabelValue.NotMentioned) return a;
        if (a == LabelValue.Positive || b == LabelValue.Positive) return LabelValue.Positive;
        if (a == LabelValue.Uncertain || b == LabelValue.Uncertain) return LabelValue.Uncertain;
        return LabelValue.Negative;
    }

    /// <summary>MOSAIC's integer code: 1 positive, 2 negative, 0 uncertain, -1 not mentioned.</summary>
    public static int ToMosaic(this LabelValue value) => value switch
    {
        LabelValue.Positive => 1,
        LabelValue.Negative => 2,
        LabelValue.Uncertain => 0,
        _ => -1,
    };

    /// <summary>Parses MOSAIC's integer code; null when out of range.</summary>
    public static LabelValue? FromMosaic(int code) => code switch
    {
        1 => LabelValue.Positive,
        2 => LabelValue.Negative,
        0 => LabelValue.Uncertain,
        -1 => LabelValue.NotMentioned,
        _ => null,
    };

    /// <summary>
    /// CheXpert's aggregation over all mentions of one label, exactly as the labeler's aggregate stage
    /// checks its cases: negative and uncertain present -> uncertain (even when a positive is present too);
    /// else negative and positive -> positive; else uncertain and positive -> positive; else the common value.
    /// Not mentioned when there are no mentions.
    /// </summary>
    public static LabelValue AggregateAll(IEnumerable<LabelValue> values)
    {
        bool pos = false, neg = false, unc = false;
        foreach (var v in values)
        {
            pos |= v == LabelValue.Positive;
            neg |= v == LabelValue.Negative;
            unc |= v == LabelValue.Uncertain;
        }
        if (neg && unc) return LabelValue.Uncertain;
        if (pos) return LabelValue.Positive;
        if (unc) return LabelValue.Uncertain;
        return neg ? LabelValue.Negative : LabelValue.NotMentioned;
    }
}
