namespace ReportGen.Llama;

/// <summary>One message handed to a chat template.</summary>
/// <param name="Role">system, user or assistant.</param>
/// <param name="Content">The message text.</param>
public sealed record LlamaChatTurn(string Role, string Content);
