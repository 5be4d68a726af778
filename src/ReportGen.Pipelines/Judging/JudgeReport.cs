using System.Text.Json;
using System.Text.Json.Serialization;
using ReportGen.Pipelines.Audit;

namespace ReportGen.Pipelines.Judging;

/// <summary>
/// The one judgement record every host prints: <c>reportgen judge</c> writes it to stdout and
/// <c>POST /v1/reports/judge</c> answers it. <c>method</c>, <c>score</c> (null unless the answer was read) and
/// <c>status</c> first, then the method's own fields as <see cref="JudgeOutput"/> lists them (counts, verdicts, P/R;
/// eval/judging.md documents each), then <c>provenance</c>. Serialise with <see cref="Json"/>.
/// </summary>
public sealed record JudgeReport
{
    /// <summary>rules, green, radfact or chexprompt.</summary>
    [JsonPropertyName("method")] public required string Method { get; init; }

    /// <summary>The score (rules/GREEN: higher is better; RadFact: logical F1; CheXprompt: significant errors, lower is better); null when there is none.</summary>
    [JsonPropertyName("score")] public double? Score { get; init; }

    /// <summary>parsed, partial (RadFact), unparseable, truncated or failed (<see cref="JudgeStatus"/>).</summary>
    [JsonPropertyName("status")] public required string Status { get; init; }

    /// <summary>The method's own fields, written beside the three above (not nested).</summary>
    [JsonExtensionData] public Dictionary<string, object> Details { get; init; } = [];

    /// <summary>What produced the judgement (<see cref="PipelineProvenance.ForJudge"/>).</summary>
    [JsonPropertyName("provenance")] public required Provenance Provenance { get; init; }

    /// <summary>snake_case for the nested verdict records too; an undefined ratio stays null, never NaN text.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The report of one judging run with its provenance.</summary>
    public static JudgeReport Of(JudgeRun run, Provenance provenance)
    {
        ArgumentNullException.ThrowIfNull(run);
        var details = run.Output.Where(kv => kv.Key is not ("method" or "score" or "status")).ToDictionary(kv => kv.Key, kv => kv.Value!);
        return new JudgeReport { Method = run.Settings.MethodName, Score = run.Score, Status = run.Status, Details = details, Provenance = provenance };
    }
}
