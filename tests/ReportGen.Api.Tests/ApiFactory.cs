using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.Core.Models;
using Microsoft.Extensions.Logging;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>The real service in-process (real pipelines, native runtimes, small models), with test keys and a temp data folder.</summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    public const string Key = "test-key-0123456789abcdef";
    private readonly TempDir _data = new();
    private readonly Dictionary<string, string?> _settings;

    public ApiFactory(IDictionary<string, string?>? settings = null, string environment = "Testing")
    {
        Environment = environment;
        _settings = new()
        {
            ["ReportGen:ApiKeys:0:Name"] = "test",
            ["ReportGen:ApiKeys:0:Key"] = Key,
            ["ReportGen:RateLimitPerMinute"] = "100000",
            ["ReportGen:DataDirectory"] = _data.Path,
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) _settings[k] = v;
    }

    public string Environment { get; }

    /// <summary>Every log line the service wrote, to check that no report text leaks.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    public string DataDirectory => _data.Path;

    /// <summary>Where model files are looked for instead of the defaults (e.g. tests/fixtures/onnx for the projectors).</summary>
    public IReadOnlyList<string>? ModelFolders { get; init; }

    /// <summary>Registrations added after the service's own (the last registration of a type wins).</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        foreach (var (k, v) in _settings) builder.UseSetting(k, v);
        builder.ConfigureLogging(l => l.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        if (ModelFolders is { } folders)
            builder.ConfigureTestServices(s => s.AddSingleton(sp => new ModelResolver(sp.GetRequiredService<ModelManifest>(), folders)));
        if (TestServices is { } configure) builder.ConfigureTestServices(configure);
    }

    public HttpClient CreateAuthorizedClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _data.Dispose();
    }
}

/// <summary>Captures formatted log messages (with exception text) from every category.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose() { }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
