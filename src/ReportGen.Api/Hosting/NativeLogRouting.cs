using ReportGen.Llama.Native;
using ReportGen.Onnx.Native;

namespace ReportGen.Api.Hosting;

/// <summary>
/// The one place a host sends the native runtimes' own logs (llama.cpp, ggml and libmtmd through <see cref="LlamaLog"/>;
/// ONNX Runtime through <see cref="OrtLog"/>) to its <see cref="ILogger"/>s. Those logs are process-wide, so a host
/// calls this once, at start-up: the service with its JSON logger, the CLI with its stderr lines.
/// </summary>
public static class NativeLogRouting
{
    /// <summary>Log category of llama.cpp's, ggml's and libmtmd's lines.</summary>
    public const string LlamaCategory = "llama.cpp";

    /// <summary>Log category of ONNX Runtime's lines.</summary>
    public const string OnnxRuntimeCategory = "onnxruntime";

    /// <summary>Routes every native log to a logger of <paramref name="loggers"/> (levels below
    /// <see cref="LlamaLog.MinimumLevel"/> are still dropped before they reach it).</summary>
    public static void RouteTo(ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        LlamaLog.RouteTo(loggers.CreateLogger(LlamaCategory));
        OrtLog.RouteTo(loggers.CreateLogger(OnnxRuntimeCategory));
    }
}
