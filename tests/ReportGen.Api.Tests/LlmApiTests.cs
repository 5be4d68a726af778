using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.Api.Hosting;
using ReportGen.Llama;
using ReportGen.Pipelines.Remote;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>The hosted LLM (real llama.cpp, stories260K) behind /v1/chat/completions and the LLM engines.</summary>
public class LlmApiTests
{
    internal static ApiFactory Factory(int sequences = 4, int queue = 16, int contextSize = 1024, bool reusePromptPrefix = true, bool unifiedKvCache = true)
    {
        SharedData.Model("stories260K.gguf");
        return new ApiFactory(new Dictionary<string, string?>
        {
            ["ReportGen:Llm:ReusePromptPrefix"] = reusePromptPrefix ? "true" : "false",
            ["ReportGen:Llm:Model"] = "stories260k",
            ["ReportGen:Llm:ContextSize"] = contextSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ReportGen:Llm:Threads"] = "1",
            ["ReportGen:Llm:Sequences"] = sequences.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ReportGen:Llm:QueueCapacity"] = queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ReportGen:Llm:UnifiedKvCache"] = unifiedKvCache ? "true" : "false",
        });
    }

    /// <summary>The service hosting iu-xray-tiny-llama on one thread, with these other <c>ReportGen:Llm</c> settings.</summary>
    private static ApiFactory ReportModelFactory(params (string Key, string Value)[] llm)
    {
        SharedData.Model("iu-xray-tiny-llama.gguf");
        var settings = new Dictionary<string, string?> { ["ReportGen:Llm:Model"] = "iu-xray-tiny-llama", ["ReportGen:Llm:Threads"] = "1" };
        foreach (var (key, value) in llm) settings["ReportGen:Llm:" + key] = value;
        return new ApiFactory(settings);
    }

    internal static async Task WaitReady(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await client.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("model did not load");
            await Task.Delay(50);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_repeated_prompt_reuses_the_kept_prefix_unless_turned_off_and_answers_the_same(bool reuse)
    {
        await using var factory = Factory(sequences: 2, reusePromptPrefix: reuse);
        using var client = factory.CreateAuthorizedClient();
        await WaitReady(client);
        var ct = TestContext.Current.CancellationToken;
        const string shared = "Once upon a time, there was a little girl named Lily. She liked to play in the park. One day, ";
        var answers = new List<string?>();
        var usages = new List<JsonElement>();
        foreach (var ending in new[] { "the sun was hot", "the sun was hot", "a big bird flew by" })
        {
            var response = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = shared + ending } }, max_tokens = 16, temperature = 0 }, ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(ct));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            answers.Add(body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
            usages.Add(body.GetProperty("usage"));
        }
        // Streamed with include_usage: the last chunk's usage carries the cached tokens too.
        var streamed = await client.PostAsJsonAsync("/v1/chat/completions",
            new { messages = new[] { new { role = "user", content = shared + "Mom said" } }, max_tokens = 16, temperature = 0, stream = true, stream_options = new { include_usage = true } }, ct);
        var events = (await streamed.Content.ReadAsStringAsync(ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        usages.Add(JsonDocument.Parse(events[^2].Trim()["data: ".Length..]).RootElement.GetProperty("usage"));

        answers[1].ShouldBe(answers[0]);
        var cached = usages.Select(u => u.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64()).ToArray();
        var prompt = usages.Select(u => u.GetProperty("prompt_tokens").GetInt64()).ToArray();
        cached[0].ShouldBe(0);
        var reused = LoadTests.Gauge(await client.GetStringAsync("/metrics", ct), "reportgen_reused_prompt_tokens");
        if (reuse)
        {
            // OpenAI's usage.prompt_tokens_details.cached_tokens: all but the last token of a repeated prompt, the shared
            // instruction of the others; /metrics counts the same tokens.
            cached[1].ShouldBe(prompt[1] - 1);
            cached[2].ShouldBeGreaterThan(20);
            cached[3].ShouldBeGreaterThan(20);
            reused.ShouldBeGreaterThanOrEqualTo(cached.Sum());
        }
        else
        {
            cached.ShouldAllBe(c => c == 0);
            reused.ShouldBe(0);
        }
    }

    [Fact]
    public async Task Chat_completions_answer_like_openai_plain_streamed_and_schema_constrained()
    {
        await using var factory = Factory();
        using var client = factory.CreateAuthorizedClient();
        await WaitReady(client);
        var ct = TestContext.Current.CancellationToken;

        var plain = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 20, temperature = 0 }, ct);
        plain.StatusCode.ShouldBe(HttpStatusCode.OK, await plain.Content.ReadAsStringAsync(ct));
        var body = await plain.Content.ReadFromJsonAsync<JsonElement>(ct);
        body.GetProperty("object").GetString().ShouldBe("chat.completion");
        body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString().ShouldNotBeNullOrWhiteSpace();
        body.GetProperty("usage").GetProperty("completion_tokens").GetInt64().ShouldBeGreaterThan(0);

        var streamed = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 20, temperature = 0, stream = true }, ct);
        streamed.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var events = (await streamed.Content.ReadAsStringAsync(ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        events[^1].Trim().ShouldBe("data: [DONE]");
        var text = string.Concat(events[..^1].Select(e => JsonDocument.Parse(e.Trim()["data: ".Length..]).RootElement.GetProperty("choices")[0].GetProperty("delta"))
            .Select(d => d.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : ""));
        text.ShouldBe(body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        var schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer"}},"required":["name","age"]}""").RootElement;
        var constrained = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            messages = new[] { new { role = "user", content = "Lily" } },
            max_tokens = 60,
            temperature = 1.0,
            response_format = new { type = "json_schema", json_schema = new { name = "person", schema } },
        }, ct);
        constrained.StatusCode.ShouldBe(HttpStatusCode.OK, await constrained.Content.ReadAsStringAsync(ct));
        var json = JsonDocument.Parse((await constrained.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!).RootElement;
        json.GetProperty("age").ValueKind.ShouldBe(JsonValueKind.Number);
    }

    [Fact]
    public async Task Chat_streams_speak_openai_delta_chunks_usage_on_request_the_loaded_model_and_a_fingerprint()
    {
        await using var factory = Factory();
        using var client = factory.CreateAuthorizedClient();
        await WaitReady(client);
        var ct = TestContext.Current.CancellationToken;
        var plain = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "whatever-the-client-says", messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 8 }, ct);
        var body = await plain.Content.ReadFromJsonAsync<JsonElement>(ct);
        body.GetProperty("model").GetString().ShouldBe("stories260k");
        var fingerprint = body.GetProperty("system_fingerprint").GetString()!;
        fingerprint.ShouldStartWith("fp_");
        body.GetProperty("choices")[0].TryGetProperty("delta", out _).ShouldBeFalse();

        var streamed = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "whatever-the-client-says",
            messages = new[] { new { role = "user", content = "Once upon a time" } },
            max_tokens = 8,
            stream = true,
            stream_options = new { include_usage = true },
        }, ct);
        var chunks = (await streamed.Content.ReadAsStringAsync(ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Trim()["data: ".Length..]).Where(d => d != "[DONE]").Select(d => JsonDocument.Parse(d).RootElement).ToList();
        foreach (var chunk in chunks)
        {
            chunk.GetProperty("object").GetString().ShouldBe("chat.completion.chunk");
            chunk.GetProperty("model").GetString().ShouldBe("stories260k");
            chunk.GetProperty("system_fingerprint").GetString().ShouldBe(fingerprint);
            // A chunk's choice carries delta only: "message": null breaks the OpenAI SDK's stream helper.
            foreach (var choice in chunk.GetProperty("choices").EnumerateArray()) choice.TryGetProperty("message", out _).ShouldBeFalse();
        }
        // include_usage: the last chunk has no choices and the whole answer's usage; the others have none.
        chunks[^1].GetProperty("choices").GetArrayLength().ShouldBe(0);
        chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt64().ShouldBe(body.GetProperty("usage").GetProperty("completion_tokens").GetInt64());
        chunks[..^1].ShouldAllBe(c => c.GetProperty("usage").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task A_post_counts_as_arriving_from_its_first_byte_until_it_is_answered()
    {
        // The count the scheduler's admission wait reads (ArrivalCounting): a request whose body is still coming is on its way.
        await using var factory = Factory();
        using var client = factory.CreateAuthorizedClient();
        await WaitReady(client);
        var ct = TestContext.Current.CancellationToken;
        var arrivals = factory.Services.GetRequiredService<ArrivalGauge>();
        arrivals.Requests.ShouldBe(0, "the readiness GETs are not counted");
        var body = System.Text.Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":4}""");
        var rest = new TaskCompletionSource();
        // TestServer's own client: the factory's default one buffers a request body before sending it (to follow redirects).
        using var streaming = factory.Server.CreateClient();
        streaming.DefaultRequestHeaders.Add("X-Api-Key", ApiFactory.Key);
        var answer = streaming.PostAsync("/v1/chat/completions", new HeldBackContent(body, rest.Task), ct);
        await ArrivalCountingTests.Until(() => arrivals.Requests == 1, "the request was not counted while its body was coming");
        rest.SetResult();
        (await answer).StatusCode.ShouldBe(HttpStatusCode.OK);
        await ArrivalCountingTests.Until(() => arrivals.Requests == 0, "the answered request is still counted");
    }

    // A JSON body whose second half is sent only once `rest` completes.
    private sealed class HeldBackContent : HttpContent
    {
        private readonly byte[] body;
        private readonly Task rest;

        public HeldBackContent(byte[] body, Task rest)
        {
            (this.body, this.rest) = (body, rest);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
            await stream.FlushAsync();
            await rest;
            await stream.WriteAsync(body.AsMemory(body.Length / 2));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }

    [Fact]
    public async Task With_a_kv_stream_per_sequence_a_prompt_longer_than_one_stream_is_a_400_naming_the_split()
    {
        // 1024 tokens split between 4 sequences: 256 each. The same prompt is answered with one unified cache.
        var prompt = string.Concat(Enumerable.Repeat("Once upon a time, there was a little girl named Lily. ", 30));
        var ct = TestContext.Current.CancellationToken;
        foreach (var unified in new[] { false, true })
        {
            await using var factory = Factory(unifiedKvCache: unified);
            using var client = factory.CreateAuthorizedClient();
            await WaitReady(client);
            var response = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = prompt } }, max_tokens = 4 }, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (unified)
            {
                response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
                continue;
            }
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
            text.ShouldContain("each sequence's context holds 256 (1024 split between 4 sequences)");
        }
    }

    [Fact]
    public async Task At_the_default_settings_the_kv_cache_is_unified_so_the_services_own_long_prompts_fit()
    {
        // The labelling prompt (taxonomy, few-shot examples, report) takes ~1,000 tokens: more than one stream of the
        // default 4096 split between 8 sequences. A stream per sequence by default refused every LLM pipeline's prompt.
        await using var factory = ReportModelFactory();
        using var client = factory.CreateAuthorizedClient();
        await WaitReady(client);
        factory.Services.GetRequiredService<LlmHost>().UnifiedKvCache.ShouldBe(true);
        var response = await client.PostAsJsonAsync("/v1/reports/classify", new
        {
            text = "FINDINGS: The heart is normal in size. There is a small left pleural effusion. IMPRESSION: Small left pleural effusion.",
            taxonomy = "chexpert14", engine = "llm",
        }, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Ignore_eos_generates_exactly_max_tokens()
    {
        // The report model ends a report with end-of-generation well before 100 tokens (stories260K never does).
        await using var factory = ReportModelFactory(("ContextSize", "256"), ("Sequences", "1"));
        using var client = factory.CreateAuthorizedClient();
        await WaitReady(client);
        var ct = TestContext.Current.CancellationToken;
        async Task<JsonElement> Ask(bool ignoreEos) => await (await client.PostAsJsonAsync("/v1/chat/completions",
            new { messages = new[] { new { role = "user", content = "FINDINGS:" } }, max_tokens = 100, ignore_eos = ignoreEos }, ct)).Content.ReadFromJsonAsync<JsonElement>(ct);
        var natural = await Ask(false);
        natural.GetProperty("usage").GetProperty("completion_tokens").GetInt64().ShouldBeLessThan(100);
        natural.GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("stop");
        var forced = await Ask(true);
        forced.GetProperty("usage").GetProperty("completion_tokens").GetInt64().ShouldBe(100);
        forced.GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("length");
    }

    [Fact]
    public async Task Llm_and_hybrid_structuring_run_through_the_hosted_model()
    {
        await using var factory = Factory();
        using var client = factory.CreateAuthorizedClient();
        await WaitReady(client);
        foreach (var engine in new[] { "llm", "hybrid" })
        {
            var response = await client.PostAsJsonAsync("/v1/reports/structure", new { text = "FINDINGS: No pleural effusion.", engine }, TestContext.Current.CancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            body.GetProperty("provenance").GetProperty("engine").GetString().ShouldBe(engine);
            var model = body.GetProperty("provenance").GetProperty("models")[0];
            model.GetProperty("id").GetString().ShouldBe("stories260k");
            model.GetProperty("sha256").GetString().ShouldBe("270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d");
            ShouldNamePromptFile(body.GetProperty("provenance"), "structure-radgraph");
            body.GetProperty("diagnostics").ValueKind.ShouldBe(JsonValueKind.Object);
        }
        var rules = await client.PostAsJsonAsync("/v1/reports/structure", new { text = "FINDINGS: No pleural effusion." }, TestContext.Current.CancellationToken);
        (await rules.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("provenance").GetProperty("prompt").ValueKind.ShouldBe(JsonValueKind.Null);

        // Batch results carry the same provenance as the endpoint's.
        var job = await client.PostAsync("/v1/jobs?operation=structure&engine=llm", JobsApiTests.Jsonl([JsonSerializer.Serialize(new { id = "a", text = "FINDINGS: No pleural effusion." })]), TestContext.Current.CancellationToken);
        job.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await JobsApiTests.WaitForCompletion(client, job.Headers.Location!.ToString(), TimeSpan.FromSeconds(120));
        var line = JsonDocument.Parse(await client.GetStringAsync(job.Headers.Location + "/results", TestContext.Current.CancellationToken)).RootElement;
        line.GetProperty("result").GetProperty("provenance").GetProperty("models")[0].GetProperty("id").GetString().ShouldBe("stories260k");
        ShouldNamePromptFile(line.GetProperty("result").GetProperty("provenance"), "structure-radgraph");
    }

    // The prompt in provenance is the file the service loaded: its name and the SHA-256 of its bytes as PromptLibrary computes it.
    private static void ShouldNamePromptFile(JsonElement provenance, string name)
    {
        var prompt = provenance.GetProperty("prompt");
        prompt.GetProperty("name").GetString().ShouldBe(name);
        var expected = ReportGen.Pipelines.Prompts.PromptLibrary.Load(RepoFiles.Path("prompts"))[name].ContentHash;
        expected.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(RepoFiles.Path("prompts", name + ".yaml")))));
        prompt.GetProperty("sha256").GetString().ShouldBe(expected);
    }

    [Fact]
    public async Task Llm_classification_runs_mosaic_style_through_the_hosted_model()
    {
        await using var factory = Factory(contextSize: 4096);
        using var client = factory.CreateAuthorizedClient();
        await WaitReady(client);
        var response = await client.PostAsJsonAsync("/v1/reports/classify",
            new { text = "No pleural effusion. Small pneumothorax.", labels = new[] { "Pleural Effusion", "Pneumothorax" }, engine = "llm" }, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        // stories260K is no radiologist: the mechanics (prompt, constrained JSON, parsing, mapping) are what is checked.
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        var body = JsonDocument.Parse(text).RootElement;
        body.GetProperty("labels").EnumerateObject().Select(p => p.Name).ShouldBe(["Pleural Effusion", "Pneumothorax"]);
        body.GetProperty("labels").EnumerateObject().ShouldAllBe(p => p.Value.GetString() != null);
        body.GetProperty("provenance").GetProperty("engine").GetString().ShouldBe("llm");
        body.GetProperty("provenance").GetProperty("models")[0].GetProperty("id").GetString().ShouldBe("stories260k");
        ShouldNamePromptFile(body.GetProperty("provenance"), "classify-mosaic");
    }

    [Fact]
    public async Task A_prompt_too_long_for_the_context_is_a_400_not_a_500()
    {
        await using var factory = Factory();
        using var client = factory.CreateAuthorizedClient();
        await WaitReady(client);
        var longText = string.Join(' ', Enumerable.Repeat("once upon a time there was a little girl", 400));
        var response = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = longText } }, max_tokens = 5 }, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, text);
        JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString().ShouldBe("model_input_rejected");
    }

    [Fact]
    public async Task A_full_queue_is_503_with_retry_after_and_nothing_else_fails()
    {
        await using var factory = Factory(sequences: 1, queue: 1);
        using var client = factory.CreateAuthorizedClient();
        await WaitReady(client);
        // Half of them streamed: a streamed request that cannot start is a 503 problem too, not a 200 stream that breaks.
        var requests = Enumerable.Range(0, 12).Select(i => client.PostAsJsonAsync("/v1/chat/completions",
            new { messages = new[] { new { role = "user", content = "Once upon a time" } }, max_tokens = 60, temperature = 0, stream = i % 2 == 1 }, TestContext.Current.CancellationToken));
        var responses = await Task.WhenAll(requests);
        responses.ShouldContain(r => r.StatusCode == HttpStatusCode.OK);
        var rejected = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToList();
        rejected.ShouldNotBeEmpty("12 concurrent requests on 1 sequence + 1 queue slot must overflow");
        rejected.ShouldAllBe(r => r.StatusCode == HttpStatusCode.ServiceUnavailable && r.Headers.RetryAfter != null);
        foreach (var rejection in rejected)
        {
            // OpenAI's error shape on the OpenAI-compatible route.
            rejection.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
            JsonDocument.Parse(await rejection.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("server_error");
        }
        foreach (var stream in responses.Where(r => r.StatusCode == HttpStatusCode.OK && r.Content.Headers.ContentType!.MediaType == "text/event-stream"))
            (await stream.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).TrimEnd().ShouldEndWith("data: [DONE]");
    }

    [Fact]
    public async Task The_remote_openai_client_works_against_the_service_on_loopback()
    {
        SharedData.Model("stories260K.gguf");
        using var data = new TempDir();
        await using var server = await ServerProcess.StartAsync(data.Path, environment: new Dictionary<string, string>
        {
            ["ReportGen__Llm__Model"] = "stories260k",
            ["ReportGen__Llm__ContextSize"] = "1024",
            ["ReportGen__Llm__Threads"] = "1",
        });
        using var http = server.CreateClient();
        await WaitReady(http);
        using var remote = new OpenAiCompatibleChatClient(server.CreateClient(), "stories260k");
        var options = new ChatOptions { MaxOutputTokens = 20, Temperature = 0 };
        var response = await remote.GetResponseAsync([new ChatMessage(ChatRole.User, "Once upon a time")], options, TestContext.Current.CancellationToken);
        response.Text.ShouldNotBeNullOrWhiteSpace();
        var streamed = "";
        await foreach (var update in remote.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Once upon a time")], options, TestContext.Current.CancellationToken))
            streamed += update.Text;
        streamed.ShouldBe(response.Text);
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}""").RootElement;
        var json = await remote.GetResponseAsync([new ChatMessage(ChatRole.User, "Lily")],
            new ChatOptions { MaxOutputTokens = 20, ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "ok") }, TestContext.Current.CancellationToken);
        JsonDocument.Parse(json.Text).RootElement.GetProperty("ok").ValueKind.ShouldBeOneOf(JsonValueKind.True, JsonValueKind.False);
    }
}
