using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReportGen.Cli.Commands;

/// <summary>How every <c>bench --json</c> file is written.</summary>
internal static class BenchJson
{
    /// <summary>
    /// Indented, and a ratio that is NaN or Infinity is written as such rather than failing the run after minutes of
    /// measuring (a side that streamed no text to time; a CPU time below the clock's resolution on a tiny model).
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
