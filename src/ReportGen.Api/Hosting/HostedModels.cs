using Microsoft.Extensions.AI;
using ReportGen.Api.PipelineResults;
using ReportGen.Pipelines.Audit;

namespace ReportGen.Api.Hosting;

/// <summary>
/// The hosted model as the endpoints see it. A service without a model still serves the rules engines, so the model is
/// optional; endpoints take this (always registered) instead of looking services up, and "this needs a model" is
/// answered here, once: a <see cref="ModelNotConfiguredException"/> (503 naming the field).
/// </summary>
/// <param name="host">The model host, when <c>ReportGen:Llm</c> configures one.</param>
/// <param name="chat">The hosted chat client, when a model is configured.</param>
public sealed class HostedModels(LlmHost? host = null, IChatClient? chat = null)
{
    /// <summary>The hosted LLM's id and SHA-256 for provenance (null without a model or before it loaded).</summary>
    public ModelProvenance? Provenance => host?.Provenance;

    /// <summary>The hosted chat client, or null when no model is configured (the pipelines then use their rules).</summary>
    public IChatClient? Chat => chat;

    /// <summary>The hosted chat client; without one, a 503 naming <paramref name="field"/> with <paramref name="message"/>.</summary>
    public IChatClient RequireChat(string field, string message) => chat ?? throw new ModelNotConfiguredException(field, message);

    /// <summary>
    /// The vision-language model set and its chat client, once loaded (waiting as every pipeline does), or a remote
    /// engine declared to serve a vision-language model (<see cref="LlmOptions.RemoteVisionFamily"/>; one whose
    /// llama-server says it takes no images is a 422 naming <c>image</c>); without either, a 503 naming <c>model</c>.
    /// </summary>
    public async Task<(LlmHost Host, IChatClient Chat)> RequireModelSetAsync(CancellationToken cancellationToken)
    {
        if (host is { IsRemote: true } && chat is not null)
        {
            if (!host.HasRemoteVision)
                throw new ModelNotConfiguredException("model", "the remote engine (ReportGen:Llm:RemoteUrl) is not declared to serve a vision-language model: "
                    + "set ReportGen:Llm:RemoteVisionFamily (llava, gemma3, qwen2vl or other) when it runs one (llama-server --mmproj, vLLM with a vision model)", "no_model_set");
            await host.WaitForClientAsync(cancellationToken);
            await host.RemoteVision!.CheckSeesImagesAsync(host.Remote!, cancellationToken);
            return (host, chat);
        }
        if (host is not { HasModelSet: true } || chat is null)
            throw new ModelNotConfiguredException("model", "no vision-language model set configured (ReportGen:Llm:ModelSet)", "no_model_set");
        await host.WaitForClientAsync(cancellationToken);
        return (host, chat);
    }
}
