using Microsoft.Extensions.AI;
using ReportGen.Pipelines.Drafting;
using ReportGen.Pipelines.Prompts;
using ReportGen.TestSupport;

namespace ReportGen.Cli.Tests;

[Fast]
public class DraftingModelTests
{
    [Fact]
    public void Request_puts_images_as_data_content_and_missing_fields_as_na()
    {
        var service = new DraftingService(new NoChat(), PromptLibrary.LoadDefault());
        var (messages, _) = service.Build(new DraftRequest { Frontal = new StudyImage(new byte[] { 1, 2 }, "image/png"), Lateral = new StudyImage(new byte[] { 3 }, "image/png"), Indication = "cough", Grounded = true });
        var user = messages.Last(m => m.Role == ChatRole.User);
        user.Contents.OfType<DataContent>().Count().ShouldBe(2);
        user.Text.ShouldContain("INDICATION: cough");
        user.Text.ShouldContain("TECHNIQUE: N/A");
        user.Text.ShouldContain("<obj>");
    }

    private sealed class NoChat : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }
}
