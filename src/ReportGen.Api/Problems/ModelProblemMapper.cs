using ReportGen.Pipelines.Remote;
using ReportGen.Api.Hosting;
using ReportGen.Core.Models;
using ReportGen.Llama;

namespace ReportGen.Api.Problems;

/// <summary>
/// The one place where model failures become HTTP answers, each from its type (never from which assembly threw it or
/// what its message says): no model configured and a model still loading are 503, a full queue 503 with a short
/// Retry-After, input the runtime refuses 400. Upstream-engine failures (a remote server that is down, erroring or slow)
/// belong here too, as one line each.
/// </summary>
public sealed class ModelProblemMapper : IExceptionProblemMapper
{
    /// <inheritdoc />
    public MappedProblem? TryMap(Exception exception) => exception switch
    {
        // A 503 names what is missing (a model); like every 503 it says when to ask again.
        ModelNotConfiguredException missing => new MappedProblem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", missing.Message, missing.Field, missing.Code, RetryAfterSeconds: 300),
        LlmUnavailableException unavailable => new MappedProblem(StatusCodes.Status503ServiceUnavailable, "Model unavailable", unavailable.Message, "model", "model_unavailable", RetryAfterSeconds: 10),
        SchedulerFullException full => new MappedProblem(StatusCodes.Status503ServiceUnavailable, "Model busy", full.Message, "model", "queue_full", RetryAfterSeconds: 2),
        ModelInputException input => new MappedProblem(StatusCodes.Status400BadRequest,
            input.Code == ModelInputException.Unsupported ? "Input not supported by the model" : "Input does not fit the model", input.Message, "messages", input.Code),
        UpstreamEngineException upstream => UpstreamProblems.Map(upstream),
        _ => null,
    };
}
