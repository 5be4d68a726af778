using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.Api.Hosting;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests;

/// <summary>
/// A token limit that cuts a constrained answer short is reported as such on every surface: chat completions say
/// finish_reason "length", the pipelines mark their result truncated instead of reading a fragment. Real generation
/// (stories260K) with a tiny limit.
/// </summary>
public class TruncationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The hosted model with every request's limit cut to a few tokens (what a too-small max_tokens does).</summary>
    private sealed class TokenCap(IChatClient inner, int maxTokens) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            base.GetResponseAsync(messages, Cap(options), cancellationToken);

        public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            base.GetStreamingResponseAsync(messages, Cap(options), cancellationToken);

        private ChatOptions Cap(ChatOptions? options)
        {
            var capped = options?.Clone() ?? new ChatOptions();
            capped.MaxOutputTokens = maxTokens;
            return capped;
        }
    }

    private static ApiFactory CappedFactory()
    {
        SharedData.Model("stories260K.gguf");
        return new ApiFactory(new Dictionary<string, string?>
        {
            ["ReportGen:Llm:Model"] = "stories260k",
            ["ReportGen:Llm:ContextSize"] = "4096",
            ["ReportGen:Llm:Threads"] = "1",
        })
        {
            TestServices = s => s.AddSingleton<IChatClient>(sp => new TokenCap(new HostedChatClient(sp.GetRequiredService<LlmHost>()), 4)),
        };
    }

    [Fact]
    public async Task Chat_completions_with_a_schema_cut_by_max_tokens_say_length_and_the_content_is_no_valid_document()
    {
        await using var factory = LlmApiTests.Factory();
        using var client = factory.CreateAuthorizedClient();
        await LlmApiTests.WaitReady(client);
        var schema = JsonDocument.Parse("""{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"city":{"type":"string"}},"required":["name","age","city"]}""").RootElement;
        foreach (var stream in new[] { false, true })
        {
            var response = await client.PostAsJsonAsync("/v1/chat/completions", new
            {
                messages = new[] { new { role = "user", content = "Report:" } },
                max_tokens = 3,
                stream,
                response_format = new { type = "json_schema", json_schema = new { name = "s", schema } },
            }, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            string finish, content;
            if (stream)
            {
                var chunks = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.Trim()["data: ".Length..]).Where(d => d != "[DONE]")
                    .Select(d => JsonDocument.Parse(d).RootElement.GetProperty("choices")[0]).ToList();
                finish = chunks[^1].GetProperty("finish_reason").GetString()!;
                content = string.Concat(chunks.Select(c => c.GetProperty("delta").TryGetProperty("content", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : ""));
            }
            else
            {
                var choice = JsonDocument.Parse(text).RootElement.GetProperty("choices")[0];
                finish = choice.GetProperty("finish_reason").GetString()!;
                content = choice.GetProperty("message").GetProperty("content").GetString()!;
            }
            finish.ShouldBe("length", text);
            ReportGen.Core.Json.ConstrainedOutput.IsCompleteJson(content).ShouldBeFalse(content);
        }
    }

    [Fact]
    public async Task Structure_classify_and_judge_mark_a_cut_off_answer_truncated()
    {
        await using var factory = CappedFactory();
        using var client = factory.CreateAuthorizedClient();
        await LlmApiTests.WaitReady(client);

        foreach (var engine in new[] { "llm", "hybrid" })
        {
            var structure = await client.PostAsJsonAsync("/v1/reports/structure", new { text = "FINDINGS: Small left pleural effusion. No pneumothorax.", engine }, Ct);
            var text = await structure.Content.ReadAsStringAsync(Ct);
            structure.StatusCode.ShouldBe(HttpStatusCode.OK, text);
            var body = JsonDocument.Parse(text).RootElement;
            body.GetProperty("truncated").GetBoolean().ShouldBeTrue(text);
            if (engine == "llm") body.GetProperty("radgraph").GetProperty("entities").EnumerateObject().ShouldBeEmpty(text);
            else body.GetProperty("radgraph").GetProperty("entities").EnumerateObject().ShouldNotBeEmpty("hybrid keeps the rules' entities");
        }

        var classify = await client.PostAsJsonAsync("/v1/reports/classify", new { text = "No pleural effusion. Small pneumothorax.", labels = new[] { "Pleural Effusion", "Pneumothorax" }, engine = "llm" }, Ct);
        var classified = await classify.Content.ReadAsStringAsync(Ct);
        classify.StatusCode.ShouldBe(HttpStatusCode.OK, classified);
        var labels = JsonDocument.Parse(classified).RootElement;
        labels.GetProperty("truncated").GetBoolean().ShouldBeTrue(classified);
        labels.GetProperty("warnings").EnumerateArray().ShouldContain(w => w.GetString()!.StartsWith("llm_truncated", StringComparison.Ordinal));
        labels.GetProperty("labels").EnumerateObject().ShouldAllBe(p => p.Value.GetString() == "not_mentioned");

        foreach (var method in new[] { "green", "chexprompt", "radfact" })
        {
            var judge = await client.PostAsJsonAsync("/v1/reports/judge", new { candidate = "Small left pleural effusion.", reference = "Left pleural effusion.", method }, Ct);
            var judged = await judge.Content.ReadAsStringAsync(Ct);
            judge.StatusCode.ShouldBe(HttpStatusCode.OK, judged);
            var body = JsonDocument.Parse(judged).RootElement;
            body.GetProperty("status").GetString().ShouldBe("truncated", judged);
            body.GetProperty("score").ValueKind.ShouldBe(JsonValueKind.Null, judged);
        }
    }
}
