using System.Collections.Concurrent;
using ReportGen.TestSupport;

namespace ReportGen.Llama.Tests;

/// <summary>The shared tiny models, loaded once per test run (loading is the slow part).</summary>
internal static class TestModels
{
    private static readonly ConcurrentDictionary<string, Lazy<LlamaModel>> Loaded = new();

    public static LlamaModel Stories() => Get("stories260K.gguf");

    public static LlamaModel IuXray() => Get("iu-xray-tiny-llama.gguf");

    private static LlamaModel Get(string file)
    {
        var path = SharedData.Model(file);
        return Loaded.GetOrAdd(path, p => new Lazy<LlamaModel>(() => LlamaModel.Load(p))).Value;
    }

    /// <summary>A small scheduler over stories260K: short context, few threads, to keep tests fast.</summary>
    public static SequenceScheduler Scheduler(int sequences = 1, int contextSize = 1024, int queueCapacity = 16, LlamaModel? model = null,
        bool reusePrefix = true, bool sharePrefix = true, bool unifiedKv = true) =>
        new(model ?? Stories(), new SchedulerOptions
        {
            Context = new LlamaContextOptions { ContextSize = contextSize, Sequences = sequences, BatchSize = 256, Threads = 1, UnifiedKvCache = unifiedKv },
            QueueCapacity = queueCapacity,
            ReusePromptPrefix = reusePrefix,
            SharePromptPrefix = sharePrefix,
        });
}
