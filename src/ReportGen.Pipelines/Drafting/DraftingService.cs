using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using ReportGen.Core.Imaging;
using ReportGen.Core.Text;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Pipelines.Drafting;

/// <summary>One encoded image (PNG, JPEG or DICOM bytes, or a CT series zip) and its media type.</summary>
public sealed record StudyImage(ReadOnlyMemory<byte> Bytes, string MediaType)
{
    /// <summary>The image as the front door decoded it (<see cref="DraftStudyBuilder"/>), handed to the embedding provider; null: decode the bytes there.</summary>
    public DecodedImage? Decoded { get; init; }
}

/// <summary>MAIRA-2's inputs: current frontal, optional lateral, optional prior frontal + report, and the text fields ("N/A" when missing).</summary>
public sealed record DraftRequest
{
    /// <summary>The current frontal image.</summary>
    public required StudyImage Frontal { get; init; }
    /// <summary>
    /// A CT series as a remote vision-language model sees it (<see cref="DraftStudy.SeriesSlices"/>): attached in place of
    /// <see cref="Frontal"/>, in order; null otherwise.
    /// </summary>
    public IReadOnlyList<StudyImage>? SeriesSlices { get; init; }
    /// <summary>Optional current lateral image.</summary>
    public StudyImage? Lateral { get; init; }
    /// <summary>Optional prior frontal image.</summary>
    public StudyImage? PriorFrontal { get; init; }
    /// <summary>Optional prior report text.</summary>
    public string? PriorReport { get; init; }
    /// <summary>Why the study was requested (MAIRA-2's INDICATION; "N/A" in the prompt when missing).</summary>
    public string? Indication { get; init; }
    /// <summary>How the study was acquired: views, contrast (TECHNIQUE).</summary>
    public string? Technique { get; init; }
    /// <summary>Which earlier study the findings are compared with (COMPARISON).</summary>
    public string? Comparison { get; init; }
    /// <summary>Ask for MAIRA-2 grounded output (&lt;obj&gt;/&lt;box&gt;) instead of plain findings.</summary>
    public bool Grounded { get; init; }
    /// <summary>Original frontal size, to map boxes back to original pixels (centre crop undone); null keeps fractions only.</summary>
    public CropGeometry? FrontalGeometry { get; init; }
    /// <summary>Max tokens to generate (null: the prompt's setting).</summary>
    public int? MaxOutputTokens { get; init; }
    /// <summary>Findings of similar stored studies (retrieval grounding), offered to the model as context; null or empty: none.</summary>
    public IReadOnlyList<RetrievedStudy>? Evidence { get; init; }
    /// <summary><c>cxr</c> (default) or <c>ct</c>: CT findings are also grouped per organ system (<see cref="OrganSystems"/>).</summary>
    public string Modality { get; init; } = "cxr";
}

/// <summary>One similar stored study offered as context (retrieval grounding) and returned as evidence.</summary>
/// <param name="StudyId">The stored study's id.</param>
/// <param name="Similarity">Cosine similarity of its image embedding to the query image's, in [-1, 1].</param>
/// <param name="Findings">Its findings text.</param>
public sealed record RetrievedStudy(string StudyId, double Similarity, string Findings);

/// <summary>A drafted report: parsed findings, the raw text and how many malformed boxes/objects were dropped.</summary>
/// <param name="Findings">Findings in output order (text before an IMPRESSION: header, if the model wrote one).</param>
/// <param name="RawText">The model's whole output.</param>
/// <param name="MalformedBoxes">Grounding boxes dropped as malformed.</param>
/// <param name="MalformedObjects">Grounding objects dropped or repaired.</param>
public sealed record DraftResult(IReadOnlyList<DraftFinding> Findings, string RawText, int MalformedBoxes, int MalformedObjects)
{
    /// <summary>The impression, when the model wrote an IMPRESSION: section; otherwise null.</summary>
    public string? Impression { get; init; }
    /// <summary>The similar studies offered as context (empty without retrieval).</summary>
    public IReadOnlyList<RetrievedStudy> Evidence { get; init; } = [];
    /// <summary>CT only: finding texts per organ system (<see cref="OrganSystems"/>), in output order; null for CXR.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? ByOrganSystem { get; init; }
    /// <summary>Prompt tokens the model read (text plus injected image tokens), when the runtime reports it.</summary>
    public long? PromptTokens { get; init; }
    /// <summary>
    /// True when the token limit cut the output short: the draft is incomplete, and the sentence the limit cut is left
    /// out rather than returned as a fragment (<see cref="RawText"/> still holds everything).
    /// </summary>
    public bool Truncated { get; init; }
}

/// <summary>
/// Drafts findings with prompts/draft-findings.yaml through an <see cref="IChatClient"/>; images go in as
/// <see cref="DataContent"/> (a vision-language chat client injects their embeddings). Findings stream as produced.
/// </summary>
/// <param name="chat">The model.</param>
/// <param name="prompts">The prompt library holding draft-findings.</param>
/// <param name="attachImages">False for a text-only model: the images are left out of the request (the text fields still go in).</param>
/// <param name="promptName">The drafting prompt (<see cref="PromptFor"/> picks one per vision-language family).</param>
public sealed partial class DraftingService(IChatClient chat, PromptLibrary prompts, bool attachImages = true, string promptName = DraftingService.PromptName)
{
    /// <summary>The default prompt's name (ONNX encoder + projector sets and text-only models).</summary>
    public const string PromptName = "draft-findings";

    /// <summary>The prompt this service renders.</summary>
    public string Prompt => promptName;

    /// <summary>
    /// The drafting prompt for an mmproj's projector type (GGUF <c>clip.projector_type</c>): each family is asked the way
    /// its model card documents (prompts/draft-findings-*.yaml); other families and non-mmproj sets get <see cref="PromptName"/>.
    /// </summary>
    public static string PromptFor(string? projectorType) => projectorType?.ToLowerInvariant() switch
    {
        "gemma3" => "draft-findings-gemma3",
        "mlp" or "mlp_norm" or "ldp" or "ldpv2" => "draft-findings-llava",
        _ => PromptName,
    };

    /// <summary>The instruction appended in grounded mode.</summary>
    public const string GroundedInstruction = "Ground each finding: write it as <obj>finding<box><xN><yN><xN><yN></box></obj> with bins 0-99.";

    /// <summary>Streams complete sentences (finding texts) as the model produces them.</summary>
    public async IAsyncEnumerable<string> StreamSentencesAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var finding in StreamFindingsAsync(request, cancellationToken).ConfigureAwait(false))
            yield return finding.Text;
    }

    /// <summary>
    /// Streams findings as they are completed: the text so far is parsed exactly as <see cref="DraftAsync"/> parses the
    /// whole output, and every finding but the last (which may still grow) is released once. The findings streamed are
    /// therefore those <see cref="DraftAsync"/> returns for the same output.
    /// </summary>
    /// <param name="request">The study.</param>
    /// <param name="cancellationToken">Cancels the generation.</param>
    /// <param name="completed">Called once at the end with the whole parsed result (raw text, malformed counts, impression).</param>
    public async IAsyncEnumerable<DraftFinding> StreamFindingsAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken,
        Action<DraftResult>? completed = null)
    {
        var (messages, options) = Build(request);
        var text = new StringBuilder();
        var released = 0;
        long? promptTokens = null;
        ChatFinishReason? finish = null;
        await foreach (var update in chat.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            foreach (var usage in update.Contents.OfType<UsageContent>()) promptTokens = usage.Details.InputTokenCount ?? promptTokens;
            finish = update.FinishReason ?? finish;
            if (string.IsNullOrEmpty(update.Text)) continue;
            text.Append(update.Text);
            var findings = Parse(text.ToString(), request.FrontalGeometry).Findings;
            for (; released < findings.Count - 1; released++) yield return findings[released];
        }
        var final = Finish(Parse(text.ToString(), request.FrontalGeometry), request, promptTokens, finish == ChatFinishReason.Length);
        for (; released < final.Findings.Count; released++) yield return final.Findings[released];
        completed?.Invoke(final);
    }

    /// <summary>Drafts the whole report and parses it.</summary>
    public async Task<DraftResult> DraftAsync(DraftRequest request, CancellationToken cancellationToken)
    {
        var (messages, options) = Build(request);
        var response = await chat.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        return Finish(Parse(response.Text, request.FrontalGeometry), request, response.Usage?.InputTokenCount, response.FinishReason == ChatFinishReason.Length);
    }

    private static DraftResult Finish(DraftResult parsed, DraftRequest request, long? promptTokens, bool cutOff)
    {
        var result = parsed with { Evidence = request.Evidence ?? [], PromptTokens = promptTokens, Truncated = cutOff };
        // The limit cut the last finding mid-sentence (no impression followed it): keep its whole sentences, leave the fragment out.
        if (cutOff && result.Impression is null && result.Findings.Count > 0 && !EndsCleanly(result.RawText))
        {
            var last = result.Findings[^1];
            var end = last.Text.LastIndexOfAny(['.', '!', '?']);
            var kept = result.Findings.Take(result.Findings.Count - 1).ToList();
            if (end > 0) kept.Add(last with { Text = last.Text[..(end + 1)] });
            result = result with { Findings = kept };
        }
        return request.Modality == "ct" ? result with { ByOrganSystem = OrganSystems.Group(result.Findings.Select(f => f.Text)) } : result;
    }

    /// <summary>
    /// Parses model output: findings (grounded or plain) from the text before an <c>IMPRESSION:</c> header, the
    /// impression after it (the prompt asks for findings; a model may still add one).
    /// </summary>
    public static DraftResult Parse(string output, CropGeometry? geometry)
    {
        output ??= "";
        var impressionAt = ImpressionHeader().Match(output);
        var findingsText = impressionAt.Success ? output[..impressionAt.Index] : output;
        var impression = impressionAt.Success ? output[(impressionAt.Index + impressionAt.Length)..].Trim() : null;
        var parsed = GroundedReportParser.Parse(findingsText, geometry);
        return new DraftResult(parsed.Findings, output, parsed.MalformedBoxes, parsed.MalformedObjects)
        {
            Impression = string.IsNullOrEmpty(impression) ? null : impression,
        };
    }

    // The output stops after a whole sentence or a closed grounded object.
    private static bool EndsCleanly(string text) =>
        text.TrimEnd() is { Length: > 0 } t && (t[^1] is '.' or '!' or '?' || t.EndsWith("</obj>", StringComparison.Ordinal));

    [GeneratedRegex(@"\bIMPRESSION\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex ImpressionHeader();

    /// <summary>The messages (text + images as DataContent) and options for a request.</summary>
    public (List<ChatMessage> Messages, ChatOptions Options) Build(DraftRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var prompt = prompts[promptName];
        var messages = prompt.Render(new Dictionary<string, object?>
        {
            ["indication"] = OrNa(request.Indication), ["technique"] = OrNa(request.Technique),
            ["comparison"] = OrNa(request.Comparison), ["prior_report"] = OrNa(request.PriorReport),
            ["similar_studies"] = request.Evidence is { Count: > 0 } evidence
                ? evidence.Select(e => new Dictionary<string, object?> { ["id"] = e.StudyId, ["similarity"] = e.Similarity.ToString("F3", CultureInfo.InvariantCulture), ["findings"] = e.Findings.Trim() }).ToList()
                : null,
        }).ToList();
        var user = messages.LastOrDefault(m => m.Role == ChatRole.User) ?? throw new InvalidOperationException($"prompt {promptName} has no user message");
        // Images first, in MAIRA-2's order: frontal, lateral, prior frontal.
        var images = new List<AIContent>();
        if (attachImages)
        {
            if (request.SeriesSlices is { Count: > 0 } slices)
            {
                // Each slice after a line naming its place. It also keeps two images from touching: llama-server fails a
                // prompt with two identical images side by side ("Chunk not found"), and blank end slices can be identical.
                for (var i = 0; i < slices.Count; i++)
                {
                    images.Add(new TextContent(SliceLabel(i, slices.Count)));
                    images.Add(Content(slices[i]));
                }
            }
            else images.Add(Content(request.Frontal));
            if (request.Lateral is { } lateral) images.Add(Content(lateral));
            if (request.PriorFrontal is { } prior) images.Add(Content(prior));
        }
        var contents = images.Concat(user.Contents).ToList();
        if (request.Grounded) contents.Add(new TextContent(GroundedInstruction));
        messages[messages.IndexOf(user)] = new ChatMessage(ChatRole.User, contents);
        var options = prompt.CreateChatOptions();
        if (request.MaxOutputTokens is { } max) options.MaxOutputTokens = max;
        return (messages, options);
    }

    /// <summary>The line before the <paramref name="index"/>-th (from 0) of <paramref name="count"/> CT slices sent as images.</summary>
    public static string SliceLabel(int index, int count) => string.Create(CultureInfo.InvariantCulture, $"CT slice {index + 1} of {count}:");

    // The decoded pixels ride along as the content's raw representation: the chat client hands them to the embedding provider.
    private static DataContent Content(StudyImage image) => new(image.Bytes, image.MediaType) { RawRepresentation = image.Decoded };

    private static string OrNa(string? value) => string.IsNullOrWhiteSpace(value) ? "N/A" : value.Trim();
}
