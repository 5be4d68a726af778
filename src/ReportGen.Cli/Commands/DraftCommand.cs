using System.CommandLine;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ReportGen.Api.Hosting;
using ReportGen.Core.Hosting;
using ReportGen.Core.Models;
using ReportGen.Imaging;
using ReportGen.Imaging.Ct;
using ReportGen.Llama;
using ReportGen.Llama.Native;
using ReportGen.Onnx;
using System.Diagnostics;
using ReportGen.Pipelines.Audit;
using ReportGen.Pipelines.Drafting;
using ReportGen.Pipelines.Prompts;

namespace ReportGen.Cli.Commands;

/// <summary>What <c>reportgen draft</c> was asked to do (one record so tests can call <see cref="DraftCommand.RunAsync"/>).</summary>
internal sealed record DraftCliOptions
{
    public required string Image { get; init; }
    public string? Lateral { get; init; }
    public string? Prior { get; init; }
    public string? PriorReport { get; init; }
    public string? Indication { get; init; }
    public string? Technique { get; init; }
    public string? Comparison { get; init; }
    public bool Grounded { get; init; }
    public string Modality { get; init; } = "cxr";
    public string? Model { get; init; }
    public bool Stream { get; init; }
    public string? Retrieve { get; init; }
    public int K { get; init; } = 3;
    /// <summary>When <see cref="Retrieve"/> is a studies JSONL: also save the built index here (a .json to pass to --retrieve later).</summary>
    public string? SaveIndex { get; init; }
    public int? MaxTokens { get; init; }
    /// <summary>LLM threads; null: REPORTGEN_LLM_THREADS or all cores.</summary>
    public int? Threads { get; init; }
}

/// <summary>
/// <c>reportgen draft --image FILE [--lateral FILE] [--prior FILE --prior-report FILE] [--indication TEXT]
/// [--technique TEXT] [--comparison TEXT] [--grounded] [--modality cxr|ct] [--model SET_OR_LLM] [--stream]
/// [--retrieve INDEX --k N [--save-index FILE]]</c>: prints <c>{"findings": [{"text", "boxes"}], "impression", ..., "provenance"}</c>
/// (with <c>--stream</c>: one NDJSON line per finding as it is produced, then a <c>done</c> line). Logs and errors go to
/// stderr; bad input exits 2 with one line, a runtime failure exits 1.
/// </summary>
internal static class DraftCommand
{
    private const string Verb = "reportgen draft";

    public static Command Create()
    {
        var image = new Option<string>("--image") { Description = "Current frontal image (PNG, JPEG, DICOM); for --modality ct a folder or zip of the DICOM series", Required = true };
        var lateral = new Option<string?>("--lateral") { Description = "Current lateral image" };
        var prior = new Option<string?>("--prior") { Description = "Prior frontal image" };
        var priorReport = new Option<string?>("--prior-report") { Description = "Prior report (text file)" };
        var indication = new Option<string?>("--indication") { Description = "Indication" };
        var technique = new Option<string?>("--technique") { Description = "Technique" };
        var comparison = new Option<string?>("--comparison") { Description = "Comparison" };
        var grounded = new Option<bool>("--grounded") { Description = "Ask for grounded findings (boxes)" };
        var modality = new Option<string>("--modality") { Description = "cxr | ct", DefaultValueFactory = _ => "cxr" };
        var model = new Option<string?>("--model") { Description = "Vision-language set id (models.json \"sets\"), or a text-only LLM id / GGUF path; default: the first set of the modality" };
        var stream = new Option<bool>("--stream") { Description = "Print findings as NDJSON lines as they are produced" };
        var retrieve = new Option<string?>("--retrieve") { Description = "Study index for retrieval grounding: a saved index (.json) or a studies JSONL ({id, image, findings})" };
        var k = new Option<int>("--k") { Description = "Similar studies to retrieve", DefaultValueFactory = _ => 3 };
        var saveIndex = new Option<string?>("--save-index") { Description = "With --retrieve STUDIES.jsonl: save the built index to this .json file for later runs" };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Max tokens to generate (default: the prompt's)" };
        var command = new Command("draft", "Draft findings for a study (optionally grounded)")
        {
            image, lateral, prior, priorReport, indication, technique, comparison, grounded, modality, model, stream, retrieve, k, saveIndex, maxTokens,
        };
        command.SetAction((parse, ct) => RunAsync(new DraftCliOptions
        {
            Image = parse.GetValue(image)!, Lateral = parse.GetValue(lateral), Prior = parse.GetValue(prior), PriorReport = parse.GetValue(priorReport),
            Indication = parse.GetValue(indication), Technique = parse.GetValue(technique), Comparison = parse.GetValue(comparison),
            Grounded = parse.GetValue(grounded), Modality = parse.GetValue(modality)!, Model = parse.GetValue(model), Stream = parse.GetValue(stream),
            Retrieve = parse.GetValue(retrieve), K = parse.GetValue(k), SaveIndex = parse.GetValue(saveIndex), MaxTokens = parse.GetValue(maxTokens),
        }, Console.Out, Console.Error, null, ct));
        return command;
    }

    /// <summary>Runs the verb. <paramref name="resolver"/> null: the default manifest and search folders.</summary>
    internal static async Task<int> RunAsync(DraftCliOptions o, TextWriter stdout, TextWriter stderr, ModelResolver? resolver, CancellationToken cancellationToken)
    {
        try
        {
            return await RunCoreAsync(o, stdout, stderr, resolver, cancellationToken).ConfigureAwait(false);
        }
        catch (DraftInputException e)
        {
            return Fail(stderr, 2, e.Message);
        }
        catch (ImageDecodeException e)
        {
            return Fail(stderr, 2, $"cannot decode image: {e.Message}");
        }
        catch (MultimodalProjectorException e)
        {
            return Fail(stderr, 2, $"--model: {e.Message}");
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith(DraftEngine.VisionFamilyEnvironmentVariable, StringComparison.Ordinal))
        {
            return Fail(stderr, 2, e.Message);
        }
        catch (Api.Apis.RequestFieldException e)
        {
            // A remote engine that says it takes no images.
            return Fail(stderr, 2, e.Message);
        }
        catch (ModelInputException e)
        {
            // The runtime refuses what the model cannot take (an image too large for the context).
            return Fail(stderr, 2, e.Message);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or KeyNotFoundException or LlamaException
                                      or OnnxRuntimeException or DllNotFoundException or NotSupportedException or PromptRenderException)
        {
            return Fail(stderr, 1, e.Message);
        }
    }

    private static async Task<int> RunCoreAsync(DraftCliOptions o, TextWriter stdout, TextWriter stderr, ModelResolver? resolver, CancellationToken cancellationToken)
    {
        if (o.K < 1) throw new DraftInputException("k", "--k must be >= 1");
        // Inputs first: bad input fails fast, before any model is loaded.
        var study = DraftInputs.Builder.Build(new DraftStudyInput
        {
            Frontal = DraftInputs.ReadStudyFile(o.Image, o.Modality), Lateral = DraftInputs.ReadFile(o.Lateral, "lateral"), Prior = DraftInputs.ReadFile(o.Prior, "prior"),
            PriorReport = o.PriorReport is null ? null : DraftInputs.ReadText(o.PriorReport, "prior_report"),
            Indication = o.Indication, Technique = o.Technique, Comparison = o.Comparison, Grounded = o.Grounded, Modality = o.Modality, MaxTokens = o.MaxTokens,
        });

        using var engine = DraftEngine.Open(resolver, o.Model, study.Modality, o.Threads, stderr);
        await engine.CheckAsync(cancellationToken).ConfigureAwait(false);
        var set = engine.Set;
        var evidence = o.Retrieve is null ? null : DraftRetrieval.Retrieve(o.Retrieve, o.K, set, study, o.SaveIndex, stderr);
        var request = engine.Prepare(study).ToRequest(engine.View, evidence);

        var service = engine.Service;
        var start = Stopwatch.GetTimestamp();
        JsonObject ProvenanceNow() => JsonSerializer.SerializeToNode(engine.ProvenanceOf(study.ImageCount, Provenance.Since(start)))!.AsObject();
        var json = new JsonSerializerOptions { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        if (o.Stream)
        {
            var index = 0;
            DraftResult? final = null;
            await foreach (var finding in service.StreamFindingsAsync(request, cancellationToken, r => final = r).ConfigureAwait(false))
            {
                var line = new JsonObject { ["type"] = "finding", ["index"] = index++ };
                foreach (var (key, value) in DraftJson.Finding(finding)) line[key] = value?.DeepClone();
                await stdout.WriteLineAsync(line.ToJsonString(json)).ConfigureAwait(false);
                await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            var done = DraftJson.Result(final!, request, study.FrontalSize, ProvenanceNow());
            done.Remove("findings");
            var last = new JsonObject { ["type"] = "done", ["findings_count"] = index };
            foreach (var (key, value) in done) last[key] = value?.DeepClone();
            await stdout.WriteLineAsync(last.ToJsonString(json)).ConfigureAwait(false);
            return 0;
        }
        var result = await service.DraftAsync(request, cancellationToken).ConfigureAwait(false);
        await stdout.WriteLineAsync(DraftJson.Result(result, request, study.FrontalSize, ProvenanceNow()).ToJsonString(json)).ConfigureAwait(false);
        return 0;
    }

    private static int Fail(TextWriter stderr, int code, string message)
    {
        stderr.WriteLine($"{Verb}: {message.Split('\n')[0].Trim()}");
        return code;
    }
}

/// <summary>
/// The drafting stack for one command: a vision-language set (<see cref="VisionLanguageModelSet"/>) or a text-only
/// LLM, its chat client and the <see cref="DraftingService"/>; shared by <c>draft</c> and <c>eval draft</c>.
/// </summary>
internal sealed class DraftEngine : IDisposable
{
    private readonly IChatClient _chat;

    private DraftEngine(VisionLanguageModelSet? set, MultimodalModelSet? mmprojSet, IChatClient chat, PromptLibrary prompts, string llmId, string? llmSha,
        RemoteVisionModel? remote = null, string modality = "cxr")
    {
        Set = set;
        MmprojSet = mmprojSet;
        Remote = remote;
        _chat = chat;
        Prompts = prompts;
        LlmId = llmId;
        LlmSha256 = llmSha;
        Service = new DraftingService(chat, prompts, attachImages: set is not null || mmprojSet is not null || remote is not null,
            promptName: remote?.PromptFor(modality) ?? DraftingService.PromptFor(mmprojSet?.Projector.ProjectorType));
    }

    /// <summary>REPORTGEN_LLM_VISION_FAMILY: with REPORTGEN_LLM_URL, the remote engine serves a vision-language model of this family.</summary>
    public const string VisionFamilyEnvironmentVariable = "REPORTGEN_LLM_VISION_FAMILY";

    /// <summary>A vision-language model on the remote engine of REPORTGEN_LLM_URL (null for a local model).</summary>
    public RemoteVisionModel? Remote { get; }

    /// <summary>The study as the model gets it: for a remote engine, its images as PNG (<see cref="RemoteVisionModel.ForRemote(DraftStudy)"/>).</summary>
    public DraftStudy Prepare(DraftStudy study) => Remote?.ForRemote(study) ?? study;

    /// <summary>For a remote engine: refuses one that says it takes no images (llama-server without --mmproj).</summary>
    public Task CheckAsync(CancellationToken cancellationToken) =>
        Remote is { } remote && _chat.GetService(typeof(Pipelines.Remote.RemoteEnginePool)) is Pipelines.Remote.RemoteEnginePool pool
            ? remote.CheckSeesImagesAsync(pool, cancellationToken)
            : Task.CompletedTask;

    /// <summary>An ONNX encoder + projector set (null for an mmproj set or a text-only LLM).</summary>
    public VisionLanguageModelSet? Set { get; }
    /// <summary>An mmproj set run by libmtmd (owned by the chat client).</summary>
    public MultimodalModelSet? MmprojSet { get; }
    /// <summary>The set's id, or null for a text-only LLM.</summary>
    public string? SetId => Set?.Id ?? MmprojSet?.Id ?? (Remote is { } r ? "remote:" + r.Family : null);
    /// <summary>The preprocessing grounded boxes map back through: the ONNX encoder's or the mmproj's letterbox view.</summary>
    public Preprocessing? View => Set?.EncoderPreprocessing ?? MmprojSet?.Projector.View ?? Remote?.View;
    public PromptLibrary Prompts { get; }
    public DraftingService Service { get; }
    public string LlmId { get; }
    public string? LlmSha256 { get; }

    /// <summary>Opens <paramref name="model"/> (a set id, an llm id or a GGUF path; null: the first set of the modality).</summary>
    /// <exception cref="DraftInputException">The model does not fit the request.</exception>
    public static DraftEngine Open(ModelResolver? resolver, string? model, string modality, int? threads, TextWriter stderr)
    {
        if (Environment.GetEnvironmentVariable(CliChatClients.LlmUrlEnvironmentVariable) is { Length: > 0 })
        {
            // The model on a remote engine: only a declared vision-language family sees the images.
            var remote = RemoteVisionModel.Create(Environment.GetEnvironmentVariable(VisionFamilyEnvironmentVariable), null, VisionFamilyEnvironmentVariable)
                ?? throw new DraftInputException("model", $"{CliChatClients.LlmUrlEnvironmentVariable} is set but {VisionFamilyEnvironmentVariable} is not: set it (llava, gemma3, qwen2vl or other) when the remote engine serves a vision-language model (llama-server --mmproj)");
            var chat = CliChatClients.Create(model) ?? throw new DraftInputException("model", $"{CliChatClients.LlmUrlEnvironmentVariable}: no remote engine");
            var llm = CliChatClients.ProvenanceOf(model);
            return new DraftEngine(null, null, chat, PromptLibrary.LoadDefault(), llm.Id, llm.Sha256, remote, modality);
        }
        resolver ??= ModelResolver.CreateDefault(ModelManifest.Load(ModelManifest.DefaultPath() ?? throw new FileNotFoundException("no models/models.json found (set REPORTGEN_MANIFEST)")));
        var manifest = resolver.Manifest;
        var setId = model is null ? DefaultSet(ref resolver, modality, stderr) : manifest.FindSet(model)?.Id;
        if (setId is not null && manifest.FindSet(setId)!.Modality != modality)
            throw new DraftInputException("model", $"--model: set '{setId}' is for {manifest.FindSet(setId)!.Modality}, not {modality}");

        if (setId is not null && MultimodalModelSet.IsMmprojSet(resolver, setId))
        {
            // LLM GGUF + mmproj: libmtmd encodes the images; the chat client owns the loaded set.
            var mmproj = MultimodalModelSet.Load(resolver, setId, projectorOptions: new MultimodalProjectorOptions { Threads = threads ?? CliChatClients.ThreadsFromEnvironment() });
            try
            {
                return new DraftEngine(null, mmproj, CliChatClients.Local(mmproj, threads), PromptLibrary.LoadDefault(), mmproj.Llm.Entry.Id, mmproj.Llm.Entry.Sha256);
            }
            catch
            {
                mmproj.Dispose();
                throw;
            }
        }
        var set = setId is null ? null : VisionLanguageModelSet.Load(resolver, setId, logger: new StderrLogger(stderr, "reportgen draft"));
        try
        {
            string llmPath, llmId;
            string? llmSha;
            if (set is not null)
            {
                (llmPath, llmId, llmSha) = (set.Llm.Path!, set.Llm.Entry.Id, set.Llm.Entry.Sha256);
            }
            else if (manifest.Find(model!) is { } entry)
            {
                if (entry.Role != ModelRole.Llm) throw new DraftInputException("model", $"--model: '{entry.Id}' is a {entry.Role.ToManifestName()}, not an llm or a model set");
                (llmPath, llmId, llmSha) = (resolver.RequirePath(entry.Id), entry.Id, entry.Sha256);
            }
            else if (File.Exists(model))
            {
                (llmPath, llmId, llmSha) = (model!, Path.GetFileName(model!), null);
            }
            else
            {
                throw new DraftInputException("model", $"--model: '{model}' is neither a model set ({string.Join(", ", manifest.Sets.Select(s => s.Id))}), an llm id nor a GGUF file");
            }
            if (set is null) stderr.WriteLine($"reportgen draft: warning: '{llmId}' is a text-only model: the images are not used");
            var chat = CliChatClients.Local(LlamaModel.Load(llmPath), llmId, set, threads);
            return new DraftEngine(set, null, chat, PromptLibrary.LoadDefault(), llmId, llmSha);
        }
        catch
        {
            set?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Without --model: the first set of the modality whose files are all present (the test sets' projectors live in
    /// tests/fixtures, so a checkout without REPORTGEN_MODELS may have none); when none is, one line says what to add.
    /// </summary>
    // Without --model: the first set of the modality whose files are all in the search folders (models/,
    // REPORTGEN_MODELS, ../shared/models). Failing that, in a checkout, the repository's test sets (tests/fixtures:
    // tiny random-weight projectors and VLMs) so `reportgen draft --image X` runs on a fresh clone; it says so in one
    // line on stderr, since their findings do not follow the image. llama.cpp's multimodal sets come first when
    // libmtmd is built (the main road), then the sets with the most trained weights (../shared/models' IU X-ray LLaMA).
    private static string DefaultSet(ref ModelResolver resolver, string modality, TextWriter stderr)
    {
        var sets = resolver.Manifest.Sets.Where(s => s.Modality == modality).ToList();
        if (sets.Count == 0) throw new DraftInputException("model", $"--model: models.json has no {modality} model set; pass --model");
        var missing = new List<string>();
        foreach (var set in sets)
        {
            var absent = set.ModelIds.Select(resolver.Resolve).Where(r => r.Status != ModelFileStatus.Ok).Select(r => r.Entry.File).ToList();
            if (absent.Count == 0) return set.Id;
            missing.Add($"{set.Id} needs {string.Join(", ", absent)}");
        }
        var fixtures = Workspace.RepoRoot is { } root
            ? new[] { "gguf", "onnx" }.Select(f => Path.Combine(root, "tests", "fixtures", f)).Where(Directory.Exists).ToList()
            : [];
        if (fixtures.Count > 0)
        {
            var widened = new ModelResolver(resolver.Manifest, [.. resolver.SearchFolders, .. fixtures]);
            var mtmd = LlamaLibrary.MtmdPath is not null;
            var pick = sets
                .Select(set => (Set: set, Files: set.ModelIds.Select(widened.Resolve).ToList()))
                .Where(c => c.Files.All(r => r.Status == ModelFileStatus.Ok) && (mtmd || c.Set.Kind != ModelSetKind.Mmproj))
                .OrderByDescending(c => c.Set.Kind == ModelSetKind.Mmproj)
                .ThenByDescending(c => c.Files.Where(r => !fixtures.Any(f => r.Path!.StartsWith(f + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
                    .Sum(r => new FileInfo(r.Path!).Length))
                .FirstOrDefault();
            if (pick.Set is { } chosen)
            {
                resolver = widened;
                stderr.WriteLine($"reportgen draft: no --model and no {modality} set in models/, REPORTGEN_MODELS or ../shared/models; using the test set '{chosen.Id}' from tests/fixtures (untrained projector: the findings do not follow the image)");
                return chosen.Id;
            }
        }
        throw new DraftInputException("model",
            $"--model: no {modality} model set has all its files ({string.Join("; ", missing)}); put them in models/ or a folder named by REPORTGEN_MODELS (the test sets: REPORTGEN_MODELS=tests/fixtures/gguf for the tiny VLMs, tests/fixtures/onnx for the ONNX projectors), or pass --model");
    }

    /// <summary>Models with their manifest hashes (the LLM, and the set's encoder and projector, or its mmproj), as the service lists them.</summary>
    public IReadOnlyList<ModelProvenance> Models
    {
        get
        {
            var llm = new ModelProvenance(LlmId, LlmSha256 ?? "unverified", "llm");   // a remote engine's: "remote:<origin>"
            return (Set, MmprojSet) switch
            {
                ({ } set, _) => [llm, new(set.Encoder.Entry.Id, set.Encoder.Entry.Sha256, "vision-encoder"), new(set.Projector.Entry.Id, set.Projector.Entry.Sha256, "projector")],
                (_, { } mm) => [llm, new(mm.Mmproj.Entry.Id, mm.Mmproj.Entry.Sha256, "mmproj")],
                _ => [llm],
            };
        }
    }

    /// <summary>The provenance of a draft, built as the service builds it (<see cref="PipelineProvenance.ForDraft"/>).</summary>
    public Provenance ProvenanceOf(int images, double elapsedMs) =>
        PipelineProvenance.ForDraft(SetId, Models, Prompts[Service.Prompt], SetId is null ? 0 : images, elapsedMs);

    public void Dispose()
    {
        _chat.Dispose();
        Set?.Dispose();
    }
}

/// <summary>
/// Reads the files <c>reportgen draft</c> and <c>eval draft</c> name (missing files are exit 2 naming the option) and
/// hands them to the draft front door (<see cref="DraftStudyBuilder"/>), with the options' names in its messages.
/// </summary>
internal static class DraftInputs
{
    /// <summary>The front door, naming fields as options (<c>frontal</c> is <c>--image</c>); no per-image limit beyond the decoder's.</summary>
    public static DraftStudyBuilder Builder { get; } = BuilderFor(Option);

    /// <summary>The front door with <paramref name="label"/> naming fields in its messages.</summary>
    public static DraftStudyBuilder BuilderFor(Func<string, string> label) => new(new StudyImageDecoder(), ImageDecodeOptions.Default.MaxInputBytes, label);

    /// <summary>The option that carries a front-door field.</summary>
    public static string Option(string field) => field == "frontal" ? "--image" : "--" + field.Replace('_', '-');

    /// <summary>The <c>--image</c> file; for <c>--modality ct</c> a folder of DICOM files is zipped here, in memory.</summary>
    public static DraftStudyFile ReadStudyFile(string path, string? modality)
    {
        if (!Directory.Exists(path) || !string.Equals(modality?.Trim(), "ct", StringComparison.OrdinalIgnoreCase)) return ReadFile(path, "frontal")!;
        var files = Directory.GetFiles(path).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new DraftInputException("frontal", $"--image: folder {path} is empty");
        using var ms = new MemoryStream();
        using (var archive = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var file in files)
                archive.CreateEntryFromFile(file, Path.GetFileName(file), CompressionLevel.NoCompression);
        return new DraftStudyFile(ms.ToArray(), Path.GetFileName(Path.TrimEndingDirectorySeparator(path)));
    }

    /// <summary>An image file for <paramref name="field"/>; null path is null.</summary>
    public static DraftStudyFile? ReadFile(string? path, string field)
    {
        if (path is null) return null;
        if (Directory.Exists(path)) throw new DraftInputException(field, $"{Option(field)}: {path} is a folder, not an image");
        if (!File.Exists(path)) throw new DraftInputException(field, $"{Option(field)}: file not found: {path}");
        try
        {
            return new DraftStudyFile(File.ReadAllBytes(path), Path.GetFileName(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DraftInputException(field, $"{Option(field)}: cannot read {path}: {e.Message}");
        }
    }

    public static string ReadText(string path, string field)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DraftInputException(field, $"{Option(field)}: cannot read {path}: {e.Message}");
        }
    }
}
