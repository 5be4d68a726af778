using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests.Editor;

/// <summary>
/// The editor plugin in a real browser: Debian's Chromium driven by npm playwright-core (pinned) against the
/// real service on a loopback port (tests/editor-plugin/editor.spec.mjs holds the steps). Needs
/// /usr/bin/chromium (or REPORTGEN_CHROMIUM), node and npm; skips with the reason when they are absent.
/// Screenshots go to artifacts/test-results/editor/.
/// </summary>
public sealed class EditorBrowserTests(CompletionCorpusFixture corpus) : IClassFixture<CompletionCorpusFixture>
{
    private const string PlaywrightVersion = "1.56.1";

    [Fact]
    public async Task Typing_shows_a_suggestion_Tab_inserts_it_and_Esc_removes_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var chromium = Environment.GetEnvironmentVariable("REPORTGEN_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium)) Assert.Skip($"Chromium is not installed at {chromium} (CI: apt-get install -y chromium)");
        NodeTools.RequireNodeAndNpm("playwright-core");
        var playwright = await NodeTools.EnsurePackageAsync("playwright-core", PlaywrightVersion, "REPORTGEN_PLAYWRIGHT_DIR", ct);

        var key = "browser-test-key-0123456789";
        var args = new List<string> { "--urls", "http://127.0.0.1:0", "--environment", "Testing", "--ReportGen:ApiKeys:0:Name=browser", $"--ReportGen:ApiKeys:0:Key={key}" };
        args.AddRange(corpus.Settings.Select(kv => $"--{kv.Key}={kv.Value}"));
        await using var app = ReportGenApp.Build([.. args]);
        await app.StartAsync(ct);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var shots = RepoFiles.Path("artifacts", "test-results", "editor");
        Directory.CreateDirectory(shots);
        var start = new ProcessStartInfo("node", [RepoFiles.Path("tests", "editor-plugin", "editor.spec.mjs")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["REPORTGEN_URL"] = url,
                ["REPORTGEN_KEY"] = key,
                ["PLAYWRIGHT_DIR"] = playwright,
                ["CHROMIUM"] = chromium,
                ["SCREENSHOT_DIR"] = shots,
            },
        };
        var (exit, output) = await NodeTools.RunAsync(start, TimeSpan.FromMinutes(3), ct);
        await app.StopAsync(ct);
        exit.ShouldBe(0, output);
        output.ShouldContain("ok - Tab inserts the suggestion");
        output.ShouldContain("ok - Esc removes the ghost text");
        output.ShouldContain("ok - an Impression: heading asks for an impression sentence");
        File.Exists(Path.Combine(shots, "editor-suggestion.png")).ShouldBeTrue();
        TestContext.Current.SendDiagnosticMessage($"screenshots in {shots}");
    }
}
