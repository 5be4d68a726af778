using System.Net;
using System.Text.Json;

namespace ReportGen.Api.Tests;

/// <summary>The built-in OpenAPI document describes every public endpoint, the new ones included.</summary>
public class OpenApiTests : IClassFixture<ReportsApiTests.Host>
{
    private readonly ApiFactory _factory;

    public OpenApiTests(ReportsApiTests.Host host) => _factory = host.Factory;

    [Fact]
    public async Task The_document_lists_every_endpoint_with_its_request_body()
    {
        using var client = _factory.CreateClient();   // open without a key, like health and metrics
        var response = await client.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
        var paths = document.GetProperty("paths");
        foreach (var path in new[]
        {
            "/v1/reports/structure", "/v1/reports/structure/stream", "/v1/reports/classify", "/v1/reports/classify/stream",
            "/v1/reports/judge", "/v1/reports/draft", "/v1/reports/draft/stream", "/v1/reports/complete",
            "/v1/chat/completions", "/v1/jobs", "/v1/jobs/{id}", "/v1/jobs/{id}/results", "/v1/models",
        })
        {
            paths.TryGetProperty(path, out _).ShouldBeTrue($"{path} is missing from /openapi/v1.json (has: {string.Join(", ", paths.EnumerateObject().Select(p => p.Name))})");
        }
        var judge = paths.GetProperty("/v1/reports/judge").GetProperty("post");
        var judgeSchema = judge.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var judgeRequest = document.GetProperty("components").GetProperty("schemas").GetProperty(judgeSchema.GetProperty("$ref").GetString()!.Split('/')[^1]);
        foreach (var side in new[] { "candidate", "reference" })
        {
            // A report is a string or the drafting output object (findings with normalised boxes), and the document says so.
            var kinds = judgeRequest.GetProperty("properties").GetProperty(side).GetProperty("oneOf").EnumerateArray().Select(k => k.GetProperty("type").GetString()).ToArray();
            kinds.ShouldBe(["string", "object"], side);
            var box = judgeRequest.GetProperty("properties").GetProperty(side).GetProperty("oneOf")[1].GetProperty("properties").GetProperty("findings")
                .GetProperty("items").GetProperty("properties").GetProperty("boxes").GetProperty("items");
            box.GetProperty("properties").GetProperty("x_min").GetProperty("maximum").GetDouble().ShouldBe(1);
        }
        judgeRequest.GetProperty("properties").GetProperty("green_format").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ShouldBe(["json", "native"]);
        var draft = paths.GetProperty("/v1/reports/draft").GetProperty("post");
        var form = draft.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data");
        var schemaName = form.GetProperty("schema").GetProperty("$ref").GetString()!.Split('/')[^1];
        var fields = document.GetProperty("components").GetProperty("schemas").GetProperty(schemaName).GetProperty("properties");
        var file = fields.GetProperty("frontal").GetProperty("$ref").GetString()!.Split('/')[^1];
        document.GetProperty("components").GetProperty("schemas").GetProperty(file).GetProperty("format").GetString().ShouldBe("binary");
        foreach (var field in new[] { "lateral", "prior", "prior_report", "indication", "technique", "comparison", "grounded", "modality" })
            fields.TryGetProperty(field, out _).ShouldBeTrue($"draft form field {field} is documented");
        draft.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("application/json", out _).ShouldBeTrue();
        draft.GetProperty("summary").GetString()!.ShouldContain("application/fhir+json");

        // The key every /v1 call needs is in the document, so a generated client sends it.
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        schemes.GetProperty("ApiKey").GetProperty("name").GetString().ShouldBe("X-Api-Key");
        schemes.GetProperty("Bearer").GetProperty("scheme").GetString().ShouldBe("bearer");
        foreach (var path in paths.EnumerateObject().Where(p => p.Name.StartsWith("/v1/", StringComparison.Ordinal)))
            foreach (var operation in path.Value.EnumerateObject())
                operation.Value.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject().Select(s => s.Name)).ShouldBe(["ApiKey", "Bearer"], $"{operation.Name} {path.Name}");
        paths.GetProperty("/health/live").EnumerateObject().Any(o => o.Value.TryGetProperty("security", out var _)).ShouldBeFalse("health stays open");
    }

    [Fact]
    public async Task Every_operation_has_an_id_a_description_a_typed_answer_and_its_errors()
    {
        using var client = _factory.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).RootElement;
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/metrics", "/editor", "/editor/{file}", "/health/live", "/health/ready" })
            paths.TryGetProperty(path, out _).ShouldBeTrue($"{path} is documented");
        var ids = new List<string>();
        var untyped = new List<string>();
        foreach (var path in paths.EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
            {
                var where = $"{operation.Name} {path.Name}";
                ids.Add(operation.Value.GetProperty("operationId").GetString()!);
                operation.Value.GetProperty("description").GetString().ShouldNotBeNullOrWhiteSpace(where);
                var responses = operation.Value.GetProperty("responses");
                foreach (var answer in responses.EnumerateObject().Where(r => r.Name.StartsWith('2')))
                {
                    if (!answer.Value.TryGetProperty("content", out var content)) untyped.Add($"{where} {answer.Name}");
                    else untyped.AddRange(content.EnumerateObject().Where(m => !m.Value.TryGetProperty("schema", out _)).Select(m => $"{where} {answer.Name} {m.Name}"));
                }
                var expected = new List<string>();
                if (path.Name.StartsWith("/v1/", StringComparison.Ordinal)) expected.AddRange(["401", "429"]);
                if (operation.Name == "post") expected.AddRange(["400", "413", "415"]);
                foreach (var status in expected)
                {
                    var content = responses.GetProperty(status).GetProperty("content");
                    var openAi = path.Name.StartsWith("/v1/chat", StringComparison.Ordinal) || path.Name.StartsWith("/v1/models", StringComparison.Ordinal);
                    var media = content.GetProperty(openAi ? "application/json" : "application/problem+json");
                    media.GetProperty("schema").GetProperty("$ref").GetString().ShouldEndWith(openAi ? "OpenAiError" : "ProblemDetails", Case.Sensitive, $"{where} {status}");
                }
            }
        untyped.ShouldBeEmpty("every success answer has a schema");
        ids.Distinct().Count().ShouldBe(ids.Count, "operationIds are unique");

        // required lists only what the handlers reject when missing.
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var (path, required) in new[]
        {
            ("/v1/reports/structure", new[] { "text" }), ("/v1/reports/classify", ["text"]), ("/v1/reports/judge", ["candidate", "reference"]),
            ("/v1/reports/complete", ["context"]),
        })
        {
            var reference = paths.GetProperty(path).GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
            var schema = schemas.GetProperty(reference.Split('/')[^1]);
            var listed = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()).Order().ToArray() : [];
            listed.ShouldBe(required.Order().ToArray(), path);
        }

        var submit = paths.GetProperty("/v1/jobs").GetProperty("post");
        submit.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/x-ndjson", out _).ShouldBeTrue("the job body is NDJSON");
        var operationParameter = submit.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "operation");
        operationParameter.GetProperty("in").GetString().ShouldBe("query");
        operationParameter.GetProperty("required").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Endpoints_with_two_answer_forms_document_both_and_the_json_one_is_typed()
    {
        using var client = _factory.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken)).RootElement;
        var paths = document.GetProperty("paths");
        // A second Produces for 200 used to replace the first, so a generated client saw only the FHIR object or the stream.
        foreach (var (path, type, other) in new[] { ("/v1/reports/structure", "StructureResponse", "application/fhir+json"), ("/v1/chat/completions", "OpenAiChatResponse", "text/event-stream") })
        {
            var content = paths.GetProperty(path).GetProperty("post").GetProperty("responses").GetProperty("200").GetProperty("content");
            content.GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString().ShouldEndWith("/" + type, Case.Sensitive, path);
            content.TryGetProperty(other, out _).ShouldBeTrue($"{path} documents {other}");
        }
        // RadGraph relations are [type, target id] pairs, written by their own converter.
        var relations = document.GetProperty("components").GetProperty("schemas").GetProperty("RadGraphEntity").GetProperty("properties").GetProperty("relations");
        relations.GetProperty("items").GetProperty("items").GetProperty("type").GetString().ShouldBe("string");
        relations.GetProperty("items").GetProperty("maxItems").GetInt32().ShouldBe(2);
    }
}
