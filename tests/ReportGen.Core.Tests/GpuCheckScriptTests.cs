using System.Buffers.Binary;
using ReportGen.TestSupport;

namespace ReportGen.Core.Tests;

/// <summary>
/// tools/gpu-check.sh and tools/cuda-fatbin-prune.py: what can be checked without a GPU and without the minutes a full
/// pack takes (README: the CPU-fallback run of a real pack is recorded in eval/benchmarks.md).
/// </summary>
public class GpuCheckScriptTests
{
    private static readonly string Script = RepoFiles.Path("tools", "gpu-check.sh");
    private static readonly string Pruner = RepoFiles.Path("tools", "cuda-fatbin-prune.py");

    [Fact]
    public void Run_outside_an_unpacked_pack_stops_with_one_line_saying_where_to_run_it()
    {
        using var dir = new TempDir();
        var copy = Path.Combine(dir.Path, "gpu-check.sh");
        File.Copy(Script, copy);
        var (exit, stdout, stderr) = ScriptRun.Run("/bin/bash", [copy, "run", Path.Combine(dir.Path, "results")]);
        exit.ShouldBe(2);
        stdout.ShouldBeEmpty();
        stderr.Trim().ShouldBe($"error: {dir.Path}/app/reportgen not found: run this inside the unpacked reportgen-gpu-check folder");
        Directory.Exists(Path.Combine(dir.Path, "results")).ShouldBeFalse();
    }

    [Fact]
    public void Run_on_a_gpu_host_counts_a_cpu_only_llama_and_an_encoder_that_fell_back_to_the_cpu_as_failures()
    {
        using var dir = new TempDir();
        File.Copy(Script, Path.Combine(dir.Path, "gpu-check.sh"));
        // A stand-in CLI that answers like the real one on a host where neither CUDA library loads, and an nvidia-smi.
        Directory.CreateDirectory(Path.Combine(dir.Path, "app", "native", "onnxruntime"));
        WriteExecutable(Path.Combine(dir.Path, "app", "reportgen"), """
            #!/bin/sh
            case "$1" in
              doctor) printf 'llama.cpp     release v0.5.0 (GPU build)\n  backends    CPU; CPU variant loaded: haswell; GPU offload: no\ndoctor: ok\n' ;;
              embed) echo '{"model":"mobilenetv2-int8","provider":"CPU"}' ;;
            esac
            """);
        var bin = Path.Combine(dir.Path, "bin");
        Directory.CreateDirectory(bin);
        WriteExecutable(Path.Combine(bin, "nvidia-smi"), "#!/bin/sh\necho 'GPU 0: NVIDIA H200 (UUID: GPU-0)'\n");
        var provider = Path.Combine(dir.Path, "ort-cuda");
        Directory.CreateDirectory(provider);
        File.WriteAllText(Path.Combine(provider, "libonnxruntime_providers_cuda.so"), "");

        var (exit, stdout, stderr) = ScriptRun.Run("/bin/bash", [Path.Combine(dir.Path, "gpu-check.sh"), "run", Path.Combine(dir.Path, "results")],
            new Dictionary<string, string> { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"), ["ORT_CUDA_PROVIDER_DIR"] = provider });

        exit.ShouldBe(1, stderr);
        stdout.ShouldContain("GPU 0: NVIDIA H200");
        stdout.ShouldContain("failed: a GPU is there but llama.cpp has no CUDA backend");
        stdout.ShouldContain("failed: the encoder ran on the CPU, the CUDA provider did not load");
        stdout.ShouldContain("== bench serve skipped: set REPORTGEN_LLAMA_SERVER");
        stdout.Trim().Split('\n')[^1].ShouldStartWith("gpu check: 5 steps, 2 failed;");
        File.Exists(Path.Combine(dir.Path, "app", "native", "onnxruntime", "libonnxruntime_providers_cuda.so")).ShouldBeTrue();
    }

    [Fact]
    public void Slim_keeps_every_native_file_run_loads_and_drops_the_rest()
    {
        using var app = new TempDir();
        string[] needed =
        [
            // What LlamaLibrary resolves, what ggml_backend_load_all_from_path loads on a GPU host, doctor's build record.
            "native/llama/libllama.cuda.v0.5.0.so", "native/llama/libggml.cuda.v0.5.0.so", "native/llama/libggml-base.so",
            "native/llama/libggml-cuda.so", "native/llama/libggml-cpu-haswell.so", "native/llama/libggml-cpu-sse42.so",
            "native/llama/_nlcBuildMetadata.json", "native/onnxruntime/libonnxruntime.so.1",
            "reportgen", "reportgen.dll", "libcoreclr.so", "libclrjit.so", "libhostfxr.so", "reportgen.runtimeconfig.json",
        ];
        string[] dropped =
        [
            "native/llama/libllama-common.so", "native/llama/llama-addon.node", "native/llama/libggml-cpu-zen4.so",
            "native/llama/libggml-cpu-x64.so", "native/llama/libggml-cpu-sapphirerapids.so",
            "createdump", "libmscordaccore.so", "libmscordbi.so", "libcoreclrtraceptprovider.so", "libclrgc.so", "reportgen.pdb",
        ];
        foreach (var f in needed.Concat(dropped))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(app.Path, f))!);
            File.WriteAllText(Path.Combine(app.Path, f), "not an ELF file: strip leaves it alone");
        }

        var (exit, _, stderr) = ScriptRun.Run("/bin/bash", [Script, "slim", app.Path]);

        exit.ShouldBe(0, stderr);
        Directory.EnumerateFiles(app.Path, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(app.Path, f)).Order(StringComparer.Ordinal)
            .ShouldBe(needed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Slim_and_pack_refuse_what_they_cannot_use_with_one_line()
    {
        using var dir = new TempDir();
        var (exit, _, stderr) = ScriptRun.Run("/bin/bash", [Script, "slim", dir.Path]);
        exit.ShouldBe(2);
        stderr.Trim().ShouldBe($"error: {dir.Path}/native/llama not found: not a reportgen publish folder");

        (exit, _, stderr) = ScriptRun.Run("/bin/bash", [Script, "pack", "--sm", "9.0", dir.Path]);
        exit.ShouldBe(2);
        stderr.Trim().ShouldStartWith("error: --sm takes a compute capability without the dot");
        Directory.EnumerateFileSystemEntries(dir.Path).ShouldBeEmpty();
    }

    [Fact]
    public void The_pruner_keeps_what_the_target_gpu_can_run_in_place_and_refuses_a_target_without_kernels()
    {
        if (Python() is not { } python) { Assert.Skip("python3 is not installed"); return; }
        using var dir = new TempDir();
        var lib = Path.Combine(dir.Path, "lib.so");
        // Two kernel images as nvcc lays them out: PTX 75/80/90 and SASS 86/89/120 each, distinct payload bytes.
        (int Kind, int Sm)[] entries = [(1, 75), (1, 80), (2, 86), (2, 89), (1, 90), (2, 120)];
        var original = FakeCudaLibrary(entries, images: 2);
        File.WriteAllBytes(lib, original);

        var (exit, stdout, stderr) = ScriptRun.Run(python, [Pruner, lib, "89", Path.Combine(dir.Path, "out.so")]);

        exit.ShouldBe(0, stderr);
        stdout.Trim().ShouldStartWith("sm_89: kept ");
        var pruned = File.ReadAllBytes(Path.Combine(dir.Path, "out.so"));
        pruned.Length.ShouldBe(original.Length);
        // On an sm_89 GPU the driver can pick SASS 86 or 89 or JIT the newest PTX not above it (80): those stay, first in
        // each image, with the image's size cut to them; sm_120 SASS and compute_90 PTX become zeros.
        ListEntries(python, Path.Combine(dir.Path, "out.so")).ShouldBe(["ptx compute_80", "sass sm_86", "sass sm_89"]);
        pruned.AsSpan(0, FatbinOffset).SequenceEqual(original.AsSpan(0, FatbinOffset)).ShouldBeTrue("bytes before the fatbin section changed");

        (exit, _, stderr) = ScriptRun.Run(python, [Pruner, lib, "70"]);
        exit.ShouldBe(2);
        stderr.Trim().ShouldBe($"error: a kernel image at offset {FatbinOffset} has nothing for sm_70 (it holds [75, 80, 86, 89, 90, 120])");
        File.ReadAllBytes(lib).ShouldBe(original);

        (exit, _, stderr) = ScriptRun.Run(python, [Pruner, Script, "90"]);
        exit.ShouldBe(2);
        stderr.Trim().ShouldBe("error: not a 64-bit little-endian ELF file");
    }

    [Fact]
    public void The_pruner_leaves_the_real_npm_cuda_library_with_only_the_compute_90_ptx_of_all_143_kernel_images()
    {
        if (Python() is not { } python) { Assert.Skip("python3 is not installed"); return; }
        var cuda = Path.Combine(NativeCache(), "node-llama-cpp_linux-x64-cuda_3.22.1", "package", "bins", "linux-x64-cuda", "libggml-cuda.so");
        if (!File.Exists(cuda)) { Assert.Skip($"the npm CUDA build is not in the native cache ({cuda}): dotnet build -p:ReportGenLlamaBackend=cuda provisions it"); return; }
        using var dir = new TempDir();
        var output = Path.Combine(dir.Path, "libggml-cuda.so");

        var (exit, stdout, stderr) = ScriptRun.Run(python, [Pruner, cuda, "90", output]);

        exit.ShouldBe(0, stderr);
        stdout.Trim().ShouldEndWith("bytes of kernels in 143 fatbinaries");
        new FileInfo(output).Length.ShouldBe(new FileInfo(cuda).Length);
        ListEntries(python, output).ShouldBe(["ptx compute_90"]);
    }

    private const int FatbinOffset = 0x100;

    /// <summary>A minimal ELF64 whose one named section is a .nv_fatbin of <paramref name="images"/> fatbinaries.</summary>
    private static byte[] FakeCudaLibrary((int Kind, int Sm)[] entries, int images)
    {
        var fatbin = new List<byte>();
        for (var image = 0; image < images; image++)
        {
            var body = new List<byte>();
            foreach (var (kind, sm) in entries)
            {
                var header = new byte[64];
                var payload = Enumerable.Repeat((byte)(sm + image), 40).ToArray();
                BinaryPrimitives.WriteUInt16LittleEndian(header, (ushort)kind);
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 64);
                BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(8), (ulong)payload.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(28), (uint)sm);
                body.AddRange(header);
                body.AddRange(payload);
            }
            var fatHeader = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(fatHeader, 0xBA55ED50);
            BinaryPrimitives.WriteUInt16LittleEndian(fatHeader.AsSpan(6), 16);
            BinaryPrimitives.WriteUInt64LittleEndian(fatHeader.AsSpan(8), (ulong)body.Count);
            fatbin.AddRange(fatHeader);
            fatbin.AddRange(body);
        }
        var names = "\0.nv_fatbin\0.shstrtab\0"u8.ToArray();
        var namesOffset = FatbinOffset + fatbin.Count;
        var sectionsOffset = (namesOffset + names.Length + 7) / 8 * 8;
        var file = new byte[sectionsOffset + 3 * 64];
        "\u007fELF"u8.CopyTo(file);
        file[4] = 2; // 64-bit
        file[5] = 1; // little endian
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(0x28), (ulong)sectionsOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x3A), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x3C), 3);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x3E), 2);
        fatbin.ToArray().CopyTo(file, FatbinOffset);
        names.CopyTo(file, namesOffset);
        void Section(int index, int name, int offset, int size)
        {
            var s = file.AsSpan(sectionsOffset + index * 64);
            BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)name);
            BinaryPrimitives.WriteUInt64LittleEndian(s[24..], (ulong)offset);
            BinaryPrimitives.WriteUInt64LittleEndian(s[32..], (ulong)size);
        }
        Section(1, 1, FatbinOffset, fatbin.Count);
        Section(2, 12, namesOffset, names.Length);
        return file;
    }

    private static string[] ListEntries(string python, string library)
    {
        var (exit, stdout, stderr) = ScriptRun.Run(python, [Pruner, library, "--list"]);
        exit.ShouldBe(0, stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[..18].Trim()).ToArray();
    }

    private static void WriteExecutable(string path, string text)
    {
        File.WriteAllText(path, text.Replace("\r", ""));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static string? Python() => new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists);

    // As build/NativeRuntimes.props computes it.
    private static string NativeCache() =>
        Environment.GetEnvironmentVariable("REPORTGEN_NATIVE_CACHE") is { Length: > 0 } c ? c
        : Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? Path.Combine(x, "reportgen", "native")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "reportgen", "native");
}
