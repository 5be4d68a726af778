using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace ReportGen.Onnx.Native;

/// <summary>
/// Routes ONNX Runtime's own log (the process-wide OrtEnv is created with a custom logger) to a managed sink. ORT logs
/// only FATAL (see <see cref="OrtGlobals.Env"/>): every error we act on comes back as a status. By default the lines go
/// to stderr as <c>onnxruntime: ...</c>; hosts call <see cref="RouteTo"/> once at start-up to send them to their
/// <see cref="ILogger"/> instead.
/// </summary>
public static unsafe class OrtLog
{
    private static Action<LogLevel, string> _sink = (_, line) => Console.Error.WriteLine("onnxruntime: " + line);

    /// <summary>Sends ORT's log lines to <paramref name="logger"/> (the message is ORT's text, not a template).</summary>
    public static void RouteTo(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        Volatile.Write(ref _sink, (level, line) => logger.Log(level, default, line, null, static (text, _) => text));
    }

    /// <summary>The callback handed to <c>CreateEnvWithCustomLogger</c> (<c>OrtLoggingFunction</c>).</summary>
    internal static delegate* unmanaged[Cdecl]<IntPtr, OrtLoggingLevel, byte*, byte*, byte*, byte*, void> Callback => &OnLog;

    /// <summary>Hands one line to the sink, as ORT's callback does (tests call it without a native caller).</summary>
    internal static void Write(OrtLoggingLevel severity, string message) => Volatile.Read(ref _sink)(ToLogLevel(severity), message);

    private static LogLevel ToLogLevel(OrtLoggingLevel severity) => severity switch
    {
        OrtLoggingLevel.Verbose => LogLevel.Debug,
        OrtLoggingLevel.Info => LogLevel.Information,
        OrtLoggingLevel.Warning => LogLevel.Warning,
        OrtLoggingLevel.Error => LogLevel.Error,
        _ => LogLevel.Critical,
    };

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(IntPtr param, OrtLoggingLevel severity, byte* category, byte* logId, byte* codeLocation, byte* message)
    {
        try
        {
            Write(severity, Marshal.PtrToStringUTF8((IntPtr)message) ?? "");
        }
        catch
        {
            // A logging failure must never unwind into native code.
        }
    }
}
