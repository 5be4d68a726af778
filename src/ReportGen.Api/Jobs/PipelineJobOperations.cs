using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Api.PipelineResults;
using ReportGen.Pipelines.Audit;
using ReportGen.Pipelines.Classification;
using ReportGen.Pipelines.Structuring;

namespace ReportGen.Api.Jobs;

/// <summary>
/// <c>structure</c>: RadGraph structuring of each record (parameter <c>engine</c>, default rules); each result is
/// <c>{"0": radgraph, "warnings": [...], "provenance": ...}</c> (warnings as the synchronous API gives them).
/// </summary>
public sealed class StructureJobOperation(StructuringService service, Hosting.HostedModels models) : IJobOperation
{
    /// <inheritdoc />
    public string Name => "structure";

    /// <inheritdoc />
    public (string Field, string Message)? ValidateParameters(IReadOnlyDictionary<string, string> parameters)
    {
        var engine = parameters.GetValueOrDefault("engine") ?? "rules";
        if (StructuringEngines.Parse(engine) is not { } parsed) return ("engine", $"unknown engine '{engine}'; use rules, llm or hybrid");
        return parsed != StructuringEngine.Rules && !service.HasModel ? ("engine", $"the {engine} engine needs a model; none is configured") : null;
    }

    /// <inheritdoc />
    public async Task<JsonNode> ExecuteAsync(JsonElement record, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var text = JobRecords.RequireText(record);
        var engine = StructuringEngines.Parse(parameters.GetValueOrDefault("engine") ?? "rules")!.Value;
        var start = Stopwatch.GetTimestamp();
        var result = await service.StructureAsync(text, engine, cancellationToken);
        var provenance = PipelineProvenance.ForStructure(result, models.Provenance, Provenance.Since(start));
        return new JsonObject
        {
            ["0"] = JsonSerializer.SerializeToNode(result.RadGraph, ReportGen.Core.RadGraph.RadGraphDocument.JsonOptions),
            ["warnings"] = JsonSerializer.SerializeToNode(result.Warnings),
            ["provenance"] = JsonSerializer.SerializeToNode(provenance),
        };
    }
}

/// <summary>
/// <c>classify</c>: labels for each record (parameters <c>taxonomy</c> or <c>labels</c>, <c>engine</c>); each result is
/// <c>{"language", "labels", "warnings", "provenance"}</c>.
/// </summary>
public sealed class ClassifyJobOperation(ClassificationService service, Hosting.HostedModels models) : IJobOperation
{
    /// <inheritdoc />
    public string Name => "classify";

    /// <inheritdoc />
    public (string Field, string Message)? ValidateParameters(IReadOnlyDictionary<string, string> parameters)
    {
        // An unknown engine is refused, never read as rules.
        if (parameters.GetValueOrDefault("engine") is { } engine && ClassificationEngines.Parse(engine) is null)
            return ("engine", $"unknown engine '{engine}'; use {ClassificationEngines.Names}");
        try
        {
            service.ResolveTaxonomy(Request("x", parameters));
            return null;
        }
        catch (ClassificationException ex)
        {
            return (parameters.ContainsKey("labels") ? "labels" : "taxonomy", ex.Message);
        }
    }

    /// <inheritdoc />
    public async Task<JsonNode> ExecuteAsync(JsonElement record, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var text = JobRecords.RequireText(record);
        try
        {
            var start = Stopwatch.GetTimestamp();
            var result = await service.ClassifyAsync(Request(text, parameters), cancellationToken);
            var provenance = PipelineProvenance.ForClassify(result, models.Provenance, Provenance.Since(start));
            return new JsonObject
            {
                ["language"] = result.Language,
                ["labels"] = new JsonObject(result.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)JsonValue.Create(ReportGen.Core.Labels.LabelValues.ToWireName(l.Value))))),
                ["warnings"] = JsonSerializer.SerializeToNode(result.Warnings),
                ["provenance"] = JsonSerializer.SerializeToNode(provenance),
            };
        }
        catch (ClassificationException ex)
        {
            throw new JobRecordException(ex.CodeName, ex.Message);
        }
    }

    private static ClassificationRequest Request(string text, IReadOnlyDictionary<string, string> parameters) => new()
    {
        Text = text,
        TaxonomyId = parameters.GetValueOrDefault("labels") is null ? parameters.GetValueOrDefault("taxonomy") ?? "chexpert14" : null,
        Labels = parameters.GetValueOrDefault("labels")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        Engine = ClassificationEngines.Parse(parameters.GetValueOrDefault("engine") ?? "rules")
            ?? throw new InvalidOperationException("the engine is checked by ValidateParameters before any record runs"),
    };
}
