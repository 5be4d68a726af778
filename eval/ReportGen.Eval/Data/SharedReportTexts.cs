using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ReportGen.Core.Hosting;
using ReportGen.Core.RadGraph;
using ReportGen.Core.Text;

namespace ReportGen.Eval.Data;

/// <summary>A dev-set record's report text, or why it was skipped.</summary>
/// <param name="Text">The text; null when skipped.</param>
/// <param name="SkipReason">Why there is no text (the shared data is absent); null when there is.</param>
public sealed record DevSetText(string? Text, string? SkipReason);

/// <summary>
/// Joins dev-set annotations to report texts we may not store in git. A record holds either its own
/// <c>"text"</c> (our translations and synthetic reports) or a reference to a dataset in the shared data folder:
/// <code>"text_from": {"file": "iu-xray/val.jsonl", "template": "FINDINGS: {findings}\nIMPRESSION: {impression}", "sha256": "..."}</code>
/// The text is the template with each <c>{field}</c> replaced by that field of the file's record with the same
/// <c>id</c>; <c>sha256</c> (of the UTF-8 text) catches a changed dataset, whose word indices would no longer fit
/// the annotations. Without the shared folder such records are skipped, and the reason says so.
/// </summary>
public sealed partial class SharedReportTexts
{
    private readonly string? _dataFolder;
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _files = new(StringComparer.Ordinal);

    /// <summary>Reads referenced files below <paramref name="dataFolder"/> (the shared <c>data/</c> folder; null when absent).</summary>
    public SharedReportTexts(string? dataFolder) => _dataFolder = dataFolder is not null && Directory.Exists(dataFolder) ? dataFolder : null;

    /// <summary>The workspace's shared <c>data/</c> folder (<c>REPORTGEN_SHARED</c> or <c>../shared</c>).</summary>
    public static SharedReportTexts Default() => new(Workspace.Shared("data"));

    /// <summary>The record's text: its own <c>"text"</c>, or the joined <c>"text_from"</c> reference.</summary>
    /// <exception cref="InvalidDataException">The record has neither, the reference is malformed, the id or a field is
    /// missing from the file, or the joined text's SHA-256 differs from the recorded one (the message names the record).</exception>
    public DevSetText Resolve(JsonObject record)
    {
        var id = record["id"]?.GetValue<string>() ?? throw new InvalidDataException("a record has no \"id\"");
        if (record["text"] is JsonValue inline && inline.TryGetValue<string>(out var text)) return new DevSetText(text, null);
        if (record["text_from"] is not JsonObject from) throw new InvalidDataException($"record {id}: neither \"text\" nor \"text_from\"");
        var file = from["file"]?.GetValue<string>();
        var template = from["template"]?.GetValue<string>();
        var sha256 = from["sha256"]?.GetValue<string>();
        if (file is null || template is null || sha256 is null)
            throw new InvalidDataException($"record {id}: \"text_from\" needs \"file\", \"template\" and \"sha256\"");
        if (Path.IsPathRooted(file) || file.Split('/', '\\').Contains(".."))
            throw new InvalidDataException($"record {id}: \"text_from.file\" must be a path inside the shared data folder");
        if (_dataFolder is null)
            return new DevSetText(null, $"the shared data folder with their text ({Path.Combine("shared", "data", file)}) is absent; set {Workspace.SharedEnvironmentVariable}");
        var source = Records(file);
        if (!source.TryGetValue(id, out var sourceRecord)) throw new InvalidDataException($"record {id}: no record with that id in {file}");
        var joined = Field().Replace(template, m => sourceRecord[m.Groups[1].Value] is JsonValue v && v.TryGetValue<string>(out var s)
            ? s
            : throw new InvalidDataException($"record {id}: {file} has no string field '{m.Groups[1].Value}'"));
        var actual = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(joined)));
        if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"record {id}: the text joined from {file} has changed (sha256 {actual}, annotated {sha256}); its annotations no longer apply");
        return new DevSetText(joined, null);
    }

    /// <summary>
    /// The gold RadGraph annotation of a record whose text is <paramref name="text"/>: the annotation's <c>"text"</c> is
    /// the radgraph word split of the report (filled in when the file leaves it out, checked when it has one), and every
    /// entity's tokens must be the words at its indices.
    /// </summary>
    /// <exception cref="InvalidDataException">The annotation does not fit the text.</exception>
    public static RadGraphDocument BindRadGraph(string id, JsonObject annotation, string text)
    {
        var words = RadGraphTokenizer.Words(text);
        var normalized = string.Join(' ', words);
        var gold = annotation.DeepClone().AsObject();
        if (gold["text"] is JsonValue given && given.GetValue<string>() != normalized)
            throw new InvalidDataException($"record {id}: the annotation's text differs from the report's word split");
        gold["text"] = normalized;
        var doc = gold.Deserialize<RadGraphDocument>(RadGraphDocument.JsonOptions) ?? throw new InvalidDataException($"record {id}: empty annotation");
        foreach (var (key, entity) in doc.Entities)
        {
            if (entity.StartIx < 0 || entity.EndIx >= words.Length || entity.EndIx < entity.StartIx
                || string.Join(' ', words[entity.StartIx..(entity.EndIx + 1)]) != entity.Tokens)
                throw new InvalidDataException($"record {id}: entity {key} ('{entity.Tokens}') is not the words at {entity.StartIx}..{entity.EndIx}");
        }
        return doc;
    }

    private Dictionary<string, JsonObject> Records(string file)
    {
        if (_files.TryGetValue(file, out var cached)) return cached;
        var path = Path.Combine(_dataFolder!, file);
        if (!File.Exists(path)) throw new InvalidDataException($"{file} is not in the shared data folder {_dataFolder}");
        var byId = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (JsonNode.Parse(line) is JsonObject o && o["id"]?.GetValue<string>() is { } id) byId[id] = o;
        }
        return _files[file] = byId;
    }

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex Field();
}
