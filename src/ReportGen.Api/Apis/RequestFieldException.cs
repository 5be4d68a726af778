namespace ReportGen.Api.Apis;

/// <summary>A request field is wrong: a 4xx naming it.</summary>
public sealed class RequestFieldException(string field, string message, int status, string? code = null) : Exception(message)
{
    /// <summary>The request field at fault, as the client spelt it (the problem's <c>field</c>).</summary>
    public string Field { get; } = field;
    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;
    /// <summary>A machine-readable code, when there is one (e.g. the image decoder's).</summary>
    public string? Code { get; } = code;
}
