using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ReportGen.Api.Tests;

/// <summary>
/// FHIR answers code the findings the lexicon knows exactly (SNOMED CT; present, absent and uncertain alike, since the
/// certainty is the value, not the code), leave the rest as text, and carry the patient and study time only when the
/// request gives them, checked as FHIR writes them.
/// </summary>
public class FhirCodingTests(ReportsApiTests.Host host) : IClassFixture<ReportsApiTests.Host>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpStatusCode Status, JsonElement Body)> Structure(string text, string? subject = null, string? effective = null)
    {
        using var client = host.Factory.CreateAuthorizedClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/reports/structure") { Content = JsonContent.Create(new { text, subject, effective }) };
        request.Headers.Accept.ParseAdd("application/fhir+json");
        var response = await client.SendAsync(request, Ct);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.Clone());
    }

    [Fact]
    public async Task Known_findings_carry_their_snomed_code_whatever_their_certainty()
    {
        var (status, report) = await Structure("FINDINGS: Small left pleural effusion. Possible pneumothorax. No cardiomegaly. Mild bibasilar opacity.");
        status.ShouldBe(HttpStatusCode.OK, report.ToString());
        var observations = report.GetProperty("contained").EnumerateArray().ToList();
        string? Snomed(string word) => observations.Where(o => o.GetProperty("code").GetProperty("text").GetString()!.Contains(word, StringComparison.Ordinal))
            .Select(o => o.GetProperty("code").TryGetProperty("coding", out var c) ? c[0].GetProperty("code").GetString() : null).FirstOrDefault();
        Snomed("effusion").ShouldBe("60046008");        // present, site "left pleural"
        Snomed("pneumothorax").ShouldBe("36118008");    // uncertain
        Snomed("cardiomegaly").ShouldBe("8186001");     // absent
        Snomed("opacity").ShouldBeNull();               // no exact concept: text only
        observations.Where(o => o.GetProperty("code").TryGetProperty("coding", out _))
            .ShouldAllBe(o => o.GetProperty("code").GetProperty("coding")[0].GetProperty("system").GetString() == "http://snomed.info/sct");
        report.TryGetProperty("subject", out _).ShouldBeFalse();
        report.TryGetProperty("effectiveDateTime", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Subject_and_effective_appear_when_given_and_a_malformed_one_is_a_400_naming_it()
    {
        var (status, report) = await Structure("No pneumothorax.", "Patient/abc-1", "2024-05-17T09:30:00+02:00");
        status.ShouldBe(HttpStatusCode.OK, report.ToString());
        report.GetProperty("subject").GetProperty("reference").GetString().ShouldBe("Patient/abc-1");
        report.GetProperty("effectiveDateTime").GetString().ShouldBe("2024-05-17T09:30:00+02:00");
        foreach (var (subject, effective, field) in new (string?, string?, string)[]
        {
            ("Mr Smith", null, "subject"), ("Observation/1", null, "subject"),
            (null, "2024-02-30", "effective"), (null, "17/05/2024", "effective"), (null, "2024-05-17T09:30", "effective"),
        })
        {
            var (bad, problem) = await Structure("No pneumothorax.", subject, effective);
            bad.ShouldBe(HttpStatusCode.BadRequest, problem.ToString());
            problem.GetProperty("field").GetString().ShouldBe(field);
        }
    }
}
