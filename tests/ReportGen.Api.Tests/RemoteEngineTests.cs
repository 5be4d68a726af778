using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.Api.Hosting;
using ReportGen.Eval.Bench;
using ReportGen.Pipelines.Remote;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>
/// The service in front of remote inference engines: the real llama-server (cached build, a trained 256-token model)
/// for the pipelines, replicas and a crashed replica; a fake upstream for exact 400/503/slow/broken-stream faults;
/// vLLM's documented response fields.
/// </summary>
public sealed class RemoteEngineTests
{
    private const string Report = "FINDINGS: The heart is normal in size. There is a small left pleural effusion. No pneumothorax. IMPRESSION: Small left effusion.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ApiFactory Service(string remoteUrl, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ReportGen:Llm:RemoteUrl"] = remoteUrl,
            ["ReportGen:Llm:RemoteHealthSeconds"] = "1",
            ["ReportGen:Llm:RemoteTimeoutSeconds"] = "20",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        return new ApiFactory(settings);
    }

    private static async Task<RemoteEnginePool> Pool(ApiFactory factory)
    {
        using var client = factory.CreateAuthorizedClient();
        await LlmApiTests.WaitReady(client);
        return factory.Services.GetRequiredService<LlmHost>().Remote!;
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;

    [Fact]
    public async Task Pipelines_and_chat_through_llama_server_answer_or_refuse_with_a_typed_4xx_never_500()
    {
        await using var llama = await LlamaServerProcess.StartAsync(SharedData.Model("iu-xray-tiny-llama.gguf"));
        await using var factory = Service(llama.Url);
        var pool = await Pool(factory);
        pool.Endpoints[0].Info.ShouldBe(new RemoteEngineInfo(RemoteEngineKind.LlamaServer, pool.Endpoints[0].Info.Model, 256));
        using var client = factory.CreateAuthorizedClient();

        var chat = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Findings:" } }, max_tokens = 16, temperature = 0 }, Ct);
        chat.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Problem(chat)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString().ShouldNotBeNullOrEmpty();
        // The same prompt again: llama-server serves it from its slot's prompt cache, and its cached_tokens reach our caller.
        var again = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Findings:" } }, max_tokens = 16, temperature = 0 }, Ct);
        (await Problem(again)).GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64().ShouldBeGreaterThan(0);

        // Constrained output: llama-server gets our GBNF, and what comes back parses against the schema.
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"effusion":{"type":"boolean"}},"required":["effusion"]}""").RootElement;
        var json = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            messages = new[] { new { role = "user", content = "Effusion?" } }, max_tokens = 40, temperature = 0,
            response_format = new { type = "json_schema", json_schema = new { name = "e", schema } },
        }, Ct);
        json.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = (await Problem(json)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        JsonDocument.Parse(text).RootElement.GetProperty("effusion").ValueKind.ShouldBeOneOf(JsonValueKind.True, JsonValueKind.False);

        // The pipelines' prompts are longer than this model's 256 tokens: refused up front in the engine's terms, a 400.
        var calls = new (string Path, object Body)[]
        {
            ("/v1/reports/structure", new { text = Report, engine = "hybrid" }),
            ("/v1/reports/structure", new { text = Report, engine = "llm" }),
            ("/v1/reports/classify", new { text = Report, engine = "llm", taxonomy = "chexpert14" }),
            ("/v1/reports/judge", new { candidate = Report, reference = "No effusion.", method = "green" }),
        };
        foreach (var (path, body) in calls)
        {
            var response = await client.PostAsJsonAsync(path, body, Ct);
            var content = await response.Content.ReadAsStringAsync(Ct);
            ((int)response.StatusCode).ShouldBeOneOf([200, 400], $"{path}: {content}");
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                var problem = JsonDocument.Parse(content).RootElement;
                problem.GetProperty("code").GetString().ShouldBe("context_exceeded", content);
                problem.GetProperty("detail").GetString()!.ShouldContain("holds 256 tokens");
            }
        }
        // Too long for the context, as a chat: the caller learns it before llama-server is asked to generate.
        var longChat = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = string.Join(' ', Enumerable.Repeat(Report, 10)) } } }, Ct);
        longChat.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        factory.Logs.Lines.ShouldNotContain(l => l.Contains("pleural effusion", StringComparison.OrdinalIgnoreCase));
        var metrics = await client.GetStringAsync("/metrics", Ct);
        metrics.ShouldContain($"reportgen_upstream_errors{{endpoint=\"{llama.Url}\",kind=\"context_exceeded\"}}");
    }

    [Fact]
    public async Task Structure_classify_and_judge_run_through_llama_server_with_its_grammar()
    {
        // The 256-token model's context stretched to 2048 (its metadata overridden): the pipelines' prompts fit, and
        // whatever the tiny model writes under llama-server's grammar must parse as each pipeline's JSON.
        await using var llama = await LlamaServerProcess.StartAsync(SharedData.Model("iu-xray-tiny-llama.gguf"), context: 2048, trainedContext: 2048);
        await using var factory = Service(llama.Url, new Dictionary<string, string?> { ["ReportGen:Llm:RemoteTimeoutSeconds"] = "120" });
        var pool = await Pool(factory);
        pool.Endpoints[0].Info.ContextSize.ShouldBe(2048);
        using var client = factory.CreateAuthorizedClient();
        var calls = new (string Path, object Body)[]
        {
            ("/v1/reports/structure", new { text = Report, engine = "llm" }),
            ("/v1/reports/structure", new { text = Report, engine = "hybrid" }),
            ("/v1/reports/classify", new { text = Report, engine = "llm", labels = new[] { "Pleural Effusion", "Pneumothorax" } }),
            ("/v1/reports/judge", new { candidate = Report, reference = "No effusion.", method = "green" }),
        };
        foreach (var (path, body) in calls)
        {
            var response = await client.PostAsJsonAsync(path, body, Ct);
            var content = await response.Content.ReadAsStringAsync(Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{path}: {content}");
            JsonDocument.Parse(content).RootElement.GetProperty("provenance").GetProperty("models")[0].GetProperty("sha256").GetString().ShouldBe("remote:" + llama.Url);
        }
        factory.Logs.Lines.ShouldNotContain(l => l.Contains("pleural effusion", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task With_one_of_two_replicas_down_every_request_succeeds_and_the_replica_is_probed_back_in()
    {
        var model = SharedData.Model("iu-xray-tiny-llama.gguf");
        await using var up = await LlamaServerProcess.StartAsync(model);
        var downPort = BenchServerProcess.FreePort();
        await using var factory = Service($"{up.Url}, http://127.0.0.1:{downPort}");
        var pool = await Pool(factory);
        var down = pool.Endpoints[1];
        down.Healthy.ShouldBeFalse();
        using var client = factory.CreateAuthorizedClient();
        for (var i = 0; i < 6; i++)
        {
            var response = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Findings:" } }, max_tokens = 8 }, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        // The replica comes up: its next probe (every second here) puts it back, discovered.
        await using var second = await LlamaServerProcess.StartAsync(model, port: downPort);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!down.Healthy && DateTime.UtcNow < deadline) await Task.Delay(100, Ct);
        down.Healthy.ShouldBeTrue(down.LastError);
        down.Info.Kind.ShouldBe(RemoteEngineKind.LlamaServer);
        // Then crashes: a refused connection takes it out, the request is retried on the other, the caller sees 200s.
        await second.KillAsync();
        for (var i = 0; i < 4; i++)
        {
            var response = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Findings:" } }, max_tokens = 8 }, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        down.Healthy.ShouldBeFalse();
        (await client.GetStringAsync("/metrics", Ct)).ShouldContain($"reportgen_upstream_healthy{{endpoint=\"http://127.0.0.1:{downPort}\"}} 0");
    }

    [Fact]
    public async Task Requests_spread_over_two_real_replicas()
    {
        var model = SharedData.Model("iu-xray-tiny-llama.gguf");
        await using var a = await LlamaServerProcess.StartAsync(model);
        await using var b = await LlamaServerProcess.StartAsync(model);
        await using var factory = Service($"{a.Url},{b.Url}");
        var pool = await Pool(factory);
        pool.Endpoints.ShouldAllBe(e => e.Healthy);
        using var client = factory.CreateAuthorizedClient();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            var response = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "Findings:" } }, max_tokens = 16 }, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
        }));
        var metrics = await client.GetStringAsync("/metrics", Ct);
        metrics.ShouldContain($"reportgen_upstream_requests{{endpoint=\"{a.Url}\"}}");
        metrics.ShouldContain($"reportgen_upstream_requests{{endpoint=\"{b.Url}\"}}");
        pool.Endpoints.ShouldAllBe(e => e.Outstanding == 0);
    }

    [Fact]
    public async Task An_upstream_400_is_our_400_in_its_words_and_a_503_our_503_with_its_retry_after_after_retries()
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            if (context.Request.Path != "/v1/chat/completions") { context.Response.StatusCode = 404; return; }
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            if (body.Contains("busy", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = "7";
                await context.Response.WriteAsJsonAsync(new { error = new { code = 503, message = "Loading model", type = "unavailable_error" } });
                return;
            }
            context.Response.StatusCode = 400;
            await context.Response.WriteAsJsonAsync(new { error = new { code = 400, message = "Failed to initialize samplers: failed to parse grammar", type = "invalid_request_error" } });
        });
        await using var factory = Service(upstream.Url, new Dictionary<string, string?> { ["ReportGen:Llm:RemoteRetries"] = "2" });
        await Pool(factory);
        using var client = factory.CreateAuthorizedClient();

        var rejected = await client.PostAsJsonAsync("/v1/reports/structure", new { text = Report, engine = "llm" }, Ct);
        rejected.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await Problem(rejected);
        problem.GetProperty("detail").GetString().ShouldBe("Failed to initialize samplers: failed to parse grammar");
        problem.GetProperty("code").GetString().ShouldBe("upstream_rejected");
        upstream.ChatBodies.Count.ShouldBe(1); // a 400 is not retried

        var busy = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "busy" } } }, Ct);
        busy.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        busy.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(7));
        upstream.ChatBodies.Count.ShouldBe(1 + 3); // a 503 before any token is retried twice
        var metrics = await client.GetStringAsync("/metrics", Ct);
        metrics.ShouldContain($"reportgen_upstream_errors{{endpoint=\"{upstream.Url}\",kind=\"upstream_busy\"}} 3");
        metrics.ShouldContain($"reportgen_upstream_retries{{endpoint=\"{upstream.Url}\",reason=\"upstream_busy\"}} 2");
        factory.Logs.Lines.ShouldContain(l => l.Contains("UpstreamRejectedException", StringComparison.Ordinal) && l.Contains("failed to parse grammar", StringComparison.Ordinal));
        factory.Logs.Lines.ShouldNotContain(l => l.Contains("pleural effusion", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_slow_upstream_is_a_504_an_unreachable_one_a_502()
    {
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            if (context.Request.Path != "/v1/chat/completions") { context.Response.StatusCode = 404; return; }
            await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
        });
        await using var slow = Service(upstream.Url, new Dictionary<string, string?> { ["ReportGen:Llm:RemoteTimeoutSeconds"] = "1" });
        await Pool(slow);
        using (var client = slow.CreateAuthorizedClient())
        {
            var response = await client.PostAsJsonAsync("/v1/reports/classify", new { text = Report, engine = "llm", taxonomy = "chexpert14" }, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
            (await Problem(response)).GetProperty("code").GetString().ShouldBe("upstream_timeout");
        }
        await using var nowhere = Service($"http://127.0.0.1:{BenchServerProcess.FreePort()}", new Dictionary<string, string?> { ["ReportGen:Llm:RemoteRetries"] = "1" });
        await Pool(nowhere);
        using (var client = nowhere.CreateAuthorizedClient())
        {
            var response = await client.PostAsJsonAsync("/v1/reports/structure", new { text = Report, engine = "hybrid" }, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
            (await Problem(response)).GetProperty("code").GetString().ShouldBe("upstream_unreachable");
        }
    }

    [Fact]
    public async Task A_stream_killed_midway_is_not_retried_and_a_cancelled_call_cancels_upstream()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            if (context.Request.Path != "/v1/chat/completions") { context.Response.StatusCode = 404; return; }
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Response.ContentType = "text/event-stream";
            await FakeUpstream.SendEventAsync(context, FakeUpstream.Chunk("The"));
            await FakeUpstream.SendEventAsync(context, FakeUpstream.Chunk(" heart"));
            if (body.Contains("crash", StringComparison.Ordinal))
            {
                // Killed once the client has read what was sent (a reset drops bytes still unread on its side).
                await Task.Delay(500);
                context.Abort();
                return;
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.TrySetResult();
            }
        });
        await using var factory = Service(upstream.Url);
        var pool = await Pool(factory);
        var chat = factory.Services.GetRequiredService<IChatClient>();

        var received = new List<string>();
        var broke = await Should.ThrowAsync<UpstreamUnreachableException>(async () =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "crash")], null, Ct)) received.Add(update.Text);
        });
        received.ShouldBe(["The", " heart"]);
        broke.Message.ShouldContain("after 2 chunks");
        upstream.ChatBodies.Count.ShouldBe(1); // never retried after its first token

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await Should.ThrowAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "wait")], null, cancel.Token))
                if (update.Text == " heart") await cancel.CancelAsync();
        });
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        pool.Endpoints[0].Outstanding.ShouldBe(0);
    }

    [Fact]
    public async Task A_stream_sent_on_a_connection_the_engine_then_closes_goes_again_on_a_new_one_not_a_502()
    {
        // llama-server closes every connection after a streamed answer although it advertised keep-alive; here the close
        // meets the next request every time (on the real server, a race under load).
        await using var server = ClosingStreamServer.Start(ClosingStreamServer.Chat(3));
        await using var pool = new RemoteEnginePool([server.BaseAddress.ToString()]);
        using var chat = new OpenAiCompatibleChatClient(pool, "m");
        for (var i = 0; i < 3; i++)
        {
            var text = "";
            await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], null, Ct)) text += update.Text;
            text.ShouldBe("aaa");
        }
        server.Dropped.ShouldBe(2);
        server.Answered.ShouldBe(3);
        pool.Endpoints[0].Healthy.ShouldBeTrue();
    }

    [Fact]
    public async Task Streams_through_a_real_llama_server_under_concurrency_all_answer_and_it_stays_in_rotation()
    {
        await using var llama = await LlamaServerProcess.StartAsync(SharedData.Model("iu-xray-tiny-llama.gguf"), slots: 4);
        await using var pool = new RemoteEnginePool([llama.Url]);
        await pool.StartAsync(TimeSpan.FromSeconds(10), Ct);
        using var chat = new OpenAiCompatibleChatClient(pool, null);
        for (var round = 0; round < 3; round++)
        {
            var texts = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                var text = "";
                await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Findings:")], new ChatOptions { MaxOutputTokens = 8, Temperature = 0 }, Ct))
                    text += update.Text;
                return text;
            }));
            texts.ShouldAllBe(t => t.Length > 0);
        }
        pool.Endpoints[0].Healthy.ShouldBeTrue();
    }

    [Fact]
    public async Task Chats_far_from_the_context_stop_being_counted_and_llama_servers_own_refusal_reads_as_our_check()
    {
        // A llama-server look-alike with 256-token slots whose tokenizer makes a digit one token and four other characters one.
        static int Tokens(string text) => text.Count(char.IsAsciiDigit) + text.Count(c => !char.IsAsciiDigit(c)) / 4;
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            var body = context.Request.Method == "POST" ? JsonDocument.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()).RootElement : default;
            switch (context.Request.Path.Value)
            {
                case "/props":
                    await context.Response.WriteAsync("""{"model_alias":"m","default_generation_settings":{"n_ctx":256}}""");
                    return;
                case "/apply-template":
                    await context.Response.WriteAsJsonAsync(new { prompt = string.Concat(body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString())) });
                    return;
                case "/tokenize":
                    await context.Response.WriteAsJsonAsync(new { tokens = new int[Tokens(body.GetProperty("content").GetString()!)] });
                    return;
                case "/v1/chat/completions":
                    var n = Tokens(body.GetProperty("messages")[0].GetProperty("content").GetString()!);
                    if (n >= 256)
                    {
                        context.Response.StatusCode = 400;
                        await context.Response.WriteAsync($$$"""{"error":{"code":400,"message":"request ({{{n}}} tokens) exceeds the available context size (256 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":{{{n}}},"n_ctx":256}}""");
                        return;
                    }
                    await context.Response.WriteAsync("""{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}""");
                    return;
                default:
                    context.Response.StatusCode = 404;
                    return;
            }
        });
        await using var pool = new RemoteEnginePool([upstream.Url]);
        await pool.StartAsync(TimeSpan.FromSeconds(5), Ct);
        using var chat = new OpenAiCompatibleChatClient(pool, null);
        int Counted() => upstream.Seen.Count(s => s == "POST /tokenize");

        // 600 characters: more bytes than the context holds tokens, so counted (150 tokens) until the density is known...
        for (var i = 0; i < 6; i++) (await chat.GetResponseAsync([new ChatMessage(ChatRole.User, new string('x', 600))], null, Ct)).Text.ShouldBe("ok");
        Counted().ShouldBe(4);
        // ...a chat that may not fit by that density is still counted, and refused before it is sent...
        var chats = upstream.ChatBodies.Count;
        var early = await Should.ThrowAsync<UpstreamRejectedException>(() => chat.GetResponseAsync([new ChatMessage(ChatRole.User, new string('x', 1200))], null, Ct));
        early.ContextExceeded.ShouldBeTrue();
        early.Message.ShouldBe($"the prompt is 300 tokens; the model at {upstream.Url} holds 256 tokens per request");
        Counted().ShouldBe(5);
        upstream.ChatBodies.Count.ShouldBe(chats);
        // ...and one denser than any seen slips past the estimate: llama-server refuses it, said the same way.
        var late = await Should.ThrowAsync<UpstreamRejectedException>(() => chat.GetResponseAsync([new ChatMessage(ChatRole.User, new string('7', 500))], null, Ct));
        late.ContextExceeded.ShouldBeTrue();
        late.Message.ShouldBe($"the prompt is 500 tokens; the model at {upstream.Url} holds 256 tokens per request");
        UpstreamProblems.Map(late).Status.ShouldBe(StatusCodes.Status400BadRequest);
    }

    [Fact]
    public async Task Vllm_as_documented_is_discovered_sent_json_schema_and_its_context_error_mapped()
    {
        // Shapes from vLLM's OpenAI-compatible server documentation: /v1/models lists max_model_len (owned_by "vllm"),
        // /tokenize counts a chat's tokens, responses carry stop_reason, prompt_logprobs, kv_transfer_params.
        await using var upstream = await FakeUpstream.StartAsync(async context =>
        {
            switch (context.Request.Path.Value)
            {
                case "/v1/models":
                    await context.Response.WriteAsync("""{"object":"list","data":[{"id":"Qwen/Qwen2.5-7B-Instruct","object":"model","created":1733000000,"owned_by":"vllm","root":"Qwen/Qwen2.5-7B-Instruct","parent":null,"max_model_len":4096,"permission":[{"id":"modelperm-1","object":"model_permission","created":1733000000,"allow_create_engine":false,"allow_sampling":true,"allow_logprobs":true,"allow_search_indices":false,"allow_view":true,"allow_fine_tuning":false,"organization":"*","group":null,"is_blocking":false}]}]}""");
                    return;
                case "/health":
                    return;
                case "/tokenize":
                    var request = JsonDocument.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync()).RootElement;
                    var count = request.GetProperty("messages").EnumerateArray().Sum(m => m.GetProperty("content").GetString()!.Length / 4) + 10;
                    await context.Response.WriteAsJsonAsync(new { count, max_model_len = 4096, tokens = Enumerable.Range(0, count).ToArray() });
                    return;
                case "/v1/chat/completions":
                    var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
                    if (body.Contains("\"max_tokens\":4000", StringComparison.Ordinal))
                    {
                        context.Response.StatusCode = 400;
                        await context.Response.WriteAsync("""{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 4120 tokens (120 in the messages, 4000 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}""");
                        return;
                    }
                    await context.Response.WriteAsync("""{"id":"chatcmpl-9f2","object":"chat.completion","created":1733000001,"model":"Qwen/Qwen2.5-7B-Instruct","choices":[{"index":0,"message":{"role":"assistant","reasoning_content":null,"content":"{\"effusion\":true}","tool_calls":[]},"logprobs":null,"finish_reason":"stop","stop_reason":null}],"service_tier":null,"system_fingerprint":null,"usage":{"prompt_tokens":31,"total_tokens":37,"completion_tokens":6,"prompt_tokens_details":null},"prompt_logprobs":null,"kv_transfer_params":null}""");
                    return;
                default:
                    context.Response.StatusCode = 404;
                    await context.Response.WriteAsync("""{"detail":"Not Found"}""");
                    return;
            }
        });
        await using var pool = new RemoteEnginePool([upstream.Url + "/v1"]);
        await pool.StartAsync(TimeSpan.FromSeconds(5), Ct);
        pool.Endpoints[0].Info.ShouldBe(new RemoteEngineInfo(RemoteEngineKind.Vllm, "Qwen/Qwen2.5-7B-Instruct", 4096));
        using var chat = new OpenAiCompatibleChatClient(pool, null, _ => "root ::= \"never sent to vLLM\"");
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"effusion":{"type":"boolean"}},"required":["effusion"]}""").RootElement;
        var response = await chat.GetResponseAsync([new ChatMessage(ChatRole.User, "Effusion?")], new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "e"), MaxOutputTokens = 50 }, Ct);
        JsonDocument.Parse(response.Text).RootElement.GetProperty("effusion").GetBoolean().ShouldBeTrue();
        response.Usage!.TotalTokenCount.ShouldBe(37);
        response.FinishReason.ShouldBe(ChatFinishReason.Stop);
        var sent = JsonDocument.Parse(upstream.ChatBodies.Last()).RootElement;
        sent.GetProperty("model").GetString().ShouldBe("Qwen/Qwen2.5-7B-Instruct");
        sent.GetProperty("response_format").GetProperty("json_schema").GetProperty("schema").GetProperty("required")[0].GetString().ShouldBe("effusion");
        sent.TryGetProperty("grammar", out _).ShouldBeFalse();

        // Prompt + max_tokens beyond max_model_len: refused before sending (counted with /tokenize)...
        var longText = new string('x', 8000);
        var early = await Should.ThrowAsync<UpstreamRejectedException>(() => chat.GetResponseAsync([new ChatMessage(ChatRole.User, longText)], new ChatOptions { MaxOutputTokens = 2500 }, Ct));
        early.ContextExceeded.ShouldBeTrue();
        early.Message.ShouldContain("holds 4096 tokens");
        // ...and vLLM's own refusal, in its words, is the same kind of failure.
        var late = await Should.ThrowAsync<UpstreamRejectedException>(() => chat.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = 4000 }, Ct));
        late.ContextExceeded.ShouldBeTrue();
        late.Message.ShouldStartWith("This model's maximum context length is 4096 tokens.");
        UpstreamProblems.Map(late).Status.ShouldBe(StatusCodes.Status400BadRequest);
    }
}
