using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReportGen.Core.Models;

/// <summary>What a model is for in the service.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelRole>))]
public enum ModelRole
{
    /// <summary>A LLaMA-family GGUF that generates text.</summary>
    [JsonStringEnumMemberName("llm")] Llm,
    /// <summary>An ONNX image encoder.</summary>
    [JsonStringEnumMemberName("vision-encoder")] VisionEncoder,
    /// <summary>An ONNX projector from encoder patch embeddings to the LLM embedding size.</summary>
    [JsonStringEnumMemberName("projector")] Projector,
    /// <summary>A GGUF used as an LLM judge.</summary>
    [JsonStringEnumMemberName("judge")] Judge,
    /// <summary>A llama.cpp multimodal projector GGUF (vision tower + projector, "mmproj"), read by libmtmd.</summary>
    [JsonStringEnumMemberName("mmproj")] Mmproj,
}

/// <summary>Manifest spelling of <see cref="ModelRole"/>.</summary>
public static class ModelRoleNames
{
    /// <summary>The role as written in models.json (llm, vision-encoder, projector, judge).</summary>
    public static string ToManifestName(this ModelRole role) => role switch
    {
        ModelRole.Llm => "llm",
        ModelRole.VisionEncoder => "vision-encoder",
        ModelRole.Projector => "projector",
        ModelRole.Judge => "judge",
        ModelRole.Mmproj => "mmproj",
        _ => role.ToString(),
    };
}

/// <summary>How an encoder wants its pixels (from the model card, never guessed in code).</summary>
public sealed record Preprocessing
{
    /// <summary>Input width and height in pixels.</summary>
    public required int Width { get; init; }
    /// <summary>Input height in pixels.</summary>
    public required int Height { get; init; }
    /// <summary><c>shortest-edge</c> (keep aspect, then crop), <c>stretch</c> or <c>letterbox</c>.</summary>
    public string Resize { get; init; } = "shortest-edge";
    /// <summary>For <c>shortest-edge</c>: the shortest edge after resizing (before the crop); defaults to the input size.</summary>
    public int? ShortestEdge { get; init; }
    /// <summary><c>center</c> or <c>none</c>.</summary>
    public string Crop { get; init; } = "center";
    /// <summary>Per-channel mean, after scaling to [0,1].</summary>
    public float[] Mean { get; init; } = [0f, 0f, 0f];
    /// <summary>Per-channel standard deviation, after scaling to [0,1].</summary>
    public float[] Std { get; init; } = [1f, 1f, 1f];
    /// <summary>Channel order: <c>RGB</c>, <c>BGR</c> or <c>L</c> (one grey channel).</summary>
    public string Channels { get; init; } = "RGB";
    /// <summary>Tensor layout: <c>NCHW</c> or <c>NHWC</c> (2-D), <c>NCDHW</c> (3-D).</summary>
    public string Layout { get; init; } = "NCHW";
    /// <summary>Name of the image input.</summary>
    public required string InputName { get; init; }
    /// <summary>Name of the pooled (one vector per image) output.</summary>
    public string? PooledOutput { get; init; }
    /// <summary>Name of the patch-embedding output, when the model has one.</summary>
    public string? PatchOutput { get; init; }
    /// <summary>For 3-D encoders: the number of slices (depth) the model takes.</summary>
    public int? Depth { get; init; }
    /// <summary>
    /// For <c>letterbox</c>: how the scaled size is rounded: <c>nearest</c> (default), or <c>ceil</c> as llama.cpp's clip
    /// preprocessing pads (PAD_CEIL: single-precision scale, sizes rounded up, offsets halved down).
    /// </summary>
    public string LetterboxRounding { get; init; } = "nearest";

    /// <summary>
    /// Where a <paramref name="width"/> x <paramref name="height"/> image lands in the model input: it is resized to
    /// <c>ResizedWidth</c> x <c>ResizedHeight</c>, of which the input sees <see cref="Width"/> x <see cref="Height"/> pixels
    /// starting at (<c>OffsetX</c>, <c>OffsetY</c>); a negative offset means padding (letterbox, or an image smaller than
    /// the crop). One definition, used both to preprocess pixels and to map boxes back to the original image, so the two
    /// can never disagree.
    /// </summary>
    public (int ResizedWidth, int ResizedHeight, int OffsetX, int OffsetY) Placement(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} is not positive");
        int outW = Width, outH = Height;
        switch (Resize)
        {
            case "shortest-edge" when Crop == "center":
                var edge = ShortestEdge ?? Math.Min(outW, outH);
                var f = (double)edge / Math.Min(width, height);
                var rw = width <= height ? edge : Math.Max(1, (int)Math.Round(width * f));
                var rh = height < width ? edge : Math.Max(1, (int)Math.Round(height * f));
                return (rw, rh, (int)Math.Round((rw - outW) / 2.0), (int)Math.Round((rh - outH) / 2.0));
            case "letterbox" when LetterboxRounding == "ceil":
                var c = MathF.Min((float)outW / width, (float)outH / height);
                var cw = Math.Min((int)MathF.Ceiling(width * c), outW);
                var ch = Math.Min((int)MathF.Ceiling(height * c), outH);
                return (cw, ch, -((outW - cw) / 2), -((outH - ch) / 2));
            case "letterbox":
                var g = Math.Min((double)outW / width, (double)outH / height);
                var lw = Math.Max(1, (int)Math.Round(width * g));
                var lh = Math.Max(1, (int)Math.Round(height * g));
                return (lw, lh, -((outW - lw) / 2), -((outH - lh) / 2));
            default: // stretch, and shortest-edge without a crop (a fixed-size encoder input cannot keep the aspect then)
                return (outW, outH, 0, 0);
        }
    }
}

/// <summary>One model the service can use.</summary>
public sealed record ModelEntry
{
    /// <summary>Stable id used in configuration, requests and provenance.</summary>
    public required string Id { get; init; }
    /// <summary>What the model is for.</summary>
    public required ModelRole Role { get; init; }
    /// <summary>File name, resolved through <see cref="ModelResolver"/>.</summary>
    public required string File { get; init; }
    /// <summary>Lower-case hex SHA-256 of the file.</summary>
    public required string Sha256 { get; init; }
    /// <summary>File size in bytes.</summary>
    public required long Size { get; init; }
    /// <summary>Where the file comes from.</summary>
    public required string Source { get; init; }
    /// <summary>Licence or terms of use.</summary>
    public required string Licence { get; init; }
    /// <summary>One line on what it is.</summary>
    public string? Description { get; init; }
    /// <summary>Encoder preprocessing (vision-encoder only).</summary>
    public Preprocessing? Preprocessing { get; init; }
    /// <summary>For projectors and mmprojs: the LLM this maps into.</summary>
    public string? ForModel { get; init; }
    /// <summary>Chat template override (Jinja name or text) when the GGUF carries none.</summary>
    public string? ChatTemplate { get; init; }
}

/// <summary>How a CT series becomes encoder input for a vision-language set (<see cref="ModelSet.Ct"/>).</summary>
public sealed record CtSampling
{
    /// <summary>Slices sampled evenly through the series for a 2-D encoder (each encoded and projected; their image tokens are concatenated in order).
    /// Ignored by a 3-D encoder, whose preprocessing depth decides.</summary>
    public int Slices { get; init; } = 8;
    /// <summary>CT windows, one per encoder channel (<c>lung</c>, <c>mediastinum</c>, <c>bone</c>); 1, 3 or 4 names.</summary>
    public IReadOnlyList<string> Windows { get; init; } = ["lung", "mediastinum", "bone"];
}

/// <summary>How a vision-language set turns images into LLM input.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelSetKind>))]
public enum ModelSetKind
{
    /// <summary>Our ONNX image encoder, then our ONNX projector, then the LLM (the default).</summary>
    [JsonStringEnumMemberName("encoder-projector")] EncoderProjector,
    /// <summary>llama.cpp's multimodal library: one mmproj GGUF (vision tower + projector) beside the LLM GGUF
    /// (LLaVA, Gemma 3 / MedGemma, ...).</summary>
    [JsonStringEnumMemberName("mmproj")] Mmproj,
}

/// <summary>
/// A vision-language model set: image encoder, then projector, then LLM (LLaVA style), either as our two ONNX
/// models (<see cref="ModelSetKind.EncoderProjector"/>) or as one llama.cpp mmproj GGUF (<see cref="ModelSetKind.Mmproj"/>).
/// The projector maps the image features into the LLM's embedding space; the set is what <c>reportgen draft --model</c>
/// and the API name.
/// </summary>
public sealed record ModelSet
{
    /// <summary>Stable id of the set (configuration, requests, provenance).</summary>
    public required string Id { get; init; }
    /// <summary>How images reach the LLM; decides which of <see cref="Encoder"/>/<see cref="Projector"/> or <see cref="Mmproj"/> is set.</summary>
    public ModelSetKind Kind { get; init; } = ModelSetKind.EncoderProjector;
    /// <summary>Model id of the LLM (role <c>llm</c>).</summary>
    public required string Llm { get; init; }
    /// <summary>Model id of the image encoder (role <c>vision-encoder</c>); kind <c>encoder-projector</c> only.</summary>
    public string? Encoder { get; init; }
    /// <summary>Model id of the projector (role <c>projector</c>); kind <c>encoder-projector</c> only.</summary>
    public string? Projector { get; init; }
    /// <summary>Model id of the llama.cpp multimodal projector (role <c>mmproj</c>); kind <c>mmproj</c> only.</summary>
    public string? Mmproj { get; init; }
    /// <summary>The imaging the set drafts for: <c>cxr</c> (2-D images) or <c>ct</c> (a series).</summary>
    public string Modality { get; init; } = "cxr";
    /// <summary>CT slice sampling and windows (modality <c>ct</c>; defaults apply when absent).</summary>
    public CtSampling? Ct { get; init; }
    /// <summary>One line on what it is.</summary>
    public string? Description { get; init; }

    /// <summary>The ids of the model files the set needs, LLM first.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> ModelIds => Kind == ModelSetKind.Mmproj
        ? [Llm, Mmproj ?? ""]
        : [Llm, Encoder ?? "", Projector ?? ""];
}

/// <summary><c>models/models.json</c>: every model the service knows.</summary>
public sealed record ModelManifest
{
    /// <summary>Every model file the service can use: id, role, file name, size and SHA-256 of each.</summary>
    public required IReadOnlyList<ModelEntry> Models { get; init; }

    /// <summary>Vision-language model sets built from <see cref="Models"/> (may be empty).</summary>
    public IReadOnlyList<ModelSet> Sets { get; init; } = [];

    /// <summary>The folder the manifest was read from (its <c>models/</c> folder), if read from disk.</summary>
    [JsonIgnore] public string? Directory { get; init; }

    /// <summary>JSON options used for the manifest (camelCase, comments allowed).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>Finds a model by id (ordinal, case-insensitive); null when unknown.</summary>
    public ModelEntry? Find(string id) =>
        Models.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>Finds a vision-language set by id (ordinal, case-insensitive); null when unknown.</summary>
    public ModelSet? FindSet(string id) =>
        Sets.FirstOrDefault(s => string.Equals(s.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads and validates a manifest file.</summary>
    /// <exception cref="InvalidDataException">The manifest is malformed; the message names the entry and field.</exception>
    public static ModelManifest Load(string path)
    {
        ModelManifest? manifest;
        try
        {
            using var stream = System.IO.File.OpenRead(path);
            manifest = JsonSerializer.Deserialize<ModelManifest>(stream, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: invalid model manifest: {ex.Message}", ex);
        }
        if (manifest is null)
        {
            throw new InvalidDataException($"{path}: empty model manifest");
        }
        manifest = manifest with { Directory = Path.GetDirectoryName(Path.GetFullPath(path)) };
        manifest.Validate(path);
        return manifest;
    }

    /// <summary>The default manifest: <c>REPORTGEN_MANIFEST</c>, else <c>models/models.json</c> next to the binaries, else in the checkout.</summary>
    public static string? DefaultPath()
    {
        var env = Environment.GetEnvironmentVariable("REPORTGEN_MANIFEST");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        var besideBinaries = Path.Combine(AppContext.BaseDirectory, "models", "models.json");
        if (System.IO.File.Exists(besideBinaries)) return besideBinaries;
        var inRepo = Hosting.Workspace.RepoRoot is { } root ? Path.Combine(root, "models", "models.json") : null;
        return inRepo is not null && System.IO.File.Exists(inRepo) ? inRepo : null;
    }

    private static string Kind(ModelSet set) => set.Kind == ModelSetKind.Mmproj ? "mmproj" : "encoder-projector";

    private void Validate(string path)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var m in Models)
        {
            string Where(string field) => $"{path}: model '{m.Id}': {field}";
            if (string.IsNullOrWhiteSpace(m.Id)) throw new InvalidDataException($"{path}: a model has no id");
            if (!seen.Add(m.Id)) throw new InvalidDataException(Where("id is duplicated"));
            if (m.File.Contains('/') || m.File.Contains('\\')) throw new InvalidDataException(Where("file must be a bare file name"));
            if (m.Sha256.Length != 64 || !m.Sha256.All(Uri.IsHexDigit)) throw new InvalidDataException(Where("sha256 must be 64 hex digits"));
            if (m.Size <= 0) throw new InvalidDataException(Where("size must be positive"));
            if (m.Role == ModelRole.VisionEncoder && m.Preprocessing is null) throw new InvalidDataException(Where("a vision-encoder needs preprocessing"));
            if (m.Preprocessing is { } p && (p.Mean.Length != p.Std.Length || p.Std.Any(s => s <= 0)))
                throw new InvalidDataException(Where("preprocessing mean/std must have the same length and std > 0"));
        }
        foreach (var set in Sets)
        {
            string Where(string field) => $"{path}: set '{set.Id}': {field}";
            if (string.IsNullOrWhiteSpace(set.Id)) throw new InvalidDataException($"{path}: a set has no id");
            if (!seen.Add(set.Id)) throw new InvalidDataException(Where("id is duplicated (ids are shared by models and sets)"));
            void Expect(string field, string? id, ModelRole role)
            {
                if (string.IsNullOrWhiteSpace(id)) throw new InvalidDataException(Where($"a set of kind {Kind(set)} needs {field}"));
                var m = Find(id) ?? throw new InvalidDataException(Where($"{field} '{id}' is not a model in the manifest"));
                if (m.Role != role) throw new InvalidDataException(Where($"{field} '{id}' is a {m.Role.ToManifestName()}, not a {role.ToManifestName()}"));
                // a projector (ONNX or mmproj) is trained for one LLM's embedding space
                if (m.ForModel is { } forModel && !string.Equals(forModel, set.Llm, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException(Where($"{field} '{id}' maps into '{forModel}', not '{set.Llm}'"));
            }
            void Absent(string field, string? id)
            {
                if (id is not null) throw new InvalidDataException(Where($"a set of kind {Kind(set)} has no {field} (got '{id}')"));
            }
            Expect("llm", set.Llm, ModelRole.Llm);
            if (set.Kind == ModelSetKind.Mmproj)
            {
                Expect("mmproj", set.Mmproj, ModelRole.Mmproj);
                Absent("encoder", set.Encoder);
                Absent("projector", set.Projector);
            }
            else
            {
                Expect("encoder", set.Encoder, ModelRole.VisionEncoder);
                Expect("projector", set.Projector, ModelRole.Projector);
                Absent("mmproj", set.Mmproj);
            }
            if (set.Modality is not ("cxr" or "ct")) throw new InvalidDataException(Where($"modality '{set.Modality}' must be cxr or ct"));
            if (set.Ct is { } ct && (ct.Slices < 1 || ct.Windows.Count is not (1 or 3 or 4)))
                throw new InvalidDataException(Where("ct.slices must be >= 1 and ct.windows must name 1, 3 or 4 windows"));
        }
    }
}
