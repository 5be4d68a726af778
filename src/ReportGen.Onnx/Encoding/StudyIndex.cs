using System.Text.Json;
using System.Text.Json.Nodes;
using ReportGen.Core.Json;
using ReportGen.Imaging;

namespace ReportGen.Onnx;

/// <summary>One stored study of a <see cref="StudyIndex"/>: its id, findings and (when built from files) image path.</summary>
/// <param name="Id">Study id (from the JSONL's <c>id</c>, else the image file name).</param>
/// <param name="Findings">The study's findings text.</param>
/// <param name="Image">The image file it was embedded from, if known.</param>
public sealed record StoredStudy(string Id, string Findings, string? Image);

/// <summary>A retrieval hit: the study and its cosine similarity to the query image.</summary>
public sealed record StudyMatch(StoredStudy Study, double Similarity);

/// <summary>
/// Stored studies for retrieval grounding: each study's pooled encoder vector in an <see cref="ImageEmbeddingIndex"/>,
/// with its findings. Built from a JSONL of <c>{"id"?, "image", "findings"}</c> (image paths relative to the file),
/// saved as one JSON file (<c>reportgen-study-index/2</c>: encoder id and SHA-256, the CPU kernel family, the studies
/// file it was built from, dimension, studies with their vectors) and loaded again without re-encoding. Queries must
/// use the same encoder on the same kernel family (<see cref="CheckUsableWith"/>): int8 encoders give different vectors
/// on AVX2 and VNNI CPUs, so an index made on another family is refused with the command that rebuilds it.
/// </summary>
public sealed class StudyIndex
{
    /// <summary>The saved file's format tag.</summary>
    public const string Format = "reportgen-study-index/2";

    private readonly ImageEmbeddingIndex _index;
    private readonly Dictionary<string, (StoredStudy Study, float[] Vector)> _studies = new(StringComparer.Ordinal);

    /// <summary>Creates an empty index for vectors of the encoder <paramref name="encoderId"/>, made on <paramref name="kernelFamily"/> (default: this machine's).</summary>
    public StudyIndex(string encoderId, int dimension, string? encoderSha256 = null, string? kernelFamily = null, string? source = null)
    {
        EncoderId = encoderId;
        EncoderSha256 = encoderSha256;
        KernelFamily = kernelFamily ?? CpuKernelFamily.Current;
        Source = source;
        _index = new ImageEmbeddingIndex(dimension);
    }

    /// <summary>The encoder (manifest id) whose pooled vectors are stored.</summary>
    public string EncoderId { get; }

    /// <summary>The encoder file's SHA-256 (from the manifest), when known.</summary>
    public string? EncoderSha256 { get; }

    /// <summary>The CPU kernel family the vectors were computed on (<see cref="CpuKernelFamily"/>).</summary>
    public string KernelFamily { get; }

    /// <summary>The studies JSONL the index was built from, when known (named in the rebuild command).</summary>
    public string? Source { get; }

    /// <summary>Floats per vector.</summary>
    public int Dimension => _index.Dimension;

    /// <summary>Stored studies.</summary>
    public int Count => _studies.Count;

    /// <summary>Adds (or replaces) a study.</summary>
    public void Add(StoredStudy study, float[] vector)
    {
        _index.Add(study.Id, vector);
        _studies[study.Id] = (study, vector);
    }

    /// <summary>The <paramref name="k"/> most similar studies to <paramref name="query"/>, best first.</summary>
    public IReadOnlyList<StudyMatch> Search(ReadOnlySpan<float> query, int k) =>
        _index.Search(query, k).Select(m => new StudyMatch(_studies[m.Id].Study, m.Score)).ToArray();

    /// <summary>Builds an index from a studies JSONL, embedding each image with <paramref name="embed"/> (a pooled encoder vector).</summary>
    /// <exception cref="InvalidDataException">A line is not a study (the message names the line and field).</exception>
    /// <exception cref="ImageDecodeException">An image cannot be decoded.</exception>
    public static StudyIndex Build(string jsonlPath, string encoderId, Func<PixelImage, float[]> embed, string? encoderSha256 = null)
    {
        ArgumentNullException.ThrowIfNull(embed);
        var folder = Path.GetDirectoryName(Path.GetFullPath(jsonlPath))!;
        StudyIndex? index = null;
        foreach (var (lineNumber, item) in JsonLines.ReadObjects(jsonlPath))
        {
            var image = Text(item, "image") ?? throw new InvalidDataException($"{jsonlPath}: line {lineNumber} has no \"image\"");
            var findings = Text(item, "findings") ?? throw new InvalidDataException($"{jsonlPath}: line {lineNumber} has no \"findings\"");
            var path = Path.IsPathRooted(image) ? image : Path.Combine(folder, image);
            if (!File.Exists(path)) throw new InvalidDataException($"{jsonlPath}: line {lineNumber}: image not found: {image}");
            var vector = embed(ImageDecoder.Decode(File.ReadAllBytes(path)));
            index ??= new StudyIndex(encoderId, vector.Length, encoderSha256, source: Path.GetFullPath(jsonlPath));
            index.Add(new StoredStudy(Text(item, "id") ?? Path.GetFileNameWithoutExtension(image), findings, image), vector);
        }
        return index ?? throw new InvalidDataException($"{jsonlPath}: no studies");
    }

    /// <summary>Writes the index (studies and vectors) as one JSON file.</summary>
    public void Save(string path)
    {
        var studies = new JsonArray();
        foreach (var (study, vector) in _studies.Values.OrderBy(s => s.Study.Id, StringComparer.Ordinal))
            studies.Add(new JsonObject
            {
                ["id"] = study.Id, ["findings"] = study.Findings, ["image"] = study.Image,
                ["vector"] = new JsonArray(vector.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
            });
        var root = new JsonObject
        {
            ["format"] = Format, ["encoder"] = EncoderId, ["encoder_sha256"] = EncoderSha256, ["kernels"] = KernelFamily, ["source"] = Source,
            ["dimension"] = Dimension, ["studies"] = studies,
        };
        File.WriteAllText(path, root.ToJsonString());
    }

    /// <summary>Reads a saved index.</summary>
    /// <exception cref="InvalidDataException">Not a study index, or a vector of the wrong size.</exception>
    public static StudyIndex Load(string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a study index: {e.Message}");
        }
        if (Text(root, "format") is not { } format || !format.StartsWith("reportgen-study-index/", StringComparison.Ordinal))
            throw new InvalidDataException($"{path}: not a study index (format must be {Format})");
        // Format 1 recorded neither the encoder's hash nor the kernel family: "unknown", which CheckUsableWith refuses.
        var index = new StudyIndex(Text(root, "encoder") ?? throw new InvalidDataException($"{path}: no encoder"), root["dimension"]?.GetValue<int>() ?? 0,
            Text(root, "encoder_sha256"), Text(root, "kernels") ?? "unknown", Text(root, "source"));
        foreach (var node in root["studies"]?.AsArray() ?? [])
        {
            var s = node!.AsObject();
            var vector = s["vector"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
            try
            {
                index.Add(new StoredStudy(Text(s, "id")!, Text(s, "findings") ?? "", Text(s, "image")), vector);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{path}: study '{Text(s, "id")}': {e.Message}");
            }
        }
        return index;
    }

    /// <summary>
    /// Refuses (with the command that rebuilds the index here) an index whose vectors cannot be compared with this
    /// machine's: another encoder, another encoder file, or another CPU kernel family.
    /// </summary>
    /// <exception cref="InvalidDataException">The index was made with another encoder or on another kernel family.</exception>
    public void CheckUsableWith(string encoderId, string? encoderSha256, string path)
    {
        var rebuild = $"rebuild it on this machine: reportgen draft --model SET --image ANY.png --retrieve {Source ?? "STUDIES.jsonl"} --save-index {path}";
        if (EncoderId != encoderId)
            throw new InvalidDataException($"{path}: the index holds '{EncoderId}' vectors, the model set encodes with '{encoderId}'; {rebuild}");
        if (EncoderSha256 is not null && encoderSha256 is not null && !string.Equals(EncoderSha256, encoderSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{path}: the index was made with another '{EncoderId}' file (sha256 {EncoderSha256[..Math.Min(12, EncoderSha256.Length)]}…); {rebuild}");
        if (KernelFamily != CpuKernelFamily.Current)
            throw new InvalidDataException($"{path}: the index was made on {KernelFamily} CPU kernels and this machine runs {CpuKernelFamily.Current}: int8 encoders give different vectors on each; {rebuild}");
    }

    private static string? Text(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;
}
