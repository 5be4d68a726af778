using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.Api;
using ReportGen.Cli.Commands;
using ReportGen.Eval.Bench;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

/// <summary>
/// The draft front door is one rule set: the same bad study sent to <c>POST /v1/reports/draft</c> (the real service,
/// no model set: validation comes first) and to <c>reportgen draft</c> is refused for the same field, as a 4xx and
/// as exit 2 with one line naming the option.
/// </summary>
public class DraftFrontDoorParityTests
{
    private sealed record Case(string Name, string Field, int Status, (string Field, byte[] Bytes)[] Files, (string Field, string Value)[] Texts);

    [Fact]
    public async Task The_api_and_the_cli_refuse_the_same_study_for_the_same_field()
    {
        var ct = TestContext.Current.CancellationToken;
        var png = File.ReadAllBytes(SharedData.Data("images", "00000001_000.png"));
        var series = SyntheticDicom.CreateCtSeries(slices: 4, size: 32);
        var ctSlice = series[0];
        var zip = SyntheticDicom.Zip(series);
        var corrupt = png[..60];
        var cases = new Case[]
        {
            new("corrupt frontal", "frontal", 400, [("frontal", corrupt)], []),
            new("a prior that is a CT slice", "prior", 400, [("frontal", png), ("prior", ctSlice)], []),
            new("a CT slice as frontal", "frontal", 400, [("frontal", ctSlice)], []),
            new("a CT series as lateral", "lateral", 400, [("frontal", png), ("lateral", zip)], []),
            new("modality ct with a single image", "frontal", 400, [("frontal", png)], [("modality", "ct")]),
            new("modality ct with a lateral", "lateral", 400, [("frontal", zip), ("lateral", png)], [("modality", "ct")]),
            new("unknown modality", "modality", 400, [("frontal", png)], [("modality", "mri")]),
            new("max_tokens 0", "max_tokens", 400, [("frontal", png)], [("max_tokens", "0")]),
            new("binary indication", "indication", 400, [("frontal", png)], [("indication", "cough\u0001")]),
            new("indication too long", "indication", 413, [("frontal", png)], [("indication", new string('a', 5000))]),
            new("binary prior report", "prior_report", 400, [("frontal", png)], [("prior_report", "old\0report")]),
        };

        await using var app = ReportGenApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Development"]);
        await app.StartAsync(ct);
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        using var dir = new TempDir();
        foreach (var c in cases)
        {
            var form = new MultipartFormDataContent();
            foreach (var (field, bytes) in c.Files) form.Add(new ByteArrayContent(bytes), field, field + ".bin");
            foreach (var (field, value) in c.Texts) form.Add(new StringContent(value), field);
            var response = await http.PostAsync("/v1/reports/draft", form, ct);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
            ((int)response.StatusCode).ShouldBe(c.Status, $"{c.Name}: {problem}");
            problem.GetProperty("field").GetString().ShouldBe(c.Field, c.Name);

            string? File(string field)
            {
                if (c.Files.FirstOrDefault(f => f.Field == field).Bytes is not { } bytes) return null;
                var path = Path.Combine(dir.Path, $"{c.Name.Replace(' ', '-')}-{field}.bin");
                System.IO.File.WriteAllBytes(path, bytes);
                return path;
            }
            string? Text(string field) => c.Texts.FirstOrDefault(t => t.Field == field).Value;
            var priorReport = Text("prior_report") is not null ? Path.Combine(dir.Path, "prior-report.txt") : null;
            if (priorReport is not null) System.IO.File.WriteAllText(priorReport, Text("prior_report"));
            var options = new DraftCliOptions
            {
                Image = File("frontal")!, Lateral = File("lateral"), Prior = File("prior"), PriorReport = priorReport,
                Indication = Text("indication"), Modality = Text("modality") ?? "cxr",
                MaxTokens = Text("max_tokens") is { } max ? int.Parse(max, System.Globalization.CultureInfo.InvariantCulture) : null,
            };
            var (stdout, stderr) = (new StringWriter(), new StringWriter());
            (await DraftCommand.RunAsync(options, stdout, stderr, null, ct)).ShouldBe(2, $"{c.Name}: {stderr}");
            var line = stderr.ToString().TrimEnd();
            line.ShouldStartWith($"reportgen draft: {DraftInputs.Option(c.Field)}:", customMessage: c.Name);
            line.ShouldNotContain("\n");
        }
        await app.StopAsync(ct);
    }
}
