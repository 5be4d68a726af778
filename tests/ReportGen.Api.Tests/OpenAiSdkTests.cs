using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>
/// The official <c>openai</c> npm SDK (pinned) against the real service on a loopback port with stories260K:
/// listing and retrieving models, plain, streamed (the SDK's <c>stream().finalChatCompletion()</c> helper) and
/// schema-constrained completions, usage on request, and its typed errors (tests/openai-sdk/openai-sdk.mjs holds the
/// steps). Needs node and npm; skips with the reason when they are absent.
/// </summary>
public sealed class OpenAiSdkTests
{
    private const string OpenAiVersion = "7.60.0";

    [Fact]
    public async Task The_official_openai_sdk_lists_models_completes_streams_and_reads_errors()
    {
        var ct = TestContext.Current.CancellationToken;
        SharedData.Model("stories260K.gguf");
        NodeTools.RequireNodeAndNpm("the openai SDK");
        var sdk = await NodeTools.EnsurePackageAsync("openai", OpenAiVersion, "REPORTGEN_OPENAI_SDK_DIR", ct);

        const string Key = "openai-sdk-test-key-0123456789";
        using var data = new TempDir();
        await using var app = ReportGenApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing", "--ReportGen:ApiKeys:0:Name=sdk", $"--ReportGen:ApiKeys:0:Key={Key}",
            "--ReportGen:Llm:Model=stories260k", "--ReportGen:Llm:ContextSize=1024", "--ReportGen:Llm:Threads=1", $"--ReportGen:DataDirectory={data.Path}"]);
        await app.StartAsync(ct);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using (var http = new HttpClient { BaseAddress = new Uri(url) }) await LlmApiTests.WaitReady(http);

        var start = new ProcessStartInfo("node", [RepoFiles.Path("tests", "openai-sdk", "openai-sdk.mjs")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["OPENAI_DIR"] = Path.Combine(sdk, "node_modules", "openai"),
                ["REPORTGEN_URL"] = url,
                ["REPORTGEN_KEY"] = Key,
                ["REPORTGEN_MODEL"] = "stories260k",
            },
        };
        var (exit, output) = await NodeTools.RunAsync(start, TimeSpan.FromMinutes(3), ct);
        await app.StopAsync(ct);
        exit.ShouldBe(0, output);
        output.ShouldContain("ok - chat.completions.stream().finalChatCompletion() rebuilds the same answer");
        output.ShouldContain("ok - an unknown model id is a NotFoundError");
        output.ShouldNotContain("not ok");
    }
}
