using System.Text.Json.Nodes;

namespace ReportGen.Pipelines.Drafting;

/// <summary>The frontal image's size and format, as the draft JSON reports it.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Format">png, jpeg, dicom (or null).</param>
public sealed record DraftImageSize(int Width, int Height, string? Format);

/// <summary>
/// The JSON contract of a draft, shared by <c>reportgen draft</c> and the API:
/// <c>{"findings": [{"text", "boxes": [{x_min, y_min, x_max, y_max, "pixels": {x_min, ...} | null}]}], "impression",
/// "modality", "grounded", "truncated", "malformed_boxes", "malformed_objects", "text", "organ_systems"? (CT), "evidence"?
/// [{study_id, similarity, findings}], "image"? {width, height, format}, "provenance"}</c>. Box coordinates are
/// fractions of the original image (4 decimals) and original pixels (1 decimal).
/// </summary>
public static class DraftJson
{
    /// <summary>The whole result. <paramref name="provenance"/> (model ids and hashes, prompt, engine) is copied in and given <c>prompt_tokens</c>.</summary>
    public static JsonObject Result(DraftResult result, DraftRequest request, DraftImageSize? frontal, JsonObject provenance)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(provenance);
        var o = new JsonObject
        {
            ["findings"] = new JsonArray(result.Findings.Select(f => (JsonNode)Finding(f)).ToArray()),
            ["impression"] = result.Impression,
            ["modality"] = request.Modality,
            ["grounded"] = request.Grounded,
            ["truncated"] = result.Truncated,
            ["malformed_boxes"] = result.MalformedBoxes,
            ["malformed_objects"] = result.MalformedObjects,
            ["text"] = result.RawText,
        };
        if (result.ByOrganSystem is { } systems)
            o["organ_systems"] = new JsonObject(systems.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonArray(kv.Value.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()))));
        if (result.Evidence.Count > 0)
            o["evidence"] = new JsonArray(result.Evidence.Select(e => (JsonNode)new JsonObject
            {
                ["study_id"] = e.StudyId, ["similarity"] = Math.Round(e.Similarity, 4), ["findings"] = e.Findings,
            }).ToArray());
        if (frontal is not null) o["image"] = new JsonObject { ["width"] = frontal.Width, ["height"] = frontal.Height, ["format"] = frontal.Format };
        var prov = (JsonObject)provenance.DeepClone();
        prov["prompt_tokens"] = result.PromptTokens;
        o["provenance"] = prov;
        return o;
    }

    /// <summary>One finding: <c>{"text", "boxes"}</c> (also one streamed NDJSON line's body).</summary>
    public static JsonObject Finding(DraftFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return new JsonObject
        {
            ["text"] = finding.Text,
            ["boxes"] = new JsonArray(finding.Boxes.Select(b => (JsonNode)Box(b)).ToArray()),
        };
    }

    private static JsonObject Box(FindingBox box)
    {
        var o = Coordinates(box.Normalized, 4);
        o["pixels"] = box.Pixels is { } p ? Coordinates(p, 1) : null;
        return o;
    }

    private static JsonObject Coordinates(BoundingBox b, int digits) => new()
    {
        ["x_min"] = Math.Round(b.XMin, digits), ["y_min"] = Math.Round(b.YMin, digits),
        ["x_max"] = Math.Round(b.XMax, digits), ["y_max"] = Math.Round(b.YMax, digits),
    };
}
