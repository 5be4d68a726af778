using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ReportGen.Onnx.Native;
using ReportGen.TestSupport;

namespace ReportGen.Onnx.Tests;

public class OnnxSessionTests
{
    [Fact]
    public void Reads_names_shapes_with_symbolic_batch_and_types()
    {
        using var session = OnnxSession.Load(MobileNet.Path);
        session.ExecutionProvider.ShouldBe("CPU");
        session.Inputs.Count.ShouldBe(1);
        session.Inputs[0].Name.ShouldBe("input");
        session.Inputs[0].ElementType.ShouldBe(OnnxElementType.Float);
        session.Inputs[0].Shape.ShouldBe([-1L, 3, 224, 224]);
        session.Outputs.Single().ShouldBe(new OnnxTensorInfo("output", OnnxElementType.Float, [-1L, 1000]) with { Shape = session.Outputs[0].Shape });
        session.Outputs[0].Shape.ShouldBe([-1L, 1000]);
    }

    [Fact]
    public void Matches_golden_values_from_an_independent_binding()
    {
        // Golden: onnxruntime-node 1.30.0 (its own N-API binding of the same library), graphOptimizationLevel 'all',
        // input x[i] = sin(i*0.001)*2 of shape [1,3,224,224]; command: node tests/fixtures/onnx/golden-mobilenet.js MODEL
        // Recorded once per int8 kernel family (see MobileNet.CpuHasVnni): an Intel AVX2 machine, and an AMD EPYC with AVX-512 VNNI.
        (float[] golden, double norm) = MobileNet.CpuHasVnni
            ? (new[] { -3.5231807231903076f, -1.4413012266159058f, -4.00361442565918f, -6.565927982330322f,
                -4.163759231567383f, -1.1210120916366577f, -4.964481830596924f, -0.16014458239078522f }, 65.20775882941064)
            : (new[] { -2.8826024532318115f, -1.6014457941055298f, -3.0427470207214355f, -6.88621711730957f,
                -4.644192695617676f, 0.16014458239078522f, -4.804337501525879f, -0.32028916478157043f }, 78.06666464445875);
        using var session = OnnxSession.Load(MobileNet.Path);
        var output = session.Run("input", MobileNet.SineInput(), 1, 3, 224, 224)["output"];
        output.Shape.ShouldBe([1L, 1000]);
        for (var i = 0; i < golden.Length; i++) output.Data[i].ShouldBe(golden[i], 1e-4f);
        Math.Sqrt(output.Data.Sum(v => (double)v * v)).ShouldBe(norm, 1e-3);
        Array.IndexOf(output.Data, output.Data.Max()).ShouldBe(905);
    }

    [Fact]
    public void A_batch_of_four_equals_four_single_runs()
    {
        using var session = OnnxSession.Load(MobileNet.Path);
        var items = Enumerable.Range(0, 4).Select(k => MobileNet.SineInput(1f - 0.3f * k)).ToArray();
        var batch = items.SelectMany(x => x).ToArray();
        var batched = session.Run("input", batch, 4, 3, 224, 224)["output"];
        batched.Shape.ShouldBe([4L, 1000]);
        for (var k = 0; k < 4; k++)
        {
            var single = session.Run("input", items[k], 1, 3, 224, 224)["output"].Data;
            var row = batched.Data.AsSpan(k * 1000, 1000).ToArray();
            for (var i = 0; i < 1000; i++) row[i].ShouldBe(single[i], 1e-3f);
        }
    }

    [Fact]
    public void Bad_model_path_names_the_file()
    {
        var ex = Should.Throw<FileNotFoundException>(() => OnnxSession.Load("/nonexistent/model.onnx"));
        ex.Message.ShouldContain("/nonexistent/model.onnx");
    }

    [Fact]
    public void Garbage_model_bytes_fail_with_ort_message()
    {
        var ex = Should.Throw<OnnxRuntimeException>(() => OnnxSession.Load("not a model"u8, "garbage.onnx"));
        ex.Message.ShouldContain("garbage.onnx");
        ex.Code.ShouldNotBe(OrtErrorCode.Ok);
    }

    [Fact]
    public void Wrong_input_name_and_wrong_shapes_are_named()
    {
        using var session = OnnxSession.Load(MobileNet.Path);
        var x = MobileNet.SineInput();
        Should.Throw<OnnxRuntimeException>(() => session.Run("pixels", x, 1, 3, 224, 224)).Message.ShouldContain("no input 'pixels'");
        Should.Throw<OnnxRuntimeException>(() => session.Run("input", x, 1, 3, 112, 448)).Message.ShouldContain("expects [-1, 3, 224, 224]");
        Should.Throw<OnnxRuntimeException>(() => session.Run("input", x, 3, 224, 224)).Message.ShouldContain("expects [-1, 3, 224, 224]");
        Should.Throw<OnnxRuntimeException>(() => session.Run("input", x, 2, 3, 224, 224)).Message.ShouldContain("needs 301056 values");
        Should.Throw<OnnxRuntimeException>(() => session.Run([new OnnxInput("input", x, [1, 3, 224, 224])], ["logits"])).Message.ShouldContain("no output 'logits'");
    }

    [Fact]
    public void Concurrent_runs_on_one_session_give_identical_results()
    {
        using var session = OnnxSession.Load(MobileNet.Path, new OnnxSessionOptions { IntraOpThreads = 1 });
        var x = MobileNet.SineInput();
        var expected = session.Run("input", x, 1, 3, 224, 224)["output"].Data;
        var results = new float[8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            results[i] = session.Run("input", x, 1, 3, 224, 224)["output"].Data);
        foreach (var r in results) r.ShouldBe(expected);
    }

    [Fact]
    public void Cuda_requested_without_cuda_falls_back_to_cpu_with_one_warning()
    {
        if (OnnxSession.AvailableProviders().Contains("CUDAExecutionProvider") && File.Exists("/dev/nvidia0"))
            Assert.Skip("a CUDA device is present; the fallback path is not taken here");
        var logger = new CapturingLogger();
        using var session = OnnxSession.Load(MobileNet.Path, new OnnxSessionOptions { UseCuda = true }, logger);
        session.ExecutionProvider.ShouldBe("CPU");
        var warnings = logger.Lines.Where(e => e.Level == LogLevel.Warning).ToList();
        warnings.Count.ShouldBe(1);
        warnings[0].Text.ShouldContain("CUDA");
        warnings[0].Text.ShouldContain("running on CPU");
        session.Run("input", MobileNet.SineInput(), 1, 3, 224, 224)["output"].Data.Length.ShouldBe(1000);
    }

    [Fact]
    public void Thread_counts_and_optimisation_level_are_accepted_and_results_agree()
    {
        using var plain = OnnxSession.Load(MobileNet.Path, new OnnxSessionOptions { OptimizationLevel = GraphOptimizationLevel.Disabled, IntraOpThreads = 1, InterOpThreads = 1 });
        using var optimised = OnnxSession.Load(MobileNet.Path, new OnnxSessionOptions { OptimizationLevel = GraphOptimizationLevel.All, IntraOpThreads = 2 });
        var x = MobileNet.SineInput();
        var a = plain.Run("input", x, 1, 3, 224, 224)["output"].Data;
        var b = optimised.Run("input", x, 1, 3, 224, 224)["output"].Data;
        // int8 kernels differ between fused and unfused graphs by a quantisation step at most
        Array.IndexOf(a, a.Max()).ShouldBe(Array.IndexOf(b, b.Max()));
        Should.Throw<ArgumentOutOfRangeException>(() => OnnxSession.Load(MobileNet.Path, new OnnxSessionOptions { IntraOpThreads = -1 }));
    }

    [Fact]
    public void Disposed_session_refuses_to_run()
    {
        var session = OnnxSession.Load(MobileNet.Path);
        session.Dispose();
        session.Dispose();
        Should.Throw<ObjectDisposedException>(() => session.Run("input", MobileNet.SineInput(), 1, 3, 224, 224));
    }
}

/// <summary>Runs alone (no other test class in parallel), so the process RSS reflects only this test's native objects.</summary>
[CollectionDefinition(nameof(NativeMemoryCollection), DisableParallelization = true)]
public sealed class NativeMemoryCollection;

[Collection(nameof(NativeMemoryCollection))]
public class NativeMemoryTests
{
    [Fact]
    public void Many_runs_and_sessions_do_not_grow_native_memory_notably()
    {
        var x = MobileNet.SineInput();
        using (var warm = OnnxSession.Load(MobileNet.Path, new OnnxSessionOptions { IntraOpThreads = 1 }))
            for (var i = 0; i < 20; i++) warm.Run("input", x, 1, 3, 224, 224);
        var before = RssBytes();
        for (var s = 0; s < 5; s++)
        {
            using var session = OnnxSession.Load(MobileNet.Path, new OnnxSessionOptions { IntraOpThreads = 1 });
            for (var i = 0; i < 40; i++) session.Run("input", x, 1, 3, 224, 224);
        }
        var growth = RssBytes() - before;
        // 200 runs leaking one 4 KB output each would be 0.8 MB; a leaked session (weights + arena) is several MB each
        growth.ShouldBeLessThan(24L << 20, $"RSS grew by {growth >> 20} MB");
    }

    private static long RssBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }
}
