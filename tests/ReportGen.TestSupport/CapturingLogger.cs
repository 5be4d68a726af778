using Microsoft.Extensions.Logging;

namespace ReportGen.TestSupport;

/// <summary>An <see cref="ILogger"/> that keeps every entry (level, formatted text, exception), to check what code logs.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly List<(LogLevel Level, string Text, Exception? Exception)> _lines = [];

    /// <summary>A snapshot of the entries so far, in order.</summary>
    public IReadOnlyList<(LogLevel Level, string Text, Exception? Exception)> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines) _lines.Add((logLevel, formatter(state, exception), exception));
    }
}
