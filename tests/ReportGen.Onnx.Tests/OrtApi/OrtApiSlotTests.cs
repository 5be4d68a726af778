using System.Reflection;
using System.Runtime.InteropServices;
using ReportGen.Onnx.Native;
using ReportGen.TestSupport;

namespace ReportGen.Onnx.Tests;

/// <summary>
/// Every ORT function the binding calls is declared once in <see cref="OrtApiTable"/> with its slot. A wrong slot calls
/// the wrong function, so each slot is checked against the member list of the version-30 header, and each slot family
/// is exercised here with an observable effect.
/// </summary>
public unsafe class OrtApiSlotTests
{
    private static readonly FieldInfo[] Functions = typeof(OrtApiTable).GetFields(BindingFlags.Public | BindingFlags.Instance);

    private static string[] HeaderMembers() =>
        File.ReadAllLines(RepoFiles.Path("tests", "ReportGen.Onnx.Tests", "OrtApi", "ort_api_v30_members.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();

    [Fact]
    public void Every_declared_slot_is_that_functions_index_in_the_version_30_header()
    {
        var members = HeaderMembers();
        members.Length.ShouldBe(OrtApiTable.MemberCountInVersion30Header);
        members.Distinct().Count().ShouldBe(members.Length);
        Functions.Length.ShouldBeGreaterThan(30);
        foreach (var field in Functions)
        {
            var offset = (int)Marshal.OffsetOf<OrtApiTable>(field.Name);
            (offset % OrtApiTable.SlotSize).ShouldBe(0, field.Name);
            var slot = offset / OrtApiTable.SlotSize;
            Array.IndexOf(members, field.Name).ShouldBe(slot, $"{field.Name} is declared at slot {slot}");
        }
    }

    [Fact]
    public void Every_declared_member_is_a_function_pointer_in_its_own_slot()
    {
        Functions.ShouldAllBe(f => f.FieldType.IsFunctionPointer);
        Functions.Select(f => Marshal.OffsetOf<OrtApiTable>(f.Name)).Distinct().Count().ShouldBe(Functions.Length);
    }

    [Fact]
    public void Status_slots_round_trip_code_and_message()
    {
        // CreateStatus (0) -> GetErrorCode (1), GetErrorMessage (2), ReleaseStatus (93)
        var status = OrtApi.CreateStatus(OrtErrorCode.NoSuchFile, "slot check ü");
        ((IntPtr)status).ShouldNotBe(IntPtr.Zero);
        var ex = OrtApi.ToException(status, "ctx");
        ex.Code.ShouldBe(OrtErrorCode.NoSuchFile);
        ex.Message.ShouldBe("ctx: slot check ü");
    }

    [Fact]
    public void Check_passes_null_status_and_throws_on_error()
    {
        Should.NotThrow(() => OrtApi.Check(null));
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
}

[Collection(nameof(NativeMemoryCollection))] // alone: ORT's provider-library loading is process-global
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
        using var options = OrtSessionOptionsHandle.Create();
        var reason = OnnxSession.TryAppendCuda(options.Pointer, 0, checkFiles: false);
        reason.ShouldNotBeNull();
        (reason.Contains("cuda", StringComparison.OrdinalIgnoreCase) || reason.Contains("provider", StringComparison.OrdinalIgnoreCase))
            .ShouldBeTrue($"unexpected reason: {reason}");
    }
}
