namespace ReportGen.Eval.Reporting;

/// <summary>
/// One evaluation run: a report to fill, provenance that starts its clock now, and <see cref="Finish"/> to write
/// DIR/results.json and DIR/report.html. Typical use in a suite:
/// <code>
/// var run = new EvalRun("judge", outDir);
/// run.Provenance.SetData(dataPath);
/// run.Report.AddMetric("logical_f1", f1).AddBarChart(...);
/// var written = run.Finish();
/// </code>
/// </summary>
public sealed class EvalRun
{
    /// <summary>Starts a run writing into <paramref name="outputDirectory"/>.</summary>
    public EvalRun(string suite, string outputDirectory, string? title = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        OutputDirectory = outputDirectory;
        Report = new EvalReport(suite, title);
        Provenance = new RunProvenance();
    }

    /// <summary>Where the files go.</summary>
    public string OutputDirectory { get; }
    /// <summary>Metrics, plots, tables and items.</summary>
    public EvalReport Report { get; }
    /// <summary>Models, prompts, data, git commit, timestamps, machine.</summary>
    public RunProvenance Provenance { get; }

    /// <summary>Stamps the end time and writes both files.</summary>
    public WrittenResults Finish()
    {
        Provenance.FinishedUtc = DateTimeOffset.UtcNow;
        return ResultsWriter.Write(OutputDirectory, Report, Provenance);
    }
}
