using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace ReportGen.Pipelines;

/// <summary>
/// Where a pipeline records a failure it turns into a result (a judge's "failed" status, an eval example it counts as
/// invalid): logged with the exception's type, message and stack, and counted on the meter <c>ReportGen.Pipelines</c>
/// (<c>reportgen_pipeline_failures{stage, exception}</c> at <c>/metrics</c>). Never report text: the caller names the
/// texts involved and a message that quotes four words in a row of one (a remote server echoing the prompt) is withheld.
/// </summary>
public static partial class PipelineFailures
{
    /// <summary>The meter's name (a prefix the API's exporter listens to).</summary>
    public const string MeterName = "ReportGen.Pipelines";

    private const int QuoteWords = 4;
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Failures = Meter.CreateCounter<long>("reportgen_pipeline_failures",
        description: "Failures a pipeline turned into a result (a judge's failed model call), by stage and exception type");

    /// <summary>Logs and counts one failure.</summary>
    /// <param name="logger">The caller's logger; null logs nothing (the failure is still counted).</param>
    /// <param name="stage">What failed, e.g. <c>judge-green</c>, <c>judge-radfact</c>.</param>
    /// <param name="exception">The failure.</param>
    /// <param name="reportTexts">The report texts the failed call carried: a message quoting them is not logged.</param>
    public static void Record(ILogger? logger, string stage, Exception exception, params string?[] reportTexts)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Failures.Add(1, new KeyValuePair<string, object?>("stage", stage), new KeyValuePair<string, object?>("exception", exception.GetType().Name));
        if (logger is null) return;
        var message = Quotes(exception.Message, reportTexts) ? "(withheld: it quotes the report)" : exception.Message;
        // The exception object itself is not passed on: its ToString() would carry the unredacted message of every inner exception.
        Failed(logger, stage, exception.GetType().FullName, message, exception.InnerException?.GetType().FullName, exception.StackTrace);
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning,
        Message = "{Stage} failed and is recorded as failed: {ExceptionType}: {ExceptionMessage} (inner: {InnerType})\n{StackTrace}")]
    private static partial void Failed(ILogger logger, string stage, string? exceptionType, string exceptionMessage, string? innerType, string? stackTrace);

    // True when the message holds QuoteWords consecutive words of a report text (case-insensitive).
    internal static bool Quotes(string message, IEnumerable<string?> reportTexts)
    {
        var words = Words(message);
        if (words.Count < QuoteWords) return false;
        var shingles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in reportTexts)
        {
            if (text is null) continue;
            var reportWords = Words(text);
            for (var i = 0; i + QuoteWords <= reportWords.Count; i++) shingles.Add(string.Join(' ', reportWords.Skip(i).Take(QuoteWords)));
        }
        for (var i = 0; i + QuoteWords <= words.Count; i++)
            if (shingles.Contains(string.Join(' ', words.Skip(i).Take(QuoteWords)))) return true;
        return false;
    }

    private static List<string> Words(string text) => [.. WordPattern().Matches(text).Select(m => m.Value.ToLowerInvariant())];

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordPattern();
}
