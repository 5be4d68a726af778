namespace ReportGen.Api.Hosting;

/// <summary>The request needs a model this service does not have configured: a 503 naming the field that asked for it.</summary>
/// <param name="field">The request field that chose the model-backed path (<c>method</c>, <c>model</c>).</param>
/// <param name="message">What is missing and how to do without it.</param>
/// <param name="code">A stable machine-readable reason.</param>
public sealed class ModelNotConfiguredException(string field, string message, string code = "not_configured") : Exception(message)
{
    /// <summary>The request field that asked for a model.</summary>
    public string Field { get; } = field;

    /// <summary>A stable machine-readable reason (<c>not_configured</c>, <c>no_model_set</c>).</summary>
    public string Code { get; } = code;
}
