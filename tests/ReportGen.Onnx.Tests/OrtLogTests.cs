using Microsoft.Extensions.Logging;
using ReportGen.Onnx.Native;
using ReportGen.TestSupport;

namespace ReportGen.Onnx.Tests;

[Fast] // managed only: no ORT library is loaded
public class OrtLogTests
{
    [Fact]
    public void Ort_log_lines_reach_the_logger_they_are_routed_to_as_plain_text()
    {
        // ORT's env hands its lines to OrtLog's callback, which calls Write; a routed logger gets them as they are.
        var logger = new CapturingLogger();
        OrtLog.RouteTo(logger);
        OrtLog.Write(OrtLoggingLevel.Fatal, "fatal {not a template}");
        OrtLog.Write(OrtLoggingLevel.Warning, "a warning");
        logger.Lines.ShouldContain(l => l.Level == LogLevel.Critical && l.Text == "fatal {not a template}");
        logger.Lines.ShouldContain(l => l.Level == LogLevel.Warning && l.Text == "a warning");
    }
}
