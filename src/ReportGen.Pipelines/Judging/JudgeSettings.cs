using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Judging;

/// <summary>The judging methods.</summary>
public enum JudgeMethod
{
    /// <summary>The model-free rules judge (RadGraph structures + CheXpert labels).</summary>
    Rules,
    /// <summary>GREEN (an LLM counts error kinds).</summary>
    Green,
    /// <summary>RadFact (an LLM checks entailment phrase by phrase, boxes too).</summary>
    RadFact,
    /// <summary>CheXprompt (an LLM counts clinically significant errors).</summary>
    CheXprompt,
}

/// <summary>
/// The judge front door, shared by <c>POST /v1/reports/judge</c> and <c>reportgen judge</c>: the method, GREEN's
/// answer form and the token limit, checked once (<see cref="Parse"/>: an unknown value is a
/// <see cref="JudgeInputException"/> naming its field, never a fallback), and the one dispatch to a judge
/// (<see cref="JudgeAsync"/>).
/// </summary>
/// <param name="Method">The judge.</param>
/// <param name="GreenFormat">GREEN's answer form (json or native).</param>
/// <param name="MaxTokens">Overrides the judge prompt's max_tokens (LLM methods); null: the prompt's.</param>
public sealed record JudgeSettings(JudgeMethod Method, GreenOutputFormat GreenFormat = GreenOutputFormat.Json, int? MaxTokens = null)
{
    /// <summary>The method names, as requests spell them.</summary>
    public static readonly IReadOnlyList<string> MethodNames = ["rules", "green", "radfact", "chexprompt"];

    /// <summary>Largest max_tokens accepted.</summary>
    public const int MaxOutputTokens = 8192;

    /// <summary>The method's name (<c>rules</c>, <c>green</c>, <c>radfact</c>, <c>chexprompt</c>).</summary>
    public string MethodName => MethodNames[(int)Method];

    /// <summary>Whether the method needs a chat model.</summary>
    public bool NeedsModel => Method != JudgeMethod.Rules;

    /// <summary>
    /// Reads the request's values: <paramref name="method"/> rules (default), green, radfact or chexprompt;
    /// <paramref name="greenFormat"/> json (default) or native; <paramref name="maxTokens"/> 1..<see cref="MaxOutputTokens"/>.
    /// </summary>
    /// <param name="method">The method name, any case; null is rules.</param>
    /// <param name="greenFormat">GREEN's answer form, any case; null is json.</param>
    /// <param name="maxTokens">The token limit, or null.</param>
    /// <param name="label">How the host names a field in messages (the CLI: <c>--method</c>); null: the field's own name.</param>
    /// <exception cref="JudgeInputException">A value is not one of those (the field is <c>method</c>, <c>green_format</c> or <c>max_tokens</c>).</exception>
    public static JudgeSettings Parse(string? method, string? greenFormat, int? maxTokens, Func<string, string>? label = null)
    {
        string L(string field) => label?.Invoke(field) ?? field;
        var name = method?.Trim().ToLowerInvariant() ?? "rules";
        var index = MethodNames.ToList().IndexOf(name);
        if (index < 0) throw new JudgeInputException("method", $"{L("method")}: unknown method '{method}'; use {string.Join(", ", MethodNames)}");
        var format = (greenFormat?.Trim().ToLowerInvariant() ?? "json") switch
        {
            "json" => GreenOutputFormat.Json,
            "native" => GreenOutputFormat.Native,
            _ => throw new JudgeInputException("green_format", $"{L("green_format")}: unknown format '{greenFormat}'; use json or native"),
        };
        if (maxTokens is < 1 or > MaxOutputTokens)
            throw new JudgeInputException("max_tokens", $"{L("max_tokens")}: must be between 1 and {MaxOutputTokens}");
        return new JudgeSettings((JudgeMethod)index, format, maxTokens);
    }

    /// <summary>
    /// Judges <paramref name="candidate"/> against <paramref name="reference"/> with the method. Both texts are checked
    /// by the one report-text rule first (<see cref="ReportText.Validate"/>). The rules judge reads text (boxes play no
    /// part); RadFact keeps the boxes of grounded findings and scores grounding and spatial precision/recall too.
    /// </summary>
    /// <param name="candidate">The report to score.</param>
    /// <param name="reference">The ground truth.</param>
    /// <param name="rules">The rules judge (its taxonomy loaded once by the host); required for rules.</param>
    /// <param name="chat">The judge model; required unless the method is rules.</param>
    /// <param name="prompts">The prompt files; required unless the method is rules.</param>
    /// <param name="logger">Where a failed model call is logged (type, message, stack; never report text).</param>
    /// <param name="cancellationToken">Cancels the model calls.</param>
    /// <exception cref="ReportTextException">A report's text is empty, binary or too large.</exception>
    /// <exception cref="InvalidOperationException">The method's judge or model is not given.</exception>
    public async Task<JudgeRun> JudgeAsync(GroundedReport candidate, GroundedReport reference, RulesJudge? rules, IChatClient? chat, PromptLibrary? prompts,
        ILogger? logger, CancellationToken cancellationToken)
    {
        ValidateTexts(candidate, reference);
        if (Method == JudgeMethod.Rules)
        {
            var judgement = (rules ?? throw new InvalidOperationException("the rules judge is needed")).Judge(candidate.Text, reference.Text);
            return new JudgeRun(this, JudgeOutput.Rules(judgement), judgement, null);
        }
        if (chat is null || prompts is null) throw new InvalidOperationException($"the {MethodName} judge needs a chat model and the prompt files");
        switch (Method)
        {
            case JudgeMethod.Green:
                var green = new GreenJudge(chat, prompts, MaxTokens, GreenFormat, logger);
                var g = await green.JudgeAsync(candidate.Text, reference.Text, cancellationToken).ConfigureAwait(false);
                return new JudgeRun(this, JudgeOutput.Green(g), g, green.Prompt);
            case JudgeMethod.CheXprompt:
                var c = await new CheXpromptJudge(chat, prompts, MaxTokens, logger).JudgeAsync(candidate.Text, reference.Text, cancellationToken).ConfigureAwait(false);
                return new JudgeRun(this, JudgeOutput.CheXprompt(c), c, CheXpromptJudge.PromptName);
            default:
                var r = await new RadFactJudge(chat, prompts, MaxTokens, logger).JudgeAsync(candidate, reference, cancellationToken).ConfigureAwait(false);
                return new JudgeRun(this, JudgeOutput.RadFact(r, candidate.IsGrounded, reference.IsGrounded), r, RadFactJudge.PromptName);
        }
    }

    /// <summary>The one report-text rule (<see cref="ReportText.Validate"/>) on both reports: a host may call it before loading a model.</summary>
    /// <exception cref="ReportTextException">A report's text is empty, binary or too large (the field is candidate or reference).</exception>
    public static void ValidateTexts(GroundedReport candidate, GroundedReport reference)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(reference);
        ReportText.Validate(candidate.Text, "candidate");
        ReportText.Validate(reference.Text, "reference");
    }
}

/// <summary>One judgement as every host reports it.</summary>
/// <param name="Settings">What was asked.</param>
/// <param name="Output">The flat output contract (<see cref="JudgeOutput"/>: method, score, status, counts).</param>
/// <param name="Judgement">The judge's own result record (<see cref="RulesJudgement"/>, <see cref="GreenJudgement"/>, ...).</param>
/// <param name="PromptName">The prompt an LLM judge rendered; null for rules.</param>
public sealed record JudgeRun(JudgeSettings Settings, Dictionary<string, object?> Output, object Judgement, string? PromptName)
{
    /// <summary>The output's score (rules/GREEN: higher is better; RadFact: logical F1; CheXprompt: significant errors, lower is better); null when there is none.</summary>
    public double? Score => Output["score"] switch { double d => d, int i => i, _ => null };

    /// <summary>parsed, partial (RadFact), unparseable or failed.</summary>
    public string Status => (string)Output["status"]!;
}
