using System.Reflection;
using System.Runtime.InteropServices;

namespace ReportGen.Llama.Native;

/// <summary>
/// Locates and loads the npm-provisioned llama.cpp libraries (<c>native/llama/</c> beside the binaries,
/// or <c>REPORTGEN_LLAMA_LIB_DIR</c>) and the ggml backends (CPU variants or CUDA) in that folder.
/// This is the assembly's one <see cref="NativeLibrary.SetDllImportResolver"/>.
/// </summary>
public static partial class LlamaLibrary
{
    /// <summary>Library name used in <c>LibraryImport</c> for libllama.</summary>
    public const string Llama = "llama";
    /// <summary>Library name used in <c>LibraryImport</c> for libggml (backend registry).</summary>
    public const string Ggml = "ggml";
    /// <summary>Library name used in <c>LibraryImport</c> for libggml-base.</summary>
    public const string GgmlBase = "ggml-base";
    /// <summary>Library name used in <c>LibraryImport</c> for libmtmd (llama.cpp's multimodal library, built from source).</summary>
    public const string Mtmd = "mtmd";

    private static readonly Lock Gate = new();
    private static bool _initialised;
    private static bool _mtmdInitialised;

    static LlamaLibrary() => NativeLibrary.SetDllImportResolver(typeof(LlamaLibrary).Assembly, Resolve);

    /// <summary>The folder the native libraries are loaded from.</summary>
    public static string Directory { get; } = FindDirectory();

    /// <summary>
    /// Loads the backends and initialises llama.cpp once per process. Without loading the backends
    /// llama.cpp fails later with "no backends are loaded".
    /// </summary>
    /// <exception cref="DllNotFoundException">The libraries are not where the build put them.</exception>
    public static void EnsureInitialised()
    {
        lock (Gate)
        {
            if (_initialised) return;
            if (!File.Exists(Path.Combine(Directory, "libggml-base.so")))
            {
                throw new DllNotFoundException(
                    $"llama.cpp native libraries not found in {Directory}; build the project (dotnet build) so they are provisioned from npm, or set REPORTGEN_LLAMA_LIB_DIR");
            }
            // Route the native log before the first line is written (backend loading already logs).
            LlamaLog.Install();
            ggml_backend_load_all_from_path(Directory);
            llama_backend_init();
            _initialised = true;
        }
    }

    /// <summary>The libmtmd file beside libllama, or null when it has not been built (it is not part of the npm build).</summary>
    public static string? MtmdPath =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.EnumerateFiles(Directory, "libmtmd*.so*").Order(StringComparer.Ordinal).FirstOrDefault()
            : null;

    /// <summary>
    /// <see cref="EnsureInitialised"/>, then checks that libmtmd is there and routes its log like llama.cpp's.
    /// </summary>
    /// <exception cref="MtmdNotFoundException">libmtmd has not been built into <see cref="Directory"/>.</exception>
    public static void EnsureMtmd()
    {
        EnsureInitialised();
        lock (Gate)
        {
            if (_mtmdInitialised) return;
            if (MtmdPath is null) throw new MtmdNotFoundException(Directory);
            LlamaLog.InstallMtmd();
            _mtmdInitialised = true;
        }
    }

    private static string FindDirectory()
    {
        var env = Environment.GetEnvironmentVariable("REPORTGEN_LLAMA_LIB_DIR");
        return !string.IsNullOrWhiteSpace(env) ? env : Path.Combine(AppContext.BaseDirectory, "native", "llama");
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        Find(Directory, name) is { } file ? NativeLibrary.Load(file) : IntPtr.Zero;

    /// <summary>
    /// The file in <paramref name="directory"/> for a <c>LibraryImport</c> name, or null. The npm builds name the
    /// versioned libraries by backend: libllama.v0.5.0.so (CPU), libllama.cuda.v0.5.0.so (CUDA); the dot after
    /// the stem keeps libllama-common.so and libggml-base/-cpu-*/-cuda.so out. A source build
    /// (<c>provision.sh llama-native</c>) names them plainly: libllama.so, libggml.so.
    /// </summary>
    internal static string? Find(string directory, string name)
    {
        string[] patterns = name switch
        {
            Llama => ["libllama.*.so", "libllama.so"],
            Ggml => ["libggml.*.so", "libggml.so"],
            GgmlBase => ["libggml-base.so"],
            Mtmd => ["libmtmd*.so*"],
            _ => [],
        };
        if (!System.IO.Directory.Exists(directory)) return null;
        return patterns.Select(p => System.IO.Directory.EnumerateFiles(directory, p).Order(StringComparer.Ordinal).FirstOrDefault())
            .FirstOrDefault(f => f is not null);
    }

    [LibraryImport(Ggml, StringMarshalling = StringMarshalling.Utf8)]
    private static partial void ggml_backend_load_all_from_path(string dirPath);

    [LibraryImport(Llama)]
    private static partial void llama_backend_init();
}

/// <summary>
/// libmtmd (llama.cpp's multimodal library: mmproj vision encoders) is not beside libllama. The npm build does not
/// ship it; <c>build/native/provision.sh mtmd</c> builds it from the pinned llama.cpp source.
/// </summary>
public sealed class MtmdNotFoundException(string directory)
    : DllNotFoundException($"libmtmd not found in {directory}: run build/native/provision.sh mtmd (or rebuild), or set REPORTGEN_LLAMA_LIB_DIR; see reportgen doctor")
{
    /// <summary>The folder that was searched.</summary>
    public string Directory { get; } = directory;
}
