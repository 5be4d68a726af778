using System.Text.Json;
using Microsoft.Extensions.AI;

namespace ReportGen.Pipelines.Prompts;

/// <summary>
/// The <c>execution_settings.default</c> block of a prompt file (Semantic Kernel / OpenAI names), mapped onto
/// <see cref="ChatOptions"/> by <see cref="ToChatOptions"/>.
/// </summary>
/// <param name="Temperature"><c>temperature</c>.</param>
/// <param name="TopP"><c>top_p</c>.</param>
/// <param name="TopK"><c>top_k</c>.</param>
/// <param name="MaxTokens"><c>max_tokens</c> (or <c>max_output_tokens</c>).</param>
/// <param name="Seed"><c>seed</c>.</param>
/// <param name="FrequencyPenalty"><c>frequency_penalty</c>.</param>
/// <param name="PresencePenalty"><c>presence_penalty</c>.</param>
/// <param name="StopSequences"><c>stop_sequences</c>.</param>
/// <param name="ModelId"><c>model_id</c>.</param>
/// <param name="ResponseFormat"><c>response_format</c>: "text", "json_object", or a JSON schema.</param>
/// <param name="ResponseSchema">The JSON schema when <c>response_format</c> carries one.</param>
/// <param name="ResponseSchemaName">The schema's name, when given.</param>
public sealed record PromptExecutionSettings(
    double? Temperature = null,
    double? TopP = null,
    int? TopK = null,
    int? MaxTokens = null,
    long? Seed = null,
    double? FrequencyPenalty = null,
    double? PresencePenalty = null,
    IReadOnlyList<string>? StopSequences = null,
    string? ModelId = null,
    string? ResponseFormat = null,
    JsonElement? ResponseSchema = null,
    string? ResponseSchemaName = null)
{
    /// <summary>Keys understood under <c>execution_settings.default</c>; anything else is a load error (typos must not pass silently).</summary>
    public static IReadOnlySet<string> Keys { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "temperature", "top_p", "top_k", "max_tokens", "max_output_tokens", "seed", "frequency_penalty",
        "presence_penalty", "stop_sequences", "model_id", "response_format",
    };

    /// <summary>A fresh <see cref="ChatOptions"/> (callers may change it) carrying these settings.</summary>
    public ChatOptions ToChatOptions()
    {
        var options = new ChatOptions
        {
            Temperature = (float?)Temperature,
            TopP = (float?)TopP,
            TopK = TopK,
            MaxOutputTokens = MaxTokens,
            Seed = Seed,
            FrequencyPenalty = (float?)FrequencyPenalty,
            PresencePenalty = (float?)PresencePenalty,
            ModelId = ModelId,
            StopSequences = StopSequences is null ? null : [.. StopSequences],
            ResponseFormat = ResponseSchema is { } schema
                ? ChatResponseFormat.ForJsonSchema(schema.Clone(), ResponseSchemaName)
                : ResponseFormat switch
                {
                    "json_object" => ChatResponseFormat.Json,
                    "text" => ChatResponseFormat.Text,
                    _ => null,
                },
        };
        return options;
    }
}
