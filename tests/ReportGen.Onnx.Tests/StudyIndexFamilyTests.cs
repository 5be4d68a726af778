using ReportGen.TestSupport;

namespace ReportGen.Onnx.Tests;

/// <summary>
/// A saved study index records the encoder's hash and the CPU kernel family its vectors were computed on, and an index
/// from another family (int8 encoders give different vectors on AVX2 and VNNI CPUs) or another encoder file is refused
/// with a message that names both and the command that rebuilds it.
/// </summary>
public class StudyIndexFamilyTests
{
    private const string Encoder = "mobilenetv2-int8";
    private static readonly string Hash = new('a', 64);

    private static string Saved(TempDir dir, string family, string? hash = null)
    {
        var index = new StudyIndex(Encoder, 2, hash ?? Hash, family, source: "/data/studies.jsonl");
        index.Add(new StoredStudy("s1", "Small left pleural effusion.", "s1.png"), [1f, 0f]);
        var path = Path.Combine(dir.Path, family + ".json");
        index.Save(path);
        return path;
    }

    [Fact]
    public void An_index_made_here_loads_and_is_usable()
    {
        using var dir = new TempDir();
        var path = Saved(dir, CpuKernelFamily.Current);
        var index = StudyIndex.Load(path);
        index.KernelFamily.ShouldBe(CpuKernelFamily.Current);
        index.EncoderSha256.ShouldBe(Hash);
        Should.NotThrow(() => index.CheckUsableWith(Encoder, Hash, path));
        index.Search([1f, 0f], 1)[0].Study.Id.ShouldBe("s1");
    }

    [Fact]
    public void An_index_from_another_kernel_family_is_refused_with_the_rebuild_command()
    {
        using var dir = new TempDir();
        var other = CpuKernelFamily.Current == "x64-avx2" ? "x64-avx512-vnni" : "x64-avx2";
        var path = Saved(dir, other);
        var error = Should.Throw<InvalidDataException>(() => StudyIndex.Load(path).CheckUsableWith(Encoder, Hash, path));
        error.Message.ShouldContain(other);
        error.Message.ShouldContain(CpuKernelFamily.Current);
        error.Message.ShouldContain("reportgen draft --model SET --image ANY.png --retrieve /data/studies.jsonl --save-index " + path);
    }

    [Fact]
    public void Another_encoder_file_and_an_index_without_a_family_are_refused_too()
    {
        using var dir = new TempDir();
        var path = Saved(dir, CpuKernelFamily.Current, new string('b', 64));
        Should.Throw<InvalidDataException>(() => StudyIndex.Load(path).CheckUsableWith(Encoder, Hash, path)).Message.ShouldContain("another 'mobilenetv2-int8' file");
        Should.Throw<InvalidDataException>(() => StudyIndex.Load(path).CheckUsableWith("rad-dino", Hash, path)).Message.ShouldContain("'rad-dino'");

        // Format 1 (before the family was recorded): nobody knows where its vectors came from.
        var old = Path.Combine(dir.Path, "old.json");
        File.WriteAllText(old, """{"format":"reportgen-study-index/1","encoder":"mobilenetv2-int8","dimension":2,"studies":[{"id":"s1","findings":"x","vector":[1,0]}]}""");
        Should.Throw<InvalidDataException>(() => StudyIndex.Load(old).CheckUsableWith(Encoder, Hash, old)).Message.ShouldContain("unknown CPU kernels");
    }

    [Fact]
    public void The_family_is_named_for_this_cpu()
    {
        CpuKernelFamily.Current.ShouldNotBeNullOrWhiteSpace();
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
            CpuKernelFamily.Current.ShouldStartWith("x64-");
    }
}
