using System.Diagnostics;
using System.Text.Json;

namespace ReportGen.Api.Tests;

/// <summary>
/// The OpenAPI document passes a real linter: Spectral's <c>spectral:oas</c> ruleset (npm
/// <c>@stoplight/spectral-cli</c>, pinned), run over the document the service serves. Errors fail the test; the
/// warnings are printed so a change that adds some is visible.
/// </summary>
public class OpenApiLintTests : IClassFixture<ReportsApiTests.Host>
{
    private const string Package = "@stoplight/spectral-cli";
    private const string Version = "6.15.0";
    private readonly ApiFactory _factory;

    public OpenApiLintTests(ReportsApiTests.Host host) => _factory = host.Factory;

    [Fact]
    public async Task Spectral_finds_no_errors_in_the_document()
    {
        var ct = TestContext.Current.CancellationToken;
        NodeTools.RequireNodeAndNpm("linting the OpenAPI document with Spectral");
        var tools = await NodeTools.EnsurePackageAsync(Package, Version, "REPORTGEN_SPECTRAL_DIR", ct);
        using var client = _factory.CreateClient();
        var document = await client.GetStringAsync("/openapi/v1.json", ct);

        var dir = Directory.CreateTempSubdirectory("reportgen-spectral-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "openapi.json"), document, ct);
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, ".spectral.json"), """{"extends": ["spectral:oas"]}""", ct);
            var cli = Path.Combine(tools, "node_modules", Package, "dist", "index.js");
            var (_, output) = await NodeTools.RunAsync(new ProcessStartInfo("node", [cli, "lint", "openapi.json", "--ruleset", ".spectral.json", "--format", "json", "--quiet"])
            {
                WorkingDirectory = dir.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }, TimeSpan.FromMinutes(2), ct);
            // Spectral exits 1 on any error; the JSON list (severity 0 = error, 1 = warning) says which.
            var start = output.IndexOf('[', StringComparison.Ordinal);
            start.ShouldBeGreaterThanOrEqualTo(0, $"spectral printed no result list: {output}");
            var findings = JsonDocument.Parse(output[start..(output.LastIndexOf(']') + 1)]).RootElement.EnumerateArray()
                .Select(f => (Severity: f.GetProperty("severity").GetInt32(), Line: $"{f.GetProperty("code").GetString()} at {string.Join('.', f.GetProperty("path").EnumerateArray().Select(p => p.ToString()))}: {f.GetProperty("message").GetString()}"))
                .ToList();
            var errors = findings.Where(f => f.Severity == 0).Select(f => f.Line).ToList();
            var warnings = findings.Where(f => f.Severity == 1).Select(f => f.Line).ToList();
            TestContext.Current.TestOutputHelper?.WriteLine($"spectral {Version} spectral:oas: {errors.Count} errors, {warnings.Count} warnings");
            foreach (var line in warnings) TestContext.Current.TestOutputHelper?.WriteLine("warning: " + line);
            errors.ShouldBeEmpty(string.Join('\n', errors));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
