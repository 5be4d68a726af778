using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using ReportGen.Core.Models;
using ReportGen.Imaging;
using Microsoft.Extensions.Logging;
using ReportGen.Onnx;

namespace ReportGen.Cli.Commands;

/// <summary>
/// <c>reportgen embed --image FILE [--model ID]</c>: decodes an image, runs the vision encoder and prints one JSON
/// object (model, dims, norm, first values, timings). Bad input: one line on stderr, exit 2; a runtime failure: exit 1.
/// <c>--info</c> needs no model: it prints what the file is (format, DICOM transfer syntax and SOP class, size, bits,
/// photometric) and whether we decode it, with the typed error when not (exit 0 readable, 2 not).
/// </summary>
internal static class EmbedCommand
{
    public static Command Create()
    {
        var image = new Option<FileInfo>("--image") { Description = "PNG, JPEG or DICOM file", Required = true };
        var model = new Option<string?>("--model") { Description = "vision-encoder id from models/models.json (default: the first one)" };
        var values = new Option<int>("--values") { Description = "how many leading values to print", DefaultValueFactory = _ => 8 };
        var cuda = new Option<bool>("--cuda") { Description = "try the CUDA execution provider (falls back to CPU with a warning)" };
        var info = new Option<bool>("--info") { Description = "print what the file is (format, DICOM transfer syntax, SOP class, size, bits) and whether it decodes; no model needed" };
        var command = new Command("embed", "Embed an image with an ONNX encoder and print JSON") { image, model, values, cuda, info };
        command.SetAction((parse, _) => Task.FromResult(parse.GetValue(info)
            ? Info(parse.GetValue(image)!.FullName, Console.Out, Console.Error)
            : Run(parse.GetValue(image)!.FullName, parse.GetValue(model), parse.GetValue(values), parse.GetValue(cuda), Console.Out, Console.Error)));
        return command;
    }

    /// <summary><c>--info</c>: one JSON object describing the file; exit 0 when it decodes, 2 when not (or missing).</summary>
    internal static int Info(string imagePath, TextWriter stdout, TextWriter stderr)
    {
        byte[] bytes;
        try
        {
            var length = new FileInfo(imagePath).Length;
            if (length > ImageDecodeOptions.Default.MaxInputBytes)
            {
                stderr.WriteLine($"reportgen embed: {imagePath} is {length} bytes; the limit is {ImageDecodeOptions.Default.MaxInputBytes}");
                return 2;
            }
            bytes = File.ReadAllBytes(imagePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"reportgen embed: cannot read {imagePath}: {e.Message.Split('\n')[0]}");
            return 2;
        }
        var described = ImageFileInfo.Describe(bytes);
        stdout.WriteLine(JsonSerializer.Serialize(new { file = Path.GetFileName(imagePath), info = described }, InfoJsonOptions));
        return described.Readable ? 0 : 2;
    }

    private static readonly JsonSerializerOptions InfoJsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a terminal, not HTML: keep "&" readable
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    internal static int Run(string imagePath, string? modelId, int values, bool cuda, TextWriter stdout, TextWriter stderr)
    {
        const string Verb = "reportgen embed";
        if (values < 0) return Fail(stderr, 2, "--values must be >= 0");
        if (!File.Exists(imagePath)) return Fail(stderr, 2, $"image not found: {imagePath}");

        ModelEntry entry;
        string modelPath;
        try
        {
            (entry, modelPath) = EncoderModels.Resolve(modelId);
        }
        catch (ArgumentException e)
        {
            return Fail(stderr, 2, e.Message);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            return Fail(stderr, 1, e.Message);
        }

        var clock = Stopwatch.StartNew();
        PixelImage pixels;
        try
        {
            pixels = ImageDecoder.Decode(File.ReadAllBytes(imagePath));
        }
        catch (ImageDecodeException e)
        {
            return Fail(stderr, 2, $"cannot decode {Path.GetFileName(imagePath)}: {e.Message}");
        }
        catch (IOException e)
        {
            return Fail(stderr, 2, $"cannot read {imagePath}: {e.Message}");
        }
        var decodeMs = clock.Elapsed.TotalMilliseconds;

        try
        {
            using var encoder = ImageEncoder.Load(entry, modelPath, new OnnxSessionOptions { UseCuda = cuda }, new StderrLogger(stderr, Verb));
            var e = encoder.Encode(pixels);
            var result = new
            {
                model = entry.Id,
                dims = e.Dimension,
                norm = e.Norm,
                first = e.Pooled.Take(values).ToArray(),
                patches = e.Patches is null ? null : new { count = e.PatchCount, dims = e.PatchDimension },
                image = new { width = pixels.Width, height = pixels.Height, channels = pixels.Channels, format = pixels.Metadata.Format },
                provider = encoder.Session.ExecutionProvider,
                timings = new { decode_ms = Math.Round(decodeMs, 3), preprocess_ms = Math.Round(e.PreprocessMs, 3), run_ms = Math.Round(e.RunMs, 3) },
            };
            stdout.WriteLine(JsonSerializer.Serialize(result, JsonOptions));
            return 0;
        }
        catch (OnnxRuntimeException e)
        {
            return Fail(stderr, 1, e.Message);
        }
        catch (DllNotFoundException e)
        {
            return Fail(stderr, 1, e.Message);
        }

        static int Fail(TextWriter stderr, int code, string message)
        {
            stderr.WriteLine($"{Verb}: {message.Split('\n')[0]}");
            return code;
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
}

/// <summary>Finds a vision encoder in the manifest (shared by <c>embed</c> and <c>bench encoder</c>).</summary>
internal static class EncoderModels
{
    /// <summary>The entry and file of <paramref name="modelId"/>, or of the first vision encoder when null.</summary>
    /// <exception cref="ArgumentException">Unknown id, or not a vision encoder.</exception>
    /// <exception cref="FileNotFoundException">No manifest, or the model file is missing or does not match.</exception>
    public static (ModelEntry Entry, string Path) Resolve(string? modelId)
    {
        var manifestPath = ModelManifest.DefaultPath() ?? throw new FileNotFoundException("no models/models.json found (set REPORTGEN_MANIFEST)");
        var manifest = ModelManifest.Load(manifestPath);
        var entry = modelId is null
            ? manifest.Models.FirstOrDefault(m => m.Role == ModelRole.VisionEncoder) ?? throw new ArgumentException($"{manifestPath} lists no vision-encoder")
            : manifest.Find(modelId) ?? throw new ArgumentException($"unknown model id '{modelId}'; vision encoders: {string.Join(", ", manifest.Models.Where(m => m.Role == ModelRole.VisionEncoder).Select(m => m.Id))}");
        if (entry.Role != ModelRole.VisionEncoder) throw new ArgumentException($"model '{entry.Id}' is a {entry.Role.ToManifestName()}, not a vision-encoder");
        return (entry, ModelResolver.CreateDefault(manifest).RequirePath(entry.Id));
    }
}

/// <summary>Warnings and errors as single lines on stderr ("reportgen embed: warning: ..."), so stdout stays pure JSON.</summary>
internal sealed class StderrLogger(TextWriter stderr, string prefix) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        lock (stderr) stderr.WriteLine($"{prefix}: {(logLevel == LogLevel.Warning ? "warning" : "error")}: {formatter(state, exception)}");
    }
}
