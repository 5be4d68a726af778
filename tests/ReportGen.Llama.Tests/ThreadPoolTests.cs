using System.Runtime.InteropServices;
using ReportGen.Llama.Native;

namespace ReportGen.Llama.Tests;

/// <summary>The persistent ggml CPU thread pool each context decodes on.</summary>
public class ThreadPoolTests
{
    [Fact]
    public void Thread_pool_params_match_the_pinned_ggml_h()
    {
        Marshal.SizeOf<GgmlThreadPoolParams>().ShouldBe(528);
        Marshal.OffsetOf<GgmlThreadPoolParams>(nameof(GgmlThreadPoolParams.NThreads)).ToInt32().ShouldBe(512);
        Marshal.OffsetOf<GgmlThreadPoolParams>(nameof(GgmlThreadPoolParams.Poll)).ToInt32().ShouldBe(520);
        Marshal.OffsetOf<GgmlThreadPoolParams>(nameof(GgmlThreadPoolParams.Paused)).ToInt32().ShouldBe(525);
    }

    [Fact]
    public void The_cpu_backend_hands_out_the_pool_functions()
    {
        // Without them every context silently falls back to per-decode threads: that must not go unnoticed.
        GgmlThreadPool.Enabled.ShouldBeTrue($"ggml_threadpool_new/free not found through the CPU registry (or {GgmlThreadPool.SwitchVariable}=off)");
    }

    [Fact]
    public void A_context_decodes_on_its_pool_and_gives_the_logits_of_per_decode_threads()
    {
        var model = TestModels.IuXray();
        var options = new LlamaContextOptions { ContextSize = 256, Sequences = 1, BatchSize = 64, Threads = 2 };
        var tokens = model.Tokenize("The heart size is normal. The lungs are clear. There is no");
        float[] Decode(bool pool)
        {
            using var context = new LlamaContext(model, options, pool);
            context.HasThreadPool.ShouldBe(pool);
            using var batch = new NativeBatch(tokens.Length);
            for (var p = 0; p < tokens.Length; p++) batch.AddToken(tokens[p], p, 0, logits: p == tokens.Length - 1);
            context.Decode(batch).ShouldBe(0);
            var first = context.Logits(tokens.Length - 1).ToArray();
            // Then single-token steps, the path a generating sequence takes.
            for (var step = 0; step < 4; step++)
            {
                batch.Clear();
                batch.AddToken(Array.IndexOf(first, first.Max()), tokens.Length + step, 0, logits: true);
                context.Decode(batch).ShouldBe(0);
                first = context.Logits(0).ToArray();
            }
            return first;
        }
        var pooled = Decode(pool: true);
        var spawned = Decode(pool: false);
        // Same threads, same work split: the pool changes who runs the work, not the arithmetic.
        pooled.ShouldBe(spawned);
    }

    [Fact]
    public void Many_contexts_free_their_pools()
    {
        var model = TestModels.Stories();
        var before = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        for (var i = 0; i < 20; i++)
        {
            using var context = model.CreateContext(new LlamaContextOptions { ContextSize = 64, Threads = 4 });
            context.HasThreadPool.ShouldBeTrue();
        }
        // 20 pools of 3 worker threads each would leave 60 threads behind if they were not freed with their context
        // (the margin is for threads other tests start meanwhile).
        System.Diagnostics.Process.GetCurrentProcess().Threads.Count.ShouldBeLessThan(before + 30);
    }
}
