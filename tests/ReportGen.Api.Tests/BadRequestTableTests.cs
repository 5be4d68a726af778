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

    public sealed record Case(string Name, string Method, string Path, string? ContentType, string? Body, int Status, string Field, bool Authorized = true, byte[]? Bytes = null)
    {
        public override string ToString() => Name;
    }

    /// <summary>A multipart/form-data case: parts are (name, file name or null for a text field, bytes).</summary>
    private static Case Form(string name, string path, int status, string field, params (string Name, string? File, byte[] Data)[] parts)
    {
        var (contentType, body) = Multipart.Build(parts);
        return new Case(name, "POST", path, contentType, null, status, field, Bytes: body);
    }

    private static (string, string?, byte[]) Image(string field, byte[] data) => (field, field + ".png", data);
    private static (string, string?, byte[]) Field(string field, string value) => (field, null, Encoding.UTF8.GetBytes(value));

    private static readonly string Huge = new('a', 1_100_000);
    private static readonly string Binary = "\u0000\u0001\u0002PK\u0003\u0004 binary";

    // A judge body whose candidate (or reference) is the drafting output object with the given findings JSON.
    private static string Judge(string findings, string side = "candidate") =>
        side == "candidate" ? $"{{\"candidate\": {{\"findings\": {findings}}}, \"reference\": \"Lungs clear.\", \"method\": \"radfact\"}}"
            : $"{{\"candidate\": \"Lungs clear.\", \"reference\": {{\"findings\": {findings}}}, \"method\": \"radfact\"}}";

    // A JSON body with bytes that are not UTF-8 (0xFF 0xFE) where "\xff" stands in the template.
    private static Case NotUtf8(string name, string path, string template, string field) =>
        new(name, "POST", path, "application/json", null, 400, field,
            Bytes: [.. template.Split("\\xff").SelectMany((part, i) => i == 0 ? Encoding.UTF8.GetBytes(part) : [0xFF, 0xFE, .. Encoding.UTF8.GetBytes(part)])]);

    private static readonly byte[] Bytes0xFF = Enumerable.Repeat((byte)0xFF, 64).ToArray();

    private static string Box(string xMin, string yMin, string xMax, string yMax) =>
        $"[{{\"text\": \"Left effusion.\", \"boxes\": [{{\"x_min\": {xMin}, \"y_min\": {yMin}, \"x_max\": {xMax}, \"y_max\": {yMax}}}]}}]";

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
        new Case("jobs: unknown classify engine (never read as rules)", "POST", "/v1/jobs?operation=classify&engine=hybrid", "application/x-ndjson", "{\"text\":\"a\"}", 400, "engine"),
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
        new Case("chat: unsupported schema keyword", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"schema\": {\"type\": \"integer\", \"multipleOf\": 3}}}}", 400, "response_format.json_schema.schema"),
        new Case("chat: streamed, unsupported schema keyword", "POST", "/v1/chat/completions", "application/json", "{\"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"schema\": {\"type\": \"array\", \"items\": {\"type\": \"integer\", \"maximum\": 9}}}}}", 400, "response_format.json_schema.schema"),
        new Case("chat: stop is a number", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stop\": 3}", 400, "stop"),
        new Case("chat: malformed JSON", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [", 400, "messages[0]"),
        // judge
        new Case("judge: malformed JSON", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": ", 400, "candidate"),
        new Case("judge: JSON array", "POST", "/v1/reports/judge", "application/json", "[]", 400, "body"),
        new Case("judge: empty body", "POST", "/v1/reports/judge", "application/json", "", 400, "body"),
        new Case("judge: unknown method", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": \"Lungs clear.\", \"reference\": \"Lungs clear.\", \"method\": \"bleu\"}", 400, "method"),
        new Case("judge: method is a number", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": \"Lungs clear.\", \"reference\": \"Lungs clear.\", \"method\": 1}", 400, "method"),
        new Case("judge: missing candidate", "POST", "/v1/reports/judge", "application/json", "{\"reference\": \"Lungs clear.\"}", 400, "candidate"),
        new Case("judge: missing reference", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": \"Lungs clear.\"}", 400, "reference"),
        new Case("judge: blank reference", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": \"Lungs clear.\", \"reference\": \" \"}", 400, "reference"),
        new Case("judge: candidate object without findings", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": {\"text\": \"a\"}, \"reference\": \"Lungs clear.\"}", 400, "candidate.findings"),
        // judge: grounded inputs (the drafting output object) and green_format
        new Case("judge: candidate is a number", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": 42, \"reference\": \"Lungs clear.\"}", 400, "candidate"),
        new Case("judge: reference is an array", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": \"Lungs clear.\", \"reference\": [\"Lungs clear.\"]}", 400, "reference"),
        new Case("judge: candidate is true", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": true, \"reference\": \"Lungs clear.\"}", 400, "candidate"),
        new Case("judge: findings is a string", "POST", "/v1/reports/judge", "application/json", Judge("\"Lungs clear.\""), 400, "candidate.findings"),
        new Case("judge: findings empty", "POST", "/v1/reports/judge", "application/json", Judge("[]"), 400, "candidate.findings"),
        new Case("judge: finding without text", "POST", "/v1/reports/judge", "application/json", Judge("[{\"text\": \"Left effusion.\"}, {\"boxes\": null}]"), 400, "candidate.findings[1].text"),
        new Case("judge: boxes not an array", "POST", "/v1/reports/judge", "application/json", Judge("[{\"text\": \"Left effusion.\", \"boxes\": {\"x_min\": 0.1}}]"), 400, "candidate.findings[0].boxes"),
        new Case("judge: box is a number", "POST", "/v1/reports/judge", "application/json", Judge("[{\"text\": \"Left effusion.\", \"boxes\": [0.1]}]"), 400, "candidate.findings[0].boxes[0]"),
        new Case("judge: box x_min is a string", "POST", "/v1/reports/judge", "application/json", Judge(Box("\"0.1\"", "0.2", "0.3", "0.4")), 400, "candidate.findings[0].boxes[0].x_min"),
        new Case("judge: box without y_max", "POST", "/v1/reports/judge", "application/json", Judge("[{\"text\": \"Left effusion.\", \"boxes\": [{\"x_min\": 0.1, \"y_min\": 0.2, \"x_max\": 0.3}]}]"), 400, "candidate.findings[0].boxes[0].y_max"),
        new Case("judge: box x_max above 1", "POST", "/v1/reports/judge", "application/json", Judge(Box("0.1", "0.2", "1.5", "0.4")), 400, "candidate.findings[0].boxes[0].x_max"),
        new Case("judge: box in pixels", "POST", "/v1/reports/judge", "application/json", Judge(Box("12", "20", "180", "200")), 400, "candidate.findings[0].boxes[0].x_min"),
        new Case("judge: box y_min negative (reference)", "POST", "/v1/reports/judge", "application/json", Judge(Box("0.1", "-0.2", "0.3", "0.4"), side: "reference"), 400, "reference.findings[0].boxes[0].y_min"),
        new Case("judge: box x_min > x_max", "POST", "/v1/reports/judge", "application/json", Judge(Box("0.6", "0.2", "0.3", "0.4")), 400, "candidate.findings[0].boxes[0].x_min"),
        new Case("judge: box y_min > y_max, second box", "POST", "/v1/reports/judge", "application/json", Judge("[{\"text\": \"Effusions.\", \"boxes\": [{\"x_min\": 0.1, \"y_min\": 0.2, \"x_max\": 0.3, \"y_max\": 0.4}, {\"x_min\": 0.1, \"y_min\": 0.9, \"x_max\": 0.3, \"y_max\": 0.4}]}]"), 400, "candidate.findings[0].boxes[1].y_min"),
        new Case("judge: candidate null", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": null, \"reference\": \"Lungs clear.\"}", 400, "candidate"),
        new Case("judge: 1 MB grounded candidate", "POST", "/v1/reports/judge", "application/json", Judge($"[{{\"text\": \"{Huge}\", \"boxes\": null}}]"), 413, "candidate"),
        new Case("judge: unknown green_format", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": \"Lungs clear.\", \"reference\": \"Lungs clear.\", \"method\": \"green\", \"green_format\": \"xml\"}", 400, "green_format"),
        new Case("judge: green_format is a number", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": \"Lungs clear.\", \"reference\": \"Lungs clear.\", \"green_format\": 2}", 400, "green_format"),
        new Case("judge: binary candidate", "POST", "/v1/reports/judge", "application/json", JsonSerializer.Serialize(new { candidate = Binary, reference = "Lungs clear." }), 400, "candidate"),
        new Case("judge: 1 MB candidate", "POST", "/v1/reports/judge", "application/json", JsonSerializer.Serialize(new { candidate = Huge, reference = "Lungs clear." }), 413, "candidate"),
        new Case("judge: 1 MB reference", "POST", "/v1/reports/judge", "application/json", JsonSerializer.Serialize(new { candidate = "Lungs clear.", reference = Huge }), 413, "reference"),
        new Case("judge: max_tokens 0", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": \"Lungs clear.\", \"reference\": \"Lungs clear.\", \"max_tokens\": 0}", 400, "max_tokens"),
        new Case("judge: text/plain", "POST", "/v1/reports/judge", "text/plain", "candidate=a", 415, "Content-Type"),
        new Case("judge: multipart", "POST", "/v1/reports/judge", "multipart/form-data; boundary=x", "--x--", 415, "Content-Type"),
        new Case("judge: GET", "GET", "/v1/reports/judge", null, null, 405, "method"),
        new Case("judge: no key", "POST", "/v1/reports/judge", "application/json", "{}", 401, "X-Api-Key", Authorized: false),
        // draft (multipart); validation comes before the model, so these hold with no model set configured
        new Case("draft: JSON body", "POST", "/v1/reports/draft", "application/json", "{\"frontal\": \"x\"}", 415, "Content-Type"),
        new Case("draft: text/plain", "POST", "/v1/reports/draft", "text/plain", "frontal", 415, "Content-Type"),
        new Case("draft: urlencoded form", "POST", "/v1/reports/draft", "application/x-www-form-urlencoded", "indication=cough", 415, "Content-Type"),
        new Case("draft: no body, no content type", "POST", "/v1/reports/draft", null, null, 415, "Content-Type"),
        Form("draft: missing frontal", "/v1/reports/draft", 400, "frontal", Field("indication", "cough")),
        Form("draft: frontal as a text field", "/v1/reports/draft", 400, "frontal", Field("frontal", "not a file")),
        Form("draft: empty frontal file", "/v1/reports/draft", 400, "frontal", Image("frontal", [])),
        Form("draft: frontal is not an image", "/v1/reports/draft", 400, "frontal", Image("frontal", Encoding.UTF8.GetBytes("FINDINGS: not an image"))),
        Form("draft: corrupt PNG frontal", "/v1/reports/draft", 400, "frontal", Image("frontal", Multipart.CorruptPng())),
        Form("draft: truncated PNG frontal", "/v1/reports/draft", 400, "frontal", Image("frontal", Multipart.Png()[..60])),
        Form("draft: two frontal files", "/v1/reports/draft", 400, "frontal", Image("frontal", Multipart.Png()), Image("frontal", Multipart.Png())),
        Form("draft: corrupt lateral", "/v1/reports/draft", 400, "lateral", Image("frontal", Multipart.Png()), Image("lateral", Multipart.CorruptPng())),
        Form("draft: corrupt prior", "/v1/reports/draft", 400, "prior", Image("frontal", Multipart.Png()), Image("prior", Encoding.UTF8.GetBytes("GIF89a"))),
        Form("draft: lateral as a text field", "/v1/reports/draft", 400, "lateral", Image("frontal", Multipart.Png()), Field("lateral", "x")),
        Form("draft: indication as a file", "/v1/reports/draft", 400, "indication", Image("frontal", Multipart.Png()), Image("indication", Multipart.Png())),
        Form("draft: unknown modality", "/v1/reports/draft", 400, "modality", Image("frontal", Multipart.Png()), Field("modality", "mri")),
        Form("draft: modality ct with a single image", "/v1/reports/draft", 400, "frontal", Image("frontal", Multipart.Png()), Field("modality", "ct")),
        Form("draft: modality ct with a lateral", "/v1/reports/draft", 400, "lateral", Image("frontal", Multipart.Png()), Image("lateral", Multipart.Png()), Field("modality", "ct")),
        Form("draft: grounded is not a boolean", "/v1/reports/draft", 400, "grounded", Image("frontal", Multipart.Png()), Field("grounded", "maybe")),
        Form("draft: max_tokens 0", "/v1/reports/draft", 400, "max_tokens", Image("frontal", Multipart.Png()), Field("max_tokens", "0")),
        Form("draft: max_tokens is text", "/v1/reports/draft", 400, "max_tokens", Image("frontal", Multipart.Png()), Field("max_tokens", "many")),
        Form("draft: binary indication", "/v1/reports/draft", 400, "indication", Image("frontal", Multipart.Png()), Field("indication", Binary)),
        Form("draft: indication too long", "/v1/reports/draft", 413, "indication", Image("frontal", Multipart.Png()), Field("indication", new string('a', 5000))),
        Form("draft: prior_report given twice", "/v1/reports/draft", 400, "prior_report", Image("frontal", Multipart.Png()), Field("prior_report", "a"), Field("prior_report", "b")),
        new Case("draft: malformed multipart", "POST", "/v1/reports/draft", "multipart/form-data; boundary=xyz", "--abc\r\nContent-Disposition: form-data; name=\"frontal\"\r\n\r\nx", 400, "body"),
        new Case("draft: multipart without boundary", "POST", "/v1/reports/draft", "multipart/form-data", "x", 400, "body"),
        Form("draft stream: missing frontal", "/v1/reports/draft/stream", 400, "frontal", Field("indication", "cough")),
        Form("draft stream: corrupt frontal", "/v1/reports/draft/stream", 400, "frontal", Image("frontal", Multipart.CorruptPng())),
        new Case("draft: GET", "GET", "/v1/reports/draft", null, null, 405, "method"),
        new Case("draft: no key", "POST", "/v1/reports/draft", "multipart/form-data; boundary=x", "--x--", 401, "X-Api-Key", Authorized: false),
        // bytes that are not UTF-8, unpaired surrogate escapes, unknown charsets, nulls where objects or strings belong
        NotUtf8("judge: candidate not UTF-8", "/v1/reports/judge", "{\"candidate\": \"a\\xffb\", \"reference\": \"x\", \"method\": \"rules\"}", "candidate"),
        NotUtf8("judge: reference not UTF-8", "/v1/reports/judge", "{\"candidate\": \"x\", \"reference\": \"a\\xff\", \"method\": \"rules\"}", "reference"),
        NotUtf8("judge: findings text not UTF-8", "/v1/reports/judge", "{\"candidate\": {\"findings\": [{\"text\": \"ok\"}, {\"text\": \"\\xff\"}]}, \"reference\": \"x\", \"method\": \"rules\"}", "candidate.findings[1].text"),
        NotUtf8("chat: content not UTF-8", "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"a\\xff\"}]}", "messages[0].content"),
        NotUtf8("chat: content part text not UTF-8", "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"\\xff\"}]}]}", "messages[0].content[0].text"),
        NotUtf8("chat: stop not UTF-8", "/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stop\": [\"\\xff\"]}", "stop[0]"),
        NotUtf8("classify: inline taxonomy not UTF-8", "/v1/reports/classify", "{\"text\": \"Lungs clear.\", \"taxonomy\": {\"id\": \"x\", \"labels\": [{\"name\": \"\\xff\"}]}}", "taxonomy.labels[0].name"),
        new Case("judge: lone surrogate", "POST", "/v1/reports/judge", "application/json", "{\"candidate\": \"a\\ud800b\", \"reference\": \"x\", \"method\": \"rules\"}", 400, "candidate"),
        new Case("chat: lone surrogate", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"\\udc00\"}]}", 400, "messages[0].content"),
        new Case("structure: unknown charset", "POST", "/v1/reports/structure", "application/json; charset=bogus-xyz", "{\"text\": \"Lungs clear.\"}", 415, "Content-Type"),
        new Case("classify: unknown charset", "POST", "/v1/reports/classify", "application/json; charset=bogus-xyz", "{\"text\": \"Lungs clear.\", \"taxonomy\": \"chexpert14\"}", 415, "Content-Type"),
        new Case("judge: unknown charset", "POST", "/v1/reports/judge", "application/json; charset=bogus-xyz", "{\"candidate\": \"a\", \"reference\": \"b\"}", 415, "Content-Type"),
        new Case("chat: unknown charset", "POST", "/v1/chat/completions", "application/json; charset=bogus-xyz", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", 415, "Content-Type"),
        new Case("complete: unknown charset", "POST", "/v1/reports/complete", "application/json; charset=bogus-xyz", "{\"context\": \"a\", \"prefix\": \"b\"}", 415, "Content-Type"),
        new Case("structure stream: unknown charset", "POST", "/v1/reports/structure/stream", "application/json; charset=bogus-xyz", "{\"text\": \"a\"}", 415, "Content-Type"),
        new Case("classify: a null label", "POST", "/v1/reports/classify", "application/json", "{\"text\": \"Lungs clear.\", \"labels\": [null, \"Edema\"]}", 400, "labels[0]"),
        new Case("chat: image_url null", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": null}]}]}", 400, "messages[0].content[0]"),
        new Case("chat: content part null", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": [null]}]}", 400, "messages[0].content[0]"),
        Form("draft: prior_report of 0xFF bytes", "/v1/reports/draft", 400, "prior_report", Image("frontal", Multipart.Png()), ("prior_report", null, Bytes0xFF)),
        Form("draft: indication of 0xFF bytes", "/v1/reports/draft", 400, "indication", Image("frontal", Multipart.Png()), ("indication", null, Bytes0xFF)),
        // everything else
        new Case("unknown route", "GET", "/v1/nothing-here", null, null, 404, "path"),
        new Case("models: POST", "POST", "/v1/models", "application/json", "{}", 405, "method"),
        new Case("models: no key", "GET", "/v1/models", null, null, 401, "X-Api-Key", Authorized: false),
        new Case("models: unknown id", "GET", "/v1/models/no-such-model", null, null, 404, "id"),
        new Case("chat: no key", "POST", "/v1/chat/completions", "application/json", "{}", 401, "X-Api-Key", Authorized: false),
        new Case("chat: n = 2", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"n\": 2}", 400, "n"),
        new Case("chat: logprobs", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"logprobs\": true}", 400, "logprobs"),
        new Case("chat: tools", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]}", 400, "tools"),
        new Case("chat: stream_options not an object", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stream\": true, \"stream_options\": 1}", 400, "stream_options"),
        new Case("chat: ignore_eos with a JSON response_format", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"ignore_eos\": true, \"response_format\": {\"type\": \"json_object\"}}", 400, "ignore_eos"),
        new Case("chat: unknown json_whitespace", "POST", "/v1/chat/completions", "application/json", "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"json_whitespace\": \"lots\"}", 400, "json_whitespace"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_requests_get_a_4xx_problem_naming_the_field(Case c)
    {
        using var client = c.Authorized ? _factory.CreateAuthorizedClient() : _factory.CreateClient();
        var request = new HttpRequestMessage(new HttpMethod(c.Method), c.Path);
        if (c.Body is not null || c.Bytes is not null || c.ContentType is not null)
        {
            request.Content = new ByteArrayContent(c.Bytes ?? Encoding.UTF8.GetBytes(c.Body ?? ""));
            if (c.ContentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(c.ContentType);
        }
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        ((int)response.StatusCode).ShouldBe(c.Status, text);
        if (c.Path.StartsWith("/v1/chat", StringComparison.Ordinal) || c.Path.StartsWith("/v1/models", StringComparison.Ordinal))
        {
            // The OpenAI-compatible routes answer in OpenAI's error shape; param is the field.
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json", text);
            var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
            error.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace();
            error.GetProperty("type").GetString().ShouldBe(c.Status switch { 401 => "authentication_error", 404 => "not_found_error", >= 500 => "server_error", _ => "invalid_request_error" });
            error.GetProperty("param").GetString().ShouldBe(c.Field, text);
            return;
        }
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", text);
        var problem = JsonDocument.Parse(text).RootElement;
        problem.GetProperty("status").GetInt32().ShouldBe(c.Status);
        problem.GetProperty("field").GetString().ShouldBe(c.Field, text);
    }

    [Fact]
    public void The_table_has_at_least_fifty_rows() => Cases().Count.ShouldBeGreaterThanOrEqualTo(50);
}
