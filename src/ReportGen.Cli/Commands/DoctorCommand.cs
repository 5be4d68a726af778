using System.CommandLine;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using ReportGen.Api.Apis;
using ReportGen.Api.Hosting;
using ReportGen.Core.Models;
using ReportGen.Llama.Native;
using ReportGen.Onnx.Native;
using ReportGen.Pipelines.Remote;

namespace ReportGen.Cli.Commands;

/// <summary><c>reportgen doctor</c>: what is installed, what loads, which models are usable.</summary>
internal static class DoctorCommand
{
    public static Command Create()
    {
        var remote = new Option<string?>("--remote")
        {
            Description = "Remote inference engines to check (comma-separated URLs; default: ReportGen__Llm__RemoteUrl or REPORTGEN_LLM_URL)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ReportGen__Llm__RemoteUrl") is { Length: > 0 } url ? url
                : Environment.GetEnvironmentVariable(CliChatClients.LlmUrlEnvironmentVariable),
        };
        var visionFamily = new Option<string?>("--vision-family")
        {
            Description = $"The remote engines' declared vision-language family (default: {VisionFamilyServiceVariable} or {DraftEngine.VisionFamilyEnvironmentVariable})",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(VisionFamilyServiceVariable) is { Length: > 0 } family ? family
                : Environment.GetEnvironmentVariable(DraftEngine.VisionFamilyEnvironmentVariable),
        };
        var command = new Command("doctor", "Check the .NET runtime, the native llama.cpp and ONNX Runtime libraries, CPU features, every model in the manifest and the remote engines") { remote, visionFamily };
        command.SetAction((parse, _) => Task.FromResult(Run(Console.Out, parse.GetValue(remote), parse.GetValue(visionFamily))));
        return command;
    }

    // The service's setting ReportGen:Llm:RemoteVisionFamily as an environment variable.
    private const string VisionFamilyServiceVariable = "ReportGen__Llm__RemoteVisionFamily";

    /// <summary>
    /// Asks each remote endpoint what it serves (kind, model, context size) and whether it is healthy, as the service
    /// does at start-up, then whether drafting from images can go to them (<see cref="CheckRemoteVisionAsync"/>).
    /// Returns false when one is unreachable or unhealthy, or the declared vision family cannot draft.
    /// </summary>
    internal static async Task<bool> CheckRemoteAsync(TextWriter o, string urls, CancellationToken cancellationToken, string? visionFamily = null)
    {
        await using var pool = new RemoteEnginePool(RemoteEnginePool.ParseUrls(urls), new RemoteEngineOptions { Timeout = TimeSpan.FromSeconds(5) });
        await pool.StartAsync(TimeSpan.FromSeconds(5), cancellationToken);
        await pool.ProbeAllAsync(cancellationToken);
        foreach (var e in pool.Endpoints)
        {
            var info = e.Info;
            o.WriteLine(e.Healthy
                ? $"remote        {e.Name}: {info.Kind}, model {info.Model ?? "(not reported)"}, context {(info.ContextSize is { } n ? n + " tokens" : "not reported")}, healthy"
                : $"remote        {e.Name}: UNHEALTHY ({e.LastError})");
        }
        return pool.Endpoints.All(e => e.Healthy) & await CheckRemoteVisionAsync(o, pool, visionFamily, cancellationToken);
    }

    /// <summary>
    /// The remote engines' declared vision-language family and whether drafting from images is therefore available: not
    /// declared (drafts from images then need a local model set), an unknown family, or a declared one that a
    /// llama-server's <c>/props</c> says takes no images (no <c>--mmproj</c>) fail; a declared one names its prompt.
    /// </summary>
    internal static async Task<bool> CheckRemoteVisionAsync(TextWriter o, RemoteEnginePool pool, string? family, CancellationToken cancellationToken)
    {
        const string Label = "remote vision ";
        RemoteVisionModel? model;
        try
        {
            model = RemoteVisionModel.Create(family, null, "family");
        }
        catch (InvalidOperationException ex)
        {
            o.WriteLine($"{Label}{ex.Message}: drafting from images on the remote engine is NOT available");
            return false;
        }
        if (model is null)
        {
            o.WriteLine($"{Label}no family declared: drafting from images does not go to the remote engine (a local model set drafts them); set {VisionFamilyServiceVariable} "
                + $"(the service) or {DraftEngine.VisionFamilyEnvironmentVariable} (the CLI) to llava, gemma3, qwen2vl or other when it serves a vision-language model");
            return true;
        }
        try
        {
            await model.CheckSeesImagesAsync(pool, cancellationToken);
        }
        catch (RequestFieldException ex)
        {
            o.WriteLine($"{Label}family {model.Family} declared, but {ex.Message}: drafting from images on the remote engine is NOT available");
            return false;
        }
        o.WriteLine($"{Label}family {model.Family} (prompt {model.PromptName}): drafting from images on the remote engine is available");
        return true;
    }

    /// <summary>
    /// Prints the report; returns 0 when both native runtimes load and every remote engine in <paramref name="remote"/> is
    /// healthy (and can draft from images when <paramref name="visionFamily"/> is declared), 1 otherwise.
    /// </summary>
    internal static int Run(TextWriter o, string? remote = null, string? visionFamily = null)
    {
        var failed = false;
        o.WriteLine($".NET          {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier}, {Environment.ProcessorCount} cores)");
        o.WriteLine($"CPU features  {CpuFeatures()}");

        try
        {
            var llama = LlamaRuntimeInfo.Read();
            o.WriteLine($"llama.cpp     {llama.Build} from {llama.LibraryDirectory}");
            o.WriteLine($"  backends    {string.Join(", ", llama.Backends)}; CPU variant loaded: {llama.CpuVariant ?? "none"}; GPU offload: {(llama.SupportsGpuOffload ? "yes" : "no")}");
            o.WriteLine($"  devices     {string.Join("; ", llama.Devices)}");
            o.WriteLine($"  features    {llama.SystemInfo}");
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            failed = true;
            o.WriteLine($"llama.cpp     FAILED to load: {ex.Message}");
        }

        // Optional: without libmtmd only drafting with mmproj (GGUF vision) sets is off, so it never fails doctor.
        MtmdBuildInfo? mtmd = null;
        try
        {
            mtmd = MtmdBuildInfo.Read(LlamaLibrary.Directory);
            o.WriteLine(mtmd is null
                ? $"mtmd          not built: drafting with mmproj model sets is off; install cmake and g++ and run dotnet build again (bash build/native/provision.sh mtmd {LlamaLibrary.Directory} shows why it failed)"
                : $"mtmd          llama.cpp {mtmd.Commit[..Math.Min(12, mtmd.Commit.Length)]} from {mtmd.Source} ({mtmd.LibraryPath}); {mtmd.ProjectorTypes.Count} projector types: {string.Join(", ", mtmd.ProjectorTypes)}");
        }
        catch (InvalidDataException ex)
        {
            o.WriteLine($"mtmd          unusable: {ex.Message}");
        }

        try
        {
            o.WriteLine($"ONNX Runtime  {OrtLibrary.Version()} from {OrtLibrary.Directory}");
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            failed = true;
            o.WriteLine($"ONNX Runtime  FAILED to load: {ex.Message}");
        }

        var manifestPath = ModelManifest.DefaultPath();
        if (manifestPath is null)
        {
            o.WriteLine("models        no models/models.json found (set REPORTGEN_MANIFEST)");
        }
        else
        {
            var manifest = ModelManifest.Load(manifestPath);
            var resolver = ModelResolver.CreateDefault(manifest);
            o.WriteLine($"models        {manifestPath}; searched {string.Join(", ", resolver.SearchFolders)}");
            foreach (var entry in manifest.Models)
            {
                var r = resolver.Resolve(entry);
                var status = r.Status switch
                {
                    ModelFileStatus.Ok => "found, hash ok",
                    ModelFileStatus.Missing => "missing",
                    _ => $"HASH MISMATCH ({r.Path})",
                };
                o.WriteLine($"  {entry.Id,-22} {entry.Role.ToManifestName(),-14} {entry.File,-28} {status}{(r.Path is not null && r.Status == ModelFileStatus.Ok ? $" ({r.Path})" : "")}");
            }
            foreach (var set in manifest.Sets)
            {
                // A vision-language set is usable when its files resolve (the test projectors need tests/fixtures/onnx,
                // the tiny mmprojs tests/fixtures/gguf, in REPORTGEN_MODELS); an mmproj set also needs libmtmd.
                var missing = set.ModelIds.Where(id => resolver.Resolve(id).Status != ModelFileStatus.Ok).ToList();
                var chain = set.Kind == ModelSetKind.Mmproj ? $"{set.Mmproj} (mmproj) -> {set.Llm}" : $"{set.Encoder} -> {set.Projector} -> {set.Llm}";
                var ready = missing.Count > 0 ? "not ready, missing " + string.Join(", ", missing)
                    : set.Kind == ModelSetKind.Mmproj && mtmd is null ? "not ready, libmtmd is not built (see mtmd above)"
                    : "ready";
                o.WriteLine($"  set {set.Id,-18} {set.Modality,-14} {chain}: {ready}");
            }
        }

        var remoteFailed = remote is { Length: > 0 } && !CheckRemoteAsync(o, remote, CancellationToken.None, visionFamily).GetAwaiter().GetResult();
        o.WriteLine(failed ? "doctor: a required native runtime could not load" : remoteFailed ? "doctor: a remote engine is unreachable or unhealthy" : "doctor: ok");
        return failed || remoteFailed ? 1 : 0;
    }

    private static string CpuFeatures()
    {
        var features = new List<string>();
        if (Sse42.IsSupported) features.Add("SSE4.2");
        if (Avx.IsSupported) features.Add("AVX");
        if (Avx2.IsSupported) features.Add("AVX2");
        if (Fma.IsSupported) features.Add("FMA");
        if (Avx512F.IsSupported) features.Add("AVX512F");
        if (Avx512BW.IsSupported) features.Add("AVX512BW");
        if (Avx10v1.IsSupported) features.Add("AVX10.1");
        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) features.Add("NEON");
        return features.Count == 0 ? "(none detected)" : string.Join(" ", features);
    }
}
