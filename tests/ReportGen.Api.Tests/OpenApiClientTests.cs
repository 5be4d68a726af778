using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>
/// A client generated from the service's own OpenAPI document works against the real service on a loopback port:
/// <c>openapi-typescript</c> turns <c>/openapi/v1.json</c> into types, <c>tsc --strict</c> checks
/// tests/openapi-client/client.mts (typed calls through <c>openapi-fetch</c>) against them, and node runs it, checking
/// every answer's status and JSON body against the document with <c>ajv</c>. All pinned npm packages. A path, parameter
/// or field the document gets wrong fails the type check or the run; two lying copies of the document (a renamed path,
/// a required field the service does not send) must fail, so the check is shown to bite. Needs node and npm; skips
/// with the reason when they are absent.
/// </summary>
public sealed class OpenApiClientTests
{
    private const string Generator = "openapi-typescript";
    private const string GeneratorVersion = "7.13.0";
    private static readonly string[] Companions = ["openapi-fetch@0.17.0", "typescript@5.9.3", "@types/node@20.19.9", "ajv@8.17.1"];

    [Fact]
    public async Task A_client_generated_from_the_document_structures_classifies_judges_runs_jobs_and_reads_problems()
    {
        var ct = TestContext.Current.CancellationToken;
        NodeTools.RequireNodeAndNpm("generating a client from the OpenAPI document");
        var tools = await NodeTools.EnsurePackageAsync(Generator, GeneratorVersion, "REPORTGEN_OPENAPI_CLIENT_DIR", ct, Companions);

        const string Key = "openapi-client-test-key-0123456789";
        using var data = new TempDir();
        await using var app = ReportGenApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing", "--ReportGen:ApiKeys:0:Name=client", $"--ReportGen:ApiKeys:0:Key={Key}",
            $"--ReportGen:DataDirectory={data.Path}"]);
        await app.StartAsync(ct);
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        string document;
        using (var http = new HttpClient { BaseAddress = new Uri(url) }) document = await http.GetStringAsync("/openapi/v1.json", ct);

        // Inside the tools folder, so node and tsc find the packages in its node_modules.
        var work = Directory.CreateDirectory(Path.Combine(tools, "run-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var (exit, output) = await GenerateAndCompile(tools, work, document, ct);
            exit.ShouldBe(0, output);
            (exit, output) = await RunClient(work, url, Key, ct);
            TestContext.Current.TestOutputHelper?.WriteLine(output);
            exit.ShouldBe(0, output);
            output.ShouldContain("ok - a batch job runs to its end and its results come back");
            output.ShouldContain("ok - a bad request is a 400 problem naming the field");
            output.ShouldNotContain("not ok");

            // The compiled client over a document whose schema promises a field the service does not send: the run fails.
            var promising = JsonNode.Parse(document)!;
            promising["components"]!["schemas"]!["ClassifyResponse"]!["required"]!.AsArray().Add("confidence");
            await File.WriteAllTextAsync(Path.Combine(work, "openapi.json"), promising.ToJsonString(), ct);
            (exit, output) = await RunClient(work, url, Key, ct);
            exit.ShouldNotBe(0, output);
            output.ShouldContain("required property 'confidence'");

            // The same steps over a document that lies about one path: the generated client no longer compiles.
            var lying = JsonNode.Parse(document)!;
            var paths = lying["paths"]!.AsObject();
            var classify = paths["/v1/reports/classify"]!;
            paths.Remove("/v1/reports/classify");
            paths["/v1/reports/classification"] = classify;
            (exit, output) = await GenerateAndCompile(tools, work, lying.ToJsonString(), ct);
            exit.ShouldNotBe(0, "tsc accepted a client whose document lacks /v1/reports/classify");
            output.ShouldContain("/v1/reports/classify");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            await app.StopAsync(ct);
        }
    }

    // openapi-typescript writes schema.ts from the document; tsc --strict checks client.mts against it and emits client.mjs.
    private static async Task<(int Exit, string Output)> GenerateAndCompile(string tools, string work, string document, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(work, "openapi.json"), document, ct);
        File.Copy(RepoFiles.Path("tests", "openapi-client", "client.mts"), Path.Combine(work, "client.mts"), overwrite: true);
        var modules = Path.Combine(tools, "node_modules");
        var (exit, output) = await NodeTools.RunAsync(Node(work, Path.Combine(modules, Generator, "bin", "cli.js"), "openapi.json", "--output", "schema.ts"), TimeSpan.FromMinutes(2), ct);
        if (exit != 0) return (exit, "openapi-typescript: " + output);
        (exit, output) = await NodeTools.RunAsync(Node(work, Path.Combine(modules, "typescript", "bin", "tsc"), "--strict", "--target", "es2022", "--module", "nodenext",
            "--moduleResolution", "nodenext", "--skipLibCheck", "client.mts"), TimeSpan.FromMinutes(2), ct);
        return (exit, "tsc: " + output);
    }

    private static Task<(int Exit, string Output)> RunClient(string work, string url, string key, CancellationToken ct) =>
        NodeTools.RunAsync(new ProcessStartInfo("node", [Path.Combine(work, "client.mjs")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["REPORTGEN_URL"] = url, ["REPORTGEN_KEY"] = key },
        }, TimeSpan.FromMinutes(2), ct);

    private static ProcessStartInfo Node(string work, string script, params string[] arguments) => new("node", [script, .. arguments])
    {
        WorkingDirectory = work,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
}
