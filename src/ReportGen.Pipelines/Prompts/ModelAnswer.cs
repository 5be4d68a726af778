using Microsoft.Extensions.AI;
using ReportGen.Core.Json;

namespace ReportGen.Pipelines.Prompts;

/// <summary>What every pipeline checks on a model's answer before reading it.</summary>
public static class ModelAnswer
{
    /// <summary>
    /// True when the token limit cut a constrained JSON answer short (<see cref="ConstrainedOutput.IsCutOff"/>):
    /// the pipeline then reports a truncated result instead of reading a fragment.
    /// </summary>
    public static bool IsCutOff(ChatResponse response) =>
        ConstrainedOutput.IsCutOff(response?.FinishReason == ChatFinishReason.Length, response?.Text);
}
