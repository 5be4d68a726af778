using System.Collections.Concurrent;
using ReportGen.Core.Imaging;
using ReportGen.Llama.Native;
using ReportGen.TestSupport;

namespace ReportGen.Llama.Tests;

/// <summary>
/// The tiny random-weight vision-language fixtures (tests/fixtures/gguf: an LLM GGUF and its mmproj per family) and the
/// libmtmd they need. Tests skip with a visible reason when libmtmd has not been built or a fixture is absent.
/// </summary>
internal static class MtmdFixtures
{
    private static readonly ConcurrentDictionary<string, Lazy<(LlamaModel Model, MultimodalProjector Projector)>> Loaded = new();

    /// <summary>A projector family: its LLM and mmproj files under tests/fixtures/gguf.</summary>
    public sealed record Family(string Name, string Llm, string Mmproj, string ProjectorType, bool NonCausal, bool Mrope = false)
    {
        public override string ToString() => Name;
    }

    public static readonly Family Llava = new("llava", "tiny-llava-llama.gguf", "tiny-llava-mmproj-128.gguf", "mlp", NonCausal: false);
    public static readonly Family Gemma3 = new("gemma3", "tiny-gemma3.gguf", "tiny-gemma3-mmproj.gguf", "gemma3", NonCausal: true);
    public static readonly Family Qwen2Vl = new("qwen2vl", "tiny-qwen2vl.gguf", "tiny-qwen2vl-mmproj.gguf", "qwen2vl_merger", NonCausal: false, Mrope: true);

    public static TheoryData<string> Families => new(Llava.Name, Gemma3.Name, Qwen2Vl.Name);

    public static Family ByName(string name) => name switch
    {
        "gemma3" => Gemma3,
        "qwen2vl" => Qwen2Vl,
        _ => Llava,
    };

    /// <summary>Skips the test when libmtmd is not beside libllama.</summary>
    public static void RequireLibrary()
    {
        LlamaLibrary.EnsureInitialised();
        if (LlamaLibrary.MtmdPath is null)
            Assert.Skip($"libmtmd is not provisioned in {LlamaLibrary.Directory} (run build/native/provision.sh mtmd, then rebuild)");
    }

    /// <summary>A fixture file; skips the test when it is absent.</summary>
    public static string File(string name)
    {
        var path = RepoFiles.Path("tests", "fixtures", "gguf", name);
        if (!System.IO.File.Exists(path)) Assert.Skip($"tests/fixtures/gguf/{name} is absent (made by tools/vlm-fixtures/make_tiny_vlms.py)");
        return path;
    }

    /// <summary>The family's LLM with its mmproj, loaded once per run.</summary>
    public static (LlamaModel Model, MultimodalProjector Projector) Load(Family family)
    {
        RequireLibrary();
        var llm = File(family.Llm);
        var mmproj = File(family.Mmproj);
        return Loaded.GetOrAdd(family.Name, _ => new(() =>
        {
            var model = LlamaModel.Load(llm);
            return (model, MultimodalProjector.Load(model, mmproj, new MultimodalProjectorOptions { Threads = 1 }));
        })).Value;
    }

    /// <summary>A scheduler over the family's LLM (small context, one thread).</summary>
    public static SequenceScheduler Scheduler(LlamaModel model, int sequences = 1, int contextSize = 1024, int batchSize = 512) =>
        new(model, new SchedulerOptions
        {
            Context = new LlamaContextOptions { ContextSize = contextSize, Sequences = sequences, BatchSize = batchSize, Threads = 1 },
            QueueCapacity = 16,
        });

    /// <summary>A deterministic RGB test picture: a gradient with a bright disc whose place depends on <paramref name="seed"/>.</summary>
    public static RgbImage Picture(int seed, int width = 64, int height = 48)
    {
        var px = new byte[width * height * 3];
        var (cx, cy) = (width * (1 + seed % 3) / 4, height * (1 + seed / 3 % 3) / 4);
        for (var y = 0; y < height; y++)
        for (var x = 0; x < width; x++)
        {
            var i = (y * width + x) * 3;
            var inDisc = (x - cx) * (x - cx) + (y - cy) * (y - cy) < width * height / 40;
            px[i] = (byte)(inDisc ? 250 : x * 255 / width);
            px[i + 1] = (byte)(inDisc ? 240 : y * 255 / height);
            px[i + 2] = (byte)((x + y + 40 * seed) % 256);
        }
        return new RgbImage(width, height, px);
    }
}
