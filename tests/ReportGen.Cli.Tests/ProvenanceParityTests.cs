using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.Api;
using ReportGen.Cli.Commands;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>
/// One provenance, produced by the pipelines (PipelineProvenance), and one judgement record (JudgeReport), printed by
/// both hosts: the same judgement asked of the real service and of <c>reportgen judge</c> has the same fields and names
/// the same engine, rule set, model (id, hash, role) and prompt (name, hash). Only the timings differ. (The draft engine was "llm" in the API and "llama.cpp" in the CLI, and the
/// rules judge's rule set was written differently in each.)
/// </summary>
public class ProvenanceParityTests
{
    private const string Candidate = "Large right pleural effusion. Mild cardiomegaly.";
    private const string Reference = "Small left pleural effusion. Mild cardiomegaly.";

    [Fact]
    public async Task The_api_and_the_cli_give_the_same_judge_record_and_provenance()
    {
        SharedData.Model("stories260K.gguf");   // skips with the reason when ../shared is absent
        var ct = TestContext.Current.CancellationToken;
        await using var app = ReportGenApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Development",
            "--ReportGen:Llm:Model", "stories260k", "--ReportGen:Llm:Sequences", "1", "--ReportGen:Llm:Threads", "1"]);
        await app.StartAsync(ct);
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        foreach (var method in new[] { "rules", "green" })
        {
            var response = await http.PostAsJsonAsync("/v1/reports/judge", new { candidate = Candidate, reference = Reference, method, max_tokens = 8 }, ct);
            var api = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            ((int)response.StatusCode).ShouldBe(200, api.ToJsonString());
            var cli = await Cli(method);
            var (a, c) = (Comparable(api["provenance"]!), Comparable(cli["provenance"]!));
            c.ToJsonString().ShouldBe(a.ToJsonString(), method);
            // One record (JudgeReport): the same fields in both; the rules judge is deterministic, so equal throughout.
            cli.AsObject().Select(p => p.Key).Order().ShouldBe(api.AsObject().Select(p => p.Key).Order(), method);
            if (method == "rules")
            {
                api.AsObject().Remove("provenance");
                cli.AsObject().Remove("provenance");
                cli.ToJsonString().ShouldBe(api.ToJsonString());
            }
            a["engine"]!.GetValue<string>().ShouldBe(method == "rules" ? "rules" : "llm");
            if (method == "green") a["models"]![0]!["id"]!.GetValue<string>().ShouldBe("stories260k");
        }
        await app.StopAsync(ct);
    }

    private static async Task<JsonNode> Cli(string method)
    {
        using var dir = new TempDir();
        var (c, r) = (Path.Combine(dir.Path, "c.txt"), Path.Combine(dir.Path, "r.txt"));
        await File.WriteAllTextAsync(c, Candidate, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(r, Reference, TestContext.Current.CancellationToken);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await JudgeCommand.RunAsync(new JudgeArguments(c, r, method, method == "rules" ? null : "stories260k", "json", 8), stdout, stderr, TestContext.Current.CancellationToken);
        exit.ShouldBe(0, stderr.ToString());
        return JsonNode.Parse(stdout.ToString())!;
    }

    // Everything but when and how long: those differ between any two runs.
    private static JsonObject Comparable(JsonNode provenance)
    {
        var copy = provenance.DeepClone().AsObject();
        copy.ShouldContainKey("elapsed_ms");
        copy.ShouldContainKey("generated_at");
        copy.Remove("elapsed_ms");
        copy.Remove("generated_at");
        return copy;
    }
}
