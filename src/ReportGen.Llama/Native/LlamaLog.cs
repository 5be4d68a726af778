using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ReportGen.Llama.Native;

/// <summary>Severity of a llama.cpp / ggml log line (<c>enum ggml_log_level</c>).</summary>
public enum LlamaLogLevel
{
    /// <summary>Debug detail.</summary>
    Debug = 1,
    /// <summary>Informational (model loading, context sizes).</summary>
    Info = 2,
    /// <summary>Something looks wrong but loading or decoding goes on (the default <see cref="LlamaLog.MinimumLevel"/>).</summary>
    Warning = 3,
    /// <summary>An operation failed; the managed call that caused it reports the failure too.</summary>
    Error = 4,
    /// <summary>Nothing is written.</summary>
    None = 100,
}

/// <summary>
/// Routes llama.cpp's, ggml's and libmtmd's native log (installed with <c>llama_log_set</c>) to a managed sink. By
/// default warnings and errors go to stderr and the chatty load information is dropped; stdout is never written, so
/// commands whose stdout is a contract stay clean. Hosts call <see cref="RouteTo"/> once at start-up to send the lines
/// to their <see cref="ILogger"/> instead.
/// </summary>
public static unsafe class LlamaLog
{
    private static readonly Lock Gate = new();
    private static readonly StringBuilder Pending = new();
    private static int _pendingLevel = (int)LlamaLogLevel.Info;

    /// <summary>Lines below this level are dropped. Default <see cref="LlamaLogLevel.Warning"/>.</summary>
    public static LlamaLogLevel MinimumLevel { get; set; } =
        Enum.TryParse<LlamaLogLevel>(Environment.GetEnvironmentVariable("REPORTGEN_LLAMA_LOG"), ignoreCase: true, out var l) ? l : LlamaLogLevel.Warning;

    /// <summary>Where complete lines go; default writes <c>llama.cpp: ...</c> to stderr.</summary>
    public static Action<LlamaLogLevel, string> Sink { get; set; } = (_, line) => Console.Error.WriteLine("llama.cpp: " + line);

    /// <summary>Sends every line that passes <see cref="MinimumLevel"/> to <paramref name="logger"/>, at the matching
    /// <see cref="LogLevel"/>, as the log message itself (llama.cpp's text is not a message template).</summary>
    public static void RouteTo(ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        Sink = (level, line) => logger.Log(ToLogLevel(level), default, line, null, static (text, _) => text);
    }

    /// <summary>The <see cref="LogLevel"/> of a llama.cpp level.</summary>
    public static LogLevel ToLogLevel(LlamaLogLevel level) => level switch
    {
        LlamaLogLevel.Debug => LogLevel.Debug,
        LlamaLogLevel.Info => LogLevel.Information,
        LlamaLogLevel.Warning => LogLevel.Warning,
        LlamaLogLevel.Error => LogLevel.Error,
        _ => LogLevel.None,
    };

    [ThreadStatic] private static StringBuilder? _captured;

    /// <summary>Runs a native call and collects the error lines it logs on this thread (e.g. a grammar's parse error).</summary>
    internal static T CaptureErrors<T>(Func<T> call, out string errors)
    {
        var previous = _captured;
        _captured = new StringBuilder();
        try
        {
            var result = call();
            errors = _captured.ToString().Trim();
            return result;
        }
        finally
        {
            _captured = previous;
        }
    }

    /// <summary>Installs the callback; called by <see cref="LlamaLibrary.EnsureInitialised"/> before anything logs.</summary>
    internal static void Install() => LlamaNative.llama_log_set(&OnLog, IntPtr.Zero);

    /// <summary>Installs the same callback for libmtmd, its CLIP encoder and its helpers, which keep loggers of their own.</summary>
    internal static void InstallMtmd() => MtmdNative.mtmd_helper_log_set(&OnLog, IntPtr.Zero);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(int level, byte* text, IntPtr userData)
    {
        try
        {
            var piece = Marshal.PtrToStringUTF8((IntPtr)text) ?? "";
            lock (Gate)
            {
                // GGML_LOG_LEVEL_CONT (5) continues the previous line at its level.
                if (level != 5) _pendingLevel = level;
                Pending.Append(piece);
                if (!piece.EndsWith('\n')) return;
                var line = Pending.ToString().TrimEnd('\n');
                Pending.Clear();
                var lvl = (LlamaLogLevel)_pendingLevel;
                if (_captured is { } c && lvl >= LlamaLogLevel.Warning && line.Length > 0) c.Append(line.Trim()).Append("; ");
                if (lvl >= MinimumLevel && MinimumLevel != LlamaLogLevel.None && line.Length > 0) Sink(lvl, line);
            }
        }
        catch
        {
            // A logging failure must never unwind into native code.
        }
    }
}
