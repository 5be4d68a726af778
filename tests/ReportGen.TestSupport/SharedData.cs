using ReportGen.Core.Hosting;
using Xunit;

namespace ReportGen.TestSupport;

/// <summary>
/// Paths into ../shared (models and data). Tests that need it call <see cref="Require"/>, which skips
/// the test with a visible reason when the folder is absent (a user's fresh clone has no ../shared).
/// </summary>
public static class SharedData
{
    /// <summary>The shared folder, or null.</summary>
    public static string? Root => Workspace.SharedRoot;

    /// <summary>A file or folder under ../shared; skips the calling test when it is missing.</summary>
    public static string Require(params string[] parts)
    {
        if (Root is not { } root)
        {
            Assert.Skip("../shared is absent (set REPORTGEN_SHARED to run this test)");
            return "";
        }
        var path = Path.Combine([root, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            Assert.Skip($"{Path.Combine(parts)} is absent from {root}");
        }
        return path;
    }

    /// <summary>A model file from ../shared/models.</summary>
    public static string Model(string fileName) => Require("models", fileName);

    /// <summary>A data file from ../shared/data.</summary>
    public static string Data(params string[] parts) => Require(["data", .. parts]);
}
