using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ReportGen.Api.Tests;

/// <summary>
/// The table of bad requests: every one is a 4xx RFC 7807 problem naming the field at fault, never a 5xx.
/// New endpoints add their rows here.
/// </summary>
public class BadRequestTableTests : IClassFixture<ReportsApiTests.Host>
{
    private readonly ApiFactory _factory;

    public BadRequestTableTests(ReportsApiTests.Host host) => _factory = host.Factory;

    public sealed record Case(string Name, string Method, string Path, string? ContentType, string? Body, int Status, string Field, bool Authorized = true)
    {
        public override string ToString() => Name;
    }

    private static readonly string Huge = new('a', 1_100_000);
    private static readonly string Binary = "\u0000\u0001\u0002PK\u0003\u0004 binary";

    public static TheoryData<Case> Cases() =>
    [
        // structure
        new Case("structure: malformed JSON", "POST", "/v1/reports/structure", "application/json", "{\"text\": ", 400, "text"),
        new Case("structure: JSON array", "POST", "/v1/reports/structure", "application/json", "[1,2]", 400, "body"),
        new Case("structure: text is a number", "POST", "/v1/reports/structure", "application/json", "{\"text\": 42}", 400, "text"),
        new Case("structure: text is an object", "POST", "/v1/reports/structure", "application/json", "{\"text\": {\"a\":1}}", 400, "text"),
        new Case("structure: empty body", "POST", "/v1/reports/structure", "application/json", "", 400, "body"),
        new Case("structure: no body, no content type", "POST", "/v1/reports/structure", null, null, 400, "body"),
        new Case("structure: missing text", "POST", "/v1/reports/structure", "application/json", "{}", 400, "text"),
        new Case("structure: empty text", "POST", "/v1/reports/structure", "application/json", "{\"text\": \"\"}", 400, "text"),
        new Case("structure: whitespace text", "POST", "/v1/reports/structure", "application/json", "{\"text\": \"   \\n \"}", 400, "text"),
        new Case("structure: binary text", "POST", "/v1/reports/structure", "application/json", JsonSerializer.Serialize(new { text = Binary }), 400, "text"),
        new Case("structure: 1 MB of text", "POST", "/v1/reports/structure", "application/json", JsonSerializer.Serialize(new { text = Huge }), 413, "text"),
        new Case("structure: text/plain", "POST", "/v1/reports/structure", "text/plain", "FINDINGS: clear", 415, "Content-Type"),
        new Case("structure: form post", "POST", "/v1/reports/structure", "application/x-www-form-urlencoded", "text=clear", 415, "Content-Type"),
        new Case("structure: xml", "POST", "/v1/reports/structure", "application/xml", "<text>clear</text>", 415, "Content-Type"),
        new Case("structure: unknown engine", "POST", "/v1/reports/structure", "application/json", "{\"text\": \"Lungs clear.\", \"engine\": \"magic\"}", 400, "engine"),
        new Case("structure: llm engine without a model", "POST", "/v1/reports/structure", "application/json", "{\"text\": \"Lungs clear.\", \"engine\": \"llm\"}", 400, "engine"),
        new Case("structure: engine is a number", "POST", "/v1/reports/structure", "application/json", "{\"text\": \"Lungs clear.\", \"engine\": 3}", 400, "engine"),
        new Case("structure: trailing garbage", "POST", "/v1/reports/structure", "application/json", "{\"text\": \"a\"} xyz", 400, "body"),
        new Case("structure: invalid UTF-8 escape", "POST", "/v1/reports/structure", "application/json", "{\"text\": \"\\uZZZZ\"}", 400, "text"),
        new Case("structure: no key", "POST", "/v1/reports/structure", "application/json", "{\"text\": \"a\"}", 401, "X-Api-Key", Authorized: false),
        new Case("structure: GET", "GET", "/v1/reports/structure", null, null, 405, "method"),
        new Case("structure stream: empty text", "POST", "/v1/reports/structure/stream", "application/json", "{\"text\": \"\"}", 400, "text"),
        new Case("structure stream: malformed JSON", "POST", "/v1/reports/structure/stream", "application/json", "{", 400, "body"),
        // classify
        new Case("classify: malformed JSON", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"a\", ", 400, "body"),
        new Case("classify: empty text", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"\", \"taxonomy\": \"chexpert14\"}", 400, "text"),
        new Case("classify: missing text", "POST", "/v1/reports/classify", "application/json", "{\"taxonomy\": \"chexpert14\"}", 400, "text"),
        new Case("classify: binary text", "POST", "/v1/reports/classify", "application/json", JsonSerializer.Serialize(new { text = Binary, taxonomy = "chexpert14" }), 400, "text"),
        new Case("classify: 1 MB of text", "POST", "/v1/reports/classify", "application/json", JsonSerializer.Serialize(new { text = Huge, taxonomy = "chexpert14" }), 413, "text"),
        new Case("classify: unknown taxonomy", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"taxonomy\": \"nope\"}", 400, "taxonomy"),
        new Case("classify: taxonomy is a number", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"taxonomy\": 7}", 400, "taxonomy"),
        new Case("classify: taxonomy and labels", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"taxonomy\": \"chexpert14\", \"labels\": [\"A\"]}", 400, "taxonomy"),
        new Case("classify: neither taxonomy nor labels", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\"}", 400, "taxonomy"),
        new Case("classify: duplicate labels", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"labels\": [\"Edema\", \"edema\"]}", 400, "labels"),
        new Case("classify: empty labels", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"labels\": []}", 400, "labels"),
        new Case("classify: blank labels", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"labels\": [\" \", \"\"]}", 400, "labels"),
        new Case("classify: labels is a string", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"labels\": \"A,B\"}", 400, "labels"),
        new Case("classify: labels hold numbers", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"labels\": [1, 2]}", 400, "labels[0]"),
        new Case("classify: inline taxonomy without labels", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"taxonomy\": {\"id\": \"x\", \"labels\": []}}", 400, "taxonomy"),
        new Case("classify: inline taxonomy is garbage", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"taxonomy\": {\"nonsense\": true}}", 400, "taxonomy"),
        new Case("classify: unknown engine", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"taxonomy\": \"chexpert14\", \"engine\": \"gpt\"}", 400, "engine"),
        new Case("classify: llm engine without a model", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"taxonomy\": \"chexpert14\", \"engine\": \"llm\"}", 400, "engine"),
        new Case("classify: wrong content type", "POST", "/v1/reports/classify", "text/csv", "a,b", 415, "Content-Type"),
        new Case("classify: bad key", "POST", "/v1/reports/classify", "application/json", "{}", 401, "X-Api-Key", Authorized: false),
        new Case("classify stream: unknown taxonomy", "POST", "/v1/reports/classify/stream", "application/json", "{\"text\": \"Lungs clear.\", \"taxonomy\": \"nope\"}", 400, "taxonomy"),
        // jobs
        new Case("jobs: wrong content type", "POST", "/v1/jobs?operation=structure", "application/json", "{\"text\":\"a\"}", 415, "Content-Type"),
        new Case("jobs: no operation", "POST", "/v1/jobs", "application/x-ndjson", "{\"text\":\"a\"}", 400, "operation"),
        new Case("jobs: unknown operation", "POST", "/v1/jobs?operation=teleport", "application/x-ndjson", "{\"text\":\"a\"}", 400, "operation"),
        new Case("jobs: empty body", "POST", "/v1/jobs?operation=structure", "application/x-ndjson", "", 400, "body"),
        new Case("jobs: a line is not JSON", "POST", "/v1/jobs?operation=structure", "application/x-ndjson", "{\"text\":\"a\"}\n{oops", 400, "records[2]"),
        new Case("jobs: a line is an array", "POST", "/v1/jobs?operation=structure", "application/x-ndjson", "[\"a\"]", 400, "records[1]"),
        new Case("jobs: unknown engine", "POST", "/v1/jobs?operation=structure&engine=magic", "application/x-ndjson", "{\"text\":\"a\"}", 400, "engine"),
        new Case("jobs: llm engine without a model", "POST", "/v1/jobs?operation=structure&engine=llm", "application/x-ndjson", "{\"text\":\"a\"}", 400, "engine"),
        new Case("jobs: unknown taxonomy", "POST", "/v1/jobs?operation=classify&taxonomy=nope", "application/x-ndjson", "{\"text\":\"a\"}", 400, "taxonomy"),
        new Case("jobs: duplicate labels", "POST", "/v1/jobs?operation=classify&labels=A,a", "application/x-ndjson", "{\"text\":\"a\"}", 400, "labels"),
        new Case("jobs: unknown job", "GET", "/v1/jobs/0123456789abcdef", null, null, 404, "id"),
        new Case("jobs: unknown job results", "GET", "/v1/jobs/0123456789abcdef/results", null, null, 404, "id"),
        new Case("jobs: no key", "POST", "/v1/jobs?operation=structure", "application/x-ndjson", "{\"text\":\"a\"}", 401, "X-Api-Key", Authorized: false),
        // chat completions
        new Case("chat: no messages", "POST", "/v1/chat/completions", "application/json", "{\"messages\": []}", 400, "messages"),
        new Case("chat: messages missing", "POST", "/v1/chat/completions", "application/json", "{}", 400, "messages"),
        new Case("chat: bad role", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]}", 400, "messages[0].role"),
        new Case("chat: content is a number", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": 5}]}", 400, "messages[0].content"),
        new Case("chat: bad content part", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"audio\"}]}]}", 400, "messages[0].content[0]"),
        new Case("chat: remote image URL", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"http://example.org/x.png\"}}]}]}", 400, "messages[0].content[0].image_url.url"),
        new Case("chat: max_tokens 0", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 0}", 400, "max_tokens"),
        new Case("chat: temperature 5", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temperature\": 5}", 400, "temperature"),
        new Case("chat: temperature is text", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temperature\": \"hot\"}", 400, "temperature"),
        new Case("chat: bad response_format", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"response_format\": {\"type\": \"xml\"}}", 400, "response_format"),
        new Case("chat: json_schema without schema", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"response_format\": {\"type\": \"json_schema\"}}", 400, "response_format"),
        new Case("chat: stop is a number", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stop\": 3}", 400, "stop"),
        new Case("chat: malformed JSON", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [", 400, "messages[0]"),
        // everything else
        new Case("unknown route", "GET", "/v1/nothing-here", null, null, 404, "path"),
        new Case("models: POST", "POST", "/v1/models", "application/json", "{}", 405, "method"),
        new Case("models: no key", "GET", "/v1/models", null, null, 401, "X-Api-Key", Authorized: false),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_requests_get_a_4xx_problem_naming_the_field(Case c)
    {
        using var client = c.Authorized ? _factory.CreateAuthorizedClient() : _factory.CreateClient();
        var request = new HttpRequestMessage(new HttpMethod(c.Method), c.Path);
        if (c.Body is not null || c.ContentType is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(c.Body ?? ""));
            if (c.ContentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(c.ContentType);
        }
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        ((int)response.StatusCode).ShouldBe(c.Status, text);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", text);
        var problem = JsonDocument.Parse(text).RootElement;
        problem.GetProperty("status").GetInt32().ShouldBe(c.Status);
        problem.GetProperty("field").GetString().ShouldBe(c.Field, text);
    }

    [Fact]
    public void The_table_has_at_least_fifty_rows() => Cases().Count.ShouldBeGreaterThanOrEqualTo(50);
}
