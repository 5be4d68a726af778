using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportGen.Api.Hosting;
using ReportGen.Llama;
using ReportGen.Llama.Native;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>The native runtimes' logs are process-wide: these tests run alone, so no other service re-routes them meanwhile.</summary>
[CollectionDefinition(nameof(NativeLogCollection), DisableParallelization = true)]
public sealed class NativeLogCollection;

[Collection(nameof(NativeLogCollection))]
public class NativeLogTests
{
    [Fact]
    public async Task A_llama_cpp_log_line_reaches_the_services_logger()
    {
        await using var factory = new ApiFactory();
        _ = factory.Services; // builds the service, which routes the native logs at start-up
        using var dir = new TempDir();
        var notGguf = Path.Combine(dir.Path, "not-a-model.gguf");
        await File.WriteAllTextAsync(notGguf, "this is not a GGUF file", TestContext.Current.CancellationToken);

        // llama.cpp rejects the file and says why in its own log (an error line from its GGUF reader).
        await Should.ThrowAsync<LlamaException>(() => LlamaModel.LoadAsync(notGguf, cancellationToken: TestContext.Current.CancellationToken));

        var native = factory.Logs.Lines.Where(l => l.Contains($" {NativeLogRouting.LlamaCategory}: ", StringComparison.Ordinal)).ToArray();
        native.ShouldNotBeEmpty("no llama.cpp line reached the service's logger");
        native.ShouldContain(l => l.StartsWith($"{LogLevel.Error} ", StringComparison.Ordinal) && l.Contains("gguf", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Llama_cpp_levels_map_to_logger_levels()
    {
        LlamaLog.ToLogLevel(LlamaLogLevel.Debug).ShouldBe(LogLevel.Debug);
        LlamaLog.ToLogLevel(LlamaLogLevel.Info).ShouldBe(LogLevel.Information);
        LlamaLog.ToLogLevel(LlamaLogLevel.Warning).ShouldBe(LogLevel.Warning);
        LlamaLog.ToLogLevel(LlamaLogLevel.Error).ShouldBe(LogLevel.Error);
    }
}
