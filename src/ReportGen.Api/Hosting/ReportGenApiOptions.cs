using System.ComponentModel.DataAnnotations;

namespace ReportGen.Api.Hosting;

/// <summary>The service's settings (section <c>ReportGen</c>), validated at start-up.</summary>
public sealed class ReportGenApiOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "ReportGen";

    /// <summary>Accepted API keys. Required outside Development (start-up fails without them).</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>Requests per minute per API key (or per client address when auth is off).</summary>
    [Range(1, 1_000_000)] public int RateLimitPerMinute { get; set; } = 600;

    /// <summary>Largest accepted request body in bytes (images included).</summary>
    [Range(1024, 1L << 31)] public long MaxRequestBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Largest accepted image file (one multipart part) in bytes.</summary>
    [Range(1024, 1L << 31)] public long MaxImageBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Origins allowed to call the API from a browser (the editor plugin's pages).</summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>Folder for durable state (batch job journals). Default: REPORTGEN_DATA, else ~/.local/share/reportgen.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Default request deadline in seconds; a request running longer is cancelled with 504.</summary>
    [Range(1, 3600)] public int RequestTimeoutSeconds { get; set; } = 120;

    /// <summary>
    /// The largest <c>max_tokens</c> a chat completion may ask for (a larger value is a 400 naming the field). The
    /// pipelines' own limits live with their front doors: drafting <c>DraftStudyBuilder.MaxOutputTokens</c>, judging
    /// <c>JudgeSettings.MaxOutputTokens</c>.
    /// </summary>
    [Range(1, 1 << 20)] public int MaxChatTokens { get; set; } = 32768;

    /// <summary>Set by the host: whether the environment is Development (auth may be off only there).</summary>
    internal bool IsDevelopment { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsDevelopment && ApiKeys.Count == 0)
            yield return new ValidationResult("ReportGen:ApiKeys must name at least one key outside Development (e.g. ReportGen__ApiKeys__0__Key=...)", [nameof(ApiKeys)]);
        foreach (var (key, i) in ApiKeys.Select((k, i) => (k, i)))
        {
            if (string.IsNullOrWhiteSpace(key.Key) || key.Key.Length < 16)
                yield return new ValidationResult($"ReportGen:ApiKeys:{i}:Key must be at least 16 characters", [nameof(ApiKeys)]);
        }
        foreach (var origin in CorsOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out _))
                yield return new ValidationResult($"ReportGen:CorsOrigins: '{origin}' is not an absolute URL", [nameof(CorsOrigins)]);
        }
    }

    /// <summary>The data folder actually used.</summary>
    public string ResolveDataDirectory() =>
        DataDirectory
        ?? Environment.GetEnvironmentVariable("REPORTGEN_DATA")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "reportgen");
}

/// <summary>One API key: a name for logs and rate limits, and the secret.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>Shown in logs and metrics instead of the key.</summary>
    public string Name { get; set; } = "default";

    /// <summary>The secret clients send in <c>X-Api-Key</c> or <c>Authorization: Bearer</c>.</summary>
    public string Key { get; set; } = "";
}
