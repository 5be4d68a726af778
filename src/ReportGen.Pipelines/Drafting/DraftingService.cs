using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Drafting;

/// <summary>One encoded image (PNG, JPEG or DICOM bytes) and its media type.</summary>
public sealed record StudyImage(ReadOnlyMemory<byte> Bytes, string MediaType);

/// <summary>MAIRA-2's inputs: current frontal, optional lateral, optional prior frontal + report, and the text fields ("N/A" when missing).</summary>
public sealed record DraftRequest
{
    /// <summary>The current frontal image.</summary>
    public required StudyImage Frontal { get; init; }
    /// <summary>Optional current lateral image.</summary>
    public StudyImage? Lateral { get; init; }
    /// <summary>Optional prior frontal image.</summary>
    public StudyImage? PriorFrontal { get; init; }
    /// <summary>Optional prior report text.</summary>
    public string? PriorReport { get; init; }
    /// <summary>Indication.</summary>
    public string? Indication { get; init; }
    /// <summary>Technique.</summary>
    public string? Technique { get; init; }
    /// <summary>Comparison.</summary>
    public string? Comparison { get; init; }
    /// <summary>Ask for MAIRA-2 grounded output (&lt;obj&gt;/&lt;box&gt;) instead of plain findings.</summary>
    public bool Grounded { get; init; }
    /// <summary>Original frontal size, to map boxes back to original pixels (centre crop undone); null keeps fractions only.</summary>
    public CropGeometry? FrontalGeometry { get; init; }
    /// <summary>Max tokens to generate (null: the prompt's setting).</summary>
    public int? MaxOutputTokens { get; init; }
}

/// <summary>A drafted report: parsed findings, the raw text and how many malformed boxes/objects were dropped.</summary>
public sealed record DraftResult(IReadOnlyList<DraftFinding> Findings, string RawText, int MalformedBoxes, int MalformedObjects);

/// <summary>
/// Drafts findings with prompts/draft-findings.yaml through an <see cref="IChatClient"/>; images go in as
/// <see cref="DataContent"/> (a vision-language chat client injects their embeddings). Sentences stream as produced.
/// </summary>
public sealed class DraftingService(IChatClient chat, PromptLibrary prompts)
{
    /// <summary>The prompt's name.</summary>
    public const string PromptName = "draft-findings";

    /// <summary>The instruction appended in grounded mode.</summary>
    public const string GroundedInstruction = "Ground each finding: write it as <obj>finding<box><xN><yN><xN><yN></box></obj> with bins 0-99.";

    /// <summary>Streams complete sentences as the model produces them.</summary>
    public async IAsyncEnumerable<string> StreamSentencesAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (messages, options) = Build(request);
        var buffer = new StringBuilder();
        await foreach (var update in chat.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            buffer.Append(update.Text);
            var sentences = SentenceSplitter.Split(buffer.ToString());
            // All but the last sentence are complete; keep the last one buffered until more text or the end.
            if (sentences.Count < 2) continue;
            foreach (var s in sentences.Take(sentences.Count - 1))
                if (s.Text.Trim().Length > 0) yield return s.Text.Trim();
            buffer.Clear().Append(sentences[^1].Text);
        }
        var rest = buffer.ToString().Trim();
        if (rest.Length > 0) yield return rest;
    }

    /// <summary>Drafts the whole report and parses it.</summary>
    public async Task<DraftResult> DraftAsync(DraftRequest request, CancellationToken cancellationToken)
    {
        var (messages, options) = Build(request);
        var response = await chat.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var parsed = GroundedReportParser.Parse(response.Text, request.FrontalGeometry);
        return new DraftResult(parsed.Findings, response.Text, parsed.MalformedBoxes, parsed.MalformedObjects);
    }

    /// <summary>The messages (text + images as DataContent) and options for a request.</summary>
    public (List<ChatMessage> Messages, ChatOptions Options) Build(DraftRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var prompt = prompts[PromptName];
        var messages = prompt.Render(new Dictionary<string, object?>
        {
            ["indication"] = OrNa(request.Indication), ["technique"] = OrNa(request.Technique),
            ["comparison"] = OrNa(request.Comparison), ["prior_report"] = OrNa(request.PriorReport),
        }).ToList();
        var user = messages.LastOrDefault(m => m.Role == ChatRole.User) ?? throw new InvalidOperationException($"prompt {PromptName} has no user message");
        // Images first, in MAIRA-2's order: frontal, lateral, prior frontal.
        var images = new List<AIContent> { new DataContent(request.Frontal.Bytes, request.Frontal.MediaType) };
        if (request.Lateral is { } lateral) images.Add(new DataContent(lateral.Bytes, lateral.MediaType));
        if (request.PriorFrontal is { } prior) images.Add(new DataContent(prior.Bytes, prior.MediaType));
        var contents = images.Concat(user.Contents).ToList();
        if (request.Grounded) contents.Add(new TextContent(GroundedInstruction));
        messages[messages.IndexOf(user)] = new ChatMessage(ChatRole.User, contents);
        var options = prompt.CreateChatOptions();
        if (request.MaxOutputTokens is { } max) options.MaxOutputTokens = max;
        return (messages, options);
    }

    private static string OrNa(string? value) => string.IsNullOrWhiteSpace(value) ? "N/A" : value.Trim();
}
