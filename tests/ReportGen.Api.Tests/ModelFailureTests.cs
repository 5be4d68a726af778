using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ReportGen.Core.Models;
using ReportGen.Llama;

namespace ReportGen.Api.Tests;

/// <summary>
/// Model failures are typed and mapped once (ModelProblemMapper): a judge lets a full queue or input the model refuses
/// through to the caller (503 with Retry-After, 400), and only a call that failed (the server went away) is a "failed"
/// judgement. A queue cannot be filled on demand in a fast test, so a client that throws the runtime's own exceptions
/// stands in for the model (the real full queue is LoadTests' and LlmApiTests').
/// </summary>
public class ModelFailureTests
{
    private sealed class FailingChatClient(Exception failure) : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw failure;
        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw failure;
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> Judge(Exception failure, string method, string path = "/v1/reports/judge")
    {
        await using var factory = new ApiFactory { TestServices = s => s.AddSingleton<IChatClient>(new FailingChatClient(failure)) };
        using var client = factory.CreateAuthorizedClient();
        var ct = TestContext.Current.CancellationToken;
        var response = path.Contains("judge", StringComparison.Ordinal)
            ? await client.PostAsJsonAsync(path, new { candidate = "Small left pleural effusion.", reference = "No pleural effusion.", method }, ct)
            : await client.PostAsJsonAsync(path, new { messages = new[] { new { role = "user", content = "Hello" } } }, ct);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.Clone(), response);
    }

    [Theory]
    [InlineData("green")]
    [InlineData("radfact")]
    [InlineData("chexprompt")]
    public async Task A_full_queue_is_503_with_retry_after_not_a_failed_judgement(string method)
    {
        var (status, body, response) = await Judge(new SchedulerFullException(4), method);
        status.ShouldBe(HttpStatusCode.ServiceUnavailable, body.ToString());
        response.Headers.RetryAfter.ShouldNotBeNull();
        body.GetProperty("code").GetString().ShouldBe("queue_full");
    }

    [Theory]
    [InlineData("green")]
    [InlineData("radfact")]
    public async Task Input_the_model_refuses_is_400_naming_it(string method)
    {
        var (status, body, _) = await Judge(new ModelInputException("the prompt takes 5000 positions but the context holds 4096"), method);
        status.ShouldBe(HttpStatusCode.BadRequest, body.ToString());
        body.GetProperty("code").GetString().ShouldBe(ModelInputException.Rejected);
        body.GetProperty("detail").GetString()!.ShouldContain("context holds 4096");
    }

    [Fact]
    public async Task A_failed_call_is_a_failed_judgement_and_other_exceptions_are_not_swallowed()
    {
        var (status, body, _) = await Judge(new HttpRequestException("connection refused"), "green");
        status.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("status").GetString().ShouldBe("failed");
        body.GetProperty("score").ValueKind.ShouldBe(JsonValueKind.Null);
        // A bug is not a judgement either: it surfaces (as a 500 without internals), never as "failed".
        (status, _, _) = await Judge(new NullReferenceException(), "green");
        status.ShouldBe(HttpStatusCode.InternalServerError);
    }

    [Fact]
    public async Task Chat_maps_the_same_failures_in_openai_s_error_shape()
    {
        var (status, body, _) = await Judge(new ModelInputException("image for a text-only model", ModelInputException.Unsupported), "", "/v1/chat/completions");
        status.ShouldBe(HttpStatusCode.BadRequest, body.ToString());
        body.GetProperty("error").GetProperty("code").GetString().ShouldBe(ModelInputException.Unsupported);
        (status, body, _) = await Judge(new SchedulerFullException(4), "", "/v1/chat/completions");
        status.ShouldBe(HttpStatusCode.ServiceUnavailable, body.ToString());
        body.GetProperty("error").GetProperty("code").GetString().ShouldBe("queue_full");
    }
}
