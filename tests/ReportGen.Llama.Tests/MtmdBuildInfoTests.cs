using System.Security.Cryptography;
using ReportGen.Llama.Native;
using ReportGen.TestSupport;

namespace ReportGen.Llama.Tests;

/// <summary>The libmtmd the build provisions beside libllama, as <c>reportgen doctor</c> reports it.</summary>
public class MtmdBuildInfoTests
{
    [Fact]
    public void The_provisioned_libmtmd_is_the_one_its_record_describes_and_accepts_gemma3_and_llava()
    {
        var info = MtmdBuildInfo.Read(LlamaLibrary.Directory);
        if (info is null) Assert.Skip($"no libmtmd.so in {LlamaLibrary.Directory}: the build could not make it (needs cmake and g++)");
        info.Source.ShouldBe("node-llama-cpp@3.22.1");
        info.Commit.Length.ShouldBe(40);
        using (var lib = File.OpenRead(info.LibraryPath))
            Convert.ToHexStringLower(SHA256.HashData(lib)).ShouldBe(info.Sha256);
        info.ProjectorTypes.ShouldContain("gemma3");
        info.ProjectorTypes.ShouldContain("mlp");
        info.ProjectorTypes.Count.ShouldBeGreaterThan(40);
    }

    [Fact]
    public void A_folder_without_libmtmd_has_none_and_a_library_without_its_record_is_refused()
    {
        using var dir = new TempDir();
        MtmdBuildInfo.Read(dir.Path).ShouldBeNull();
        File.WriteAllText(Path.Combine(dir.Path, "libmtmd.so"), "");
        var error = Should.Throw<InvalidDataException>(() => MtmdBuildInfo.Read(dir.Path));
        error.Message.ShouldContain(MtmdBuildInfo.FileName);
        File.WriteAllText(Path.Combine(dir.Path, MtmdBuildInfo.FileName), """{"source": "s", "commit": "c", "projectorTypes": []}""");
        Should.Throw<InvalidDataException>(() => MtmdBuildInfo.Read(dir.Path)).Message.ShouldContain("sha256");
    }
}
