using Microsoft.Extensions.Logging;

namespace ReportGen.Cli;

/// <summary>
/// The CLI's loggers for the native runtimes' own logs: each line goes to stderr as <c>category: text</c>
/// (<c>llama.cpp: ...</c>, <c>onnxruntime: ...</c>), as before they went through <see cref="ILogger"/>; stdout stays
/// the command's result. Which lines come is set by <c>LlamaLog.MinimumLevel</c> (<c>--verbose</c>, <c>REPORTGEN_LLAMA_LOG</c>).
/// </summary>
internal sealed class NativeLogLines(TextWriter stderr) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new Logger(stderr, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("the CLI's native log lines have one sink: stderr");

    public void Dispose() { }

    private sealed class Logger(TextWriter stderr, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            lock (stderr) stderr.WriteLine($"{category}: {formatter(state, exception)}");
        }
    }
}
