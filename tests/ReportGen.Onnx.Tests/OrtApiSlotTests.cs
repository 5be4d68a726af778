using ReportGen.Onnx.Native;

namespace ReportGen.Onnx.Tests;

/// <summary>
/// The slot indices in <see cref="OrtApiSlot"/> were counted by hand from onnxruntime_c_api.h (version 30). A wrong index
/// calls the wrong function, so each slot family is exercised here with an observable effect.
/// </summary>
public class OrtApiSlotTests
{
    [Fact]
    public void Status_slots_round_trip_code_and_message()
    {
        // CreateStatus (0) -> GetErrorCode (1), GetErrorMessage (2), ReleaseStatus (93)
        var status = OrtApi.CreateStatus(OrtErrorCode.NoSuchFile, "slot check ü");
        status.ShouldNotBe(IntPtr.Zero);
        var ex = OrtApi.ToException(status, "ctx");
        ex.Code.ShouldBe(OrtErrorCode.NoSuchFile);
        ex.Message.ShouldBe("ctx: slot check ü");
    }

    [Fact]
    public void Check_passes_null_status_and_throws_on_error()
    {
        Should.NotThrow(() => OrtApi.Check(IntPtr.Zero));
        var ex = Should.Throw<OnnxRuntimeException>(() => OrtApi.Check(OrtApi.CreateStatus(OrtErrorCode.InvalidGraph, "boom")));
        ex.Code.ShouldBe(OrtErrorCode.InvalidGraph);
        ex.Message.ShouldBe("boom");
    }

    [Fact]
    public void Provider_list_and_build_info_slots_return_what_they_should()
    {
        // GetAvailableProviders (125) / ReleaseAvailableProviders (126)
        OrtApi.AvailableProviders().ShouldContain("CPUExecutionProvider");
        // GetBuildInfoString (254): the highest slot we call, so an off-by-one anywhere before it shows here
        OrtApi.BuildInfo().ShouldContain("ORT Build Info");
    }

    [Fact]
    public void Slot_table_is_ordered_and_within_the_version_30_struct()
    {
        var slots = typeof(OrtApiSlot).GetFields().Where(f => f.IsLiteral && f.Name != nameof(OrtApiSlot.MemberCountInVersion30Header))
            .Select(f => (int)f.GetRawConstantValue()!).ToArray();
        slots.Distinct().Count().ShouldBe(slots.Length);
        slots.ShouldAllBe(s => s >= 0 && s < OrtApiSlot.MemberCountInVersion30Header);
    }
}

public class OrtCudaSlotTests
{
    [Fact]
    public unsafe void Cuda_append_slot_reaches_the_cuda_provider_loader()
    {
        // SessionOptionsAppendExecutionProvider_CUDA (152): without the provider libraries ORT answers with an error
        // that names the CUDA append, which a wrong slot would not.
        if (File.Exists(Path.Combine(OrtLibrary.Directory, "libonnxruntime_providers_cuda.so")))
            Assert.Skip("the CUDA provider library is present here");
        if (!OrtApi.AvailableProviders().Contains("CUDAExecutionProvider"))
            Assert.Skip("this ONNX Runtime build has no CUDA provider");
        IntPtr raw;
        OrtApi.Check(((delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)OrtApi.Fn(OrtApiSlot.CreateSessionOptions))(&raw));
        using var options = new OrtHandle(raw, OrtApiSlot.ReleaseSessionOptions);
        var reason = OnnxSession.TryAppendCuda(raw, 0, checkFiles: false);
        reason.ShouldNotBeNull();
        reason.ShouldContain("Cuda", Case.Insensitive);
    }
}
