using ReportGen.Core.Hosting;

namespace ReportGen.TestSupport;

/// <summary>Paths into this checkout (prompts, models/models.json, fixtures).</summary>
public static class RepoFiles
{
    /// <summary>The checkout root; tests always run from a checkout.</summary>
    public static string Root => Workspace.RepoRoot ?? throw new InvalidOperationException("tests must run from a ReportGen checkout");

    /// <summary>A path under the checkout root.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);
}
