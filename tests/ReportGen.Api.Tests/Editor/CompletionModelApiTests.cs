using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ReportGen.TestSupport;

namespace ReportGen.Api.Tests.Editor;

/// <summary>Auto-completion re-ranked by the hosted model (real llama.cpp, iu-xray-tiny-llama, Threads = 1).</summary>
public sealed class CompletionModelApiTests(CompletionCorpusFixture corpus) : IClassFixture<CompletionCorpusFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ApiFactory Factory(string model)
    {
        var settings = new Dictionary<string, string?>(corpus.Settings)
        {
            ["ReportGen:Llm:Model"] = model,
            ["ReportGen:Llm:Threads"] = "1",
            ["ReportGen:Llm:ContextSize"] = "1024",
            ["ReportGen:Llm:Sequences"] = "1",
        };
        return new ApiFactory(settings);
    }

    private static async Task WaitReady(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await client.GetAsync("/health/ready", Ct)).StatusCode != HttpStatusCode.OK)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("model did not load");
            await Task.Delay(50, Ct);
        }
    }

    [Fact]
    public async Task The_loaded_model_reranks_and_its_generated_sentence_is_a_model_source()
    {
        SharedData.Model("iu-xray-tiny-llama.gguf");
        await using var factory = Factory("iu-xray-tiny-llama");
        using var client = factory.CreateAuthorizedClient();
        await WaitReady(client);

        var reranked = await client.PostAsJsonAsync("/v1/reports/complete",
            new { context = "The heart is normal in size. The lungs are clear.", prefix = "No ", k = 5 }, Ct);
        reranked.StatusCode.ShouldBe(HttpStatusCode.OK, await reranked.Content.ReadAsStringAsync(Ct));
        var body = await reranked.Content.ReadFromJsonAsync<JsonElement>(Ct);
        body.GetProperty("reranked").GetBoolean().ShouldBeTrue();
        var texts = body.GetProperty("suggestions").EnumerateArray().Select(s => s.GetProperty("text").GetString()!).ToList();
        texts.ShouldNotBeEmpty();
        texts.ShouldAllBe(t => t.StartsWith("No ", StringComparison.Ordinal));

        // No sentence of the site corpus starts with "Degenerative": only the model can answer, and says so.
        var generated = await client.PostAsJsonAsync("/v1/reports/complete",
            new { context = "The heart is normal in size. The lungs are clear.", prefix = "Degenerative ", k = 3 }, Ct);
        var generatedBody = await generated.Content.ReadFromJsonAsync<JsonElement>(Ct);
        generatedBody.GetProperty("reranked").GetBoolean().ShouldBeTrue();
        var top = generatedBody.GetProperty("suggestions")[0];
        top.GetProperty("source").GetString().ShouldBe("model:iu-xray-tiny-llama");
        top.GetProperty("text").GetString()!.ShouldStartWith("Degenerative ");
        top.GetProperty("text").GetString()!.ShouldEndWith(".");

        // The stream shows retrieval first, then the re-ranked list.
        var stream = await client.PostAsJsonAsync("/v1/reports/complete/stream",
            new { context = "The heart is normal in size. The lungs are clear.", prefix = "No " }, Ct);
        var events = (await stream.Content.ReadAsStringAsync(Ct)).Split('\n')
            .Where(l => l.StartsWith("data: ", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement).ToList();
        events.Count.ShouldBe(3);
        events[0].GetProperty("reranked").GetBoolean().ShouldBeFalse();
        events[1].GetProperty("reranked").GetBoolean().ShouldBeTrue();

        // No report text in the logs.
        factory.Logs.Lines.ShouldNotContain(l => l.Contains("lungs are clear", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Without_a_loaded_model_retrieval_alone_answers()
    {
        // The configured model cannot load: completion stays available from retrieval (reranked: false), not 503.
        await using var factory = Factory(Path.Combine(Path.GetTempPath(), "missing-" + Guid.NewGuid().ToString("N") + ".gguf"));
        using var client = factory.CreateAuthorizedClient();
        var response = await client.PostAsJsonAsync("/v1/reports/complete", new { context = "The heart is normal in size.", prefix = "The lu", k = 2 }, Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        body.GetProperty("reranked").GetBoolean().ShouldBeFalse();
        body.GetProperty("suggestions")[0].GetProperty("text").GetString().ShouldBe("The lungs are clear.");
    }
}
