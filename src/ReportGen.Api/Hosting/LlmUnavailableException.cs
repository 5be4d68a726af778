namespace ReportGen.Api.Hosting;

/// <summary>The configured LLM is not (yet) available.</summary>
public sealed class LlmUnavailableException(string message) : Exception(message);
